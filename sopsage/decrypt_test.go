package sopsage

import (
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
)

func testKeys(t *testing.T) (*age.X25519Identity, *Keys) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKeys("test key", []byte("# a comment\n\n"+id.String()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return id, k
}

// TestDecryptSecrets checks which values a file's decryption reports as
// secrets: every encrypted value, but not an object's identity fields, nor
// values left in clear, nor booleans; a values file's own "kind" key is a
// secret like any other.
func TestDecryptSecrets(t *testing.T) {
	id, keys := testKeys(t)
	tests := []struct {
		name, plain string
		want        []string
	}{
		{"object", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: pw-1\n  port: 5432\n  tls: true\n  note_unencrypted: clear\n",
			[]string{"5432", "pw-1"}},
		{"values file", "kind: admin-kind\ndb:\n  users: [alice-pw, bob-pw]\n", []string{"admin-kind", "alice-pw", "bob-pw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := sopsfixture.Encrypt("yaml", []byte(tt.plain), id.Recipient().String(), sopsfixture.Options{})
			if err != nil {
				t.Fatal(err)
			}
			plain, secrets, ok, err := keys.Decrypt(enc)
			if err != nil || !ok {
				t.Fatalf("Decrypt: ok %v, %v", ok, err)
			}
			slices.Sort(secrets)
			if !slices.Equal(secrets, tt.want) {
				t.Errorf("secrets %v, want %v", secrets, tt.want)
			}
			if strings.Contains(string(plain), "ENC[") || strings.Contains(string(plain), "sops:") {
				t.Errorf("plaintext keeps ciphertext or metadata:\n%s", plain)
			}
		})
	}
}

// TestDecryptPlainFile checks that a file without SOPS metadata is not
// touched, even when it quotes ciphertext.
func TestDecryptPlainFile(t *testing.T) {
	_, keys := testKeys(t)
	for _, doc := range []string{"a: b\n", "doc: 'ENC[AES256_GCM,data:x]'\nsops: not a block\n"} {
		if _, _, ok, err := keys.Decrypt([]byte(doc)); ok || err != nil {
			t.Errorf("Decrypt(%q): ok %v, %v; want a plain file", doc, ok, err)
		}
	}
}
