package planner

import (
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
)

// testAgeKey generates an age key for one test; it is never written
// anywhere but the test's memory.
func testAgeKey(t testing.TB) (*age.X25519Identity, *SOPSKeys) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseSOPSKeys("test key", []byte("# test key\n"+id.String()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return id, keys
}

// encryptSOPS encrypts a plaintext file for recipient as `sops --encrypt
// --age` does; keys ending in _unencrypted stay in clear.
func encryptSOPS(t testing.TB, f sopsFormat, plain []byte, recipient string) []byte {
	t.Helper()
	name := map[sopsFormat]string{sopsYAML: "yaml", sopsJSON: "json", sopsDotenv: "dotenv"}[f]
	out, err := sopsfixture.Encrypt(name, plain, recipient, sopsfixture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
