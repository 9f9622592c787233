package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
)

// The SOPS example: testdata/sops/repo holds one SOPS-encrypted Secret,
// encrypted for the test key in testdata/sops (outside the repository, as
// an operator keeps it). go test ./cmd/gitwave -run TestSOPSExample -update
// makes a new key and encrypts the Secret again.
var (
	sopsExampleRepo = filepath.Join("..", "..", "testdata", "sops", "repo")
	sopsExampleKey  = filepath.Join("..", "..", "testdata", "sops", "age-test-key.txt")
)

// sopsExamplePassword is the example Secret's value, which no output may
// show.
const sopsExamplePassword = "example-db-password-do-not-use"

const sopsExampleSecret = `apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
type: Opaque
stringData:
  username: app
  password: ` + sopsExamplePassword + `
`

// regenerateSOPSExample writes a new test key and the Secret encrypted for
// it, as `sops --encrypt --age KEY --encrypted-regex '^(data|stringData)$'`.
func regenerateSOPSExample(t *testing.T) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	key := "# TEST KEY: gitwave's tests and the SOPS example only. It is public: never encrypt a real secret for it.\n" +
		"# public key: " + id.Recipient().String() + "\n" + id.String() + "\n"
	if err := os.WriteFile(sopsExampleKey, []byte(key), 0o644); err != nil {
		t.Fatal(err)
	}
	enc, err := sopsfixture.Encrypt("yaml", []byte(sopsExampleSecret), id.Recipient().String(),
		sopsfixture.Options{EncryptedRegex: "^(data|stringData)$"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sopsExampleRepo, "db", "secret.sops.yaml"), enc, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSOPSExample renders and validates the example with its test key:
// the Secret decrypts (validate finds nothing), and the rendered plan masks
// its values.
func TestSOPSExample(t *testing.T) {
	if *update {
		regenerateSOPSExample(t)
	}
	out, errOut, code := run(t, "render", "db", "--repo", sopsExampleRepo, "--sops-age-key-file", sopsExampleKey)
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, errOut)
	}
	if strings.Contains(out, sopsExamplePassword) || strings.Contains(out, "ENC[") {
		t.Errorf("render shows the password or ciphertext:\n%s", out)
	}
	golden(t, "render-sops-db.yaml", out)
	out, errOut, code = run(t, "validate", "--repo", sopsExampleRepo, "--sops-age-key-file", sopsExampleKey)
	if code != 0 || strings.Contains(out, sopsExamplePassword) {
		t.Errorf("validate: exit %d, want 0:\n%s%s", code, out, errOut)
	}
}
