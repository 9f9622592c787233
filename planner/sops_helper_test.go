package planner

import (
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
	"github.com/gitwave/gitwave/sopsage"
)

// SOPS file formats for encryptSOPS.
const (
	sopsYAML   = "yaml"
	sopsJSON   = "json"
	sopsDotenv = "dotenv"
)

// testAgeKey generates an age key for one test; it is never written
// anywhere but the test's memory.
func testAgeKey(t testing.TB) (*age.X25519Identity, *sopsage.Keys) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sopsage.ParseKeys("test key", []byte("# test key\n"+id.String()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return id, keys
}

// encryptSOPS encrypts a plaintext file for recipient as `sops --encrypt
// --age` does; keys ending in _unencrypted stay in clear.
func encryptSOPS(t testing.TB, format string, plain []byte, recipient string) []byte {
	t.Helper()
	out, err := sopsfixture.Encrypt(format, plain, recipient, sopsfixture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
