package planner

import (
	"crypto/rand"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
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
// --age` does, with the SOPS libraries; keys ending in _unencrypted stay in
// clear.
func encryptSOPS(t testing.TB, f sopsFormat, plain []byte, recipient string) []byte {
	t.Helper()
	store := storeFor(f)
	branches, err := storeLoadPlain(store, plain)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := sopsage.MasterKeyFromRecipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		t.Fatal(err)
	}
	if err := mk.Encrypt(dataKey); err != nil {
		t.Fatal(err)
	}
	tree := sops.Tree{Branches: branches, Metadata: sops.Metadata{
		KeyGroups:         []sops.KeyGroup{{mk}},
		UnencryptedSuffix: sops.DefaultUnencryptedSuffix,
		Version:           "3.13.3",
		LastModified:      time.Now().UTC().Truncate(time.Second),
	}}
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		t.Fatal(err)
	}
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	out, err := storeEmitEncrypted(store, tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type plainLoader interface {
	LoadPlainFile([]byte) (sops.TreeBranches, error)
}

type encryptedEmitter interface {
	EmitEncryptedFile(sops.Tree) ([]byte, error)
}

func storeLoadPlain(s sopsStore, in []byte) (sops.TreeBranches, error) {
	return s.(plainLoader).LoadPlainFile(in)
}

func storeEmitEncrypted(s sopsStore, tree sops.Tree) ([]byte, error) {
	return s.(encryptedEmitter).EmitEncryptedFile(tree)
}
