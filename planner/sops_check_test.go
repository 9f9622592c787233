package planner

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCheckSOPS checks what validate reports: a SOPS file no configured
// key opens, and a plaintext Secret in an encryptedPaths folder; an
// encrypted Secret there and a plaintext one elsewhere are fine.
func TestCheckSOPS(t *testing.T) {
	id, keys := testAgeKey(t)
	other, _ := testAgeKey(t)
	plainSecret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  token: plaintext-token-789\n"
	repo := fstest.MapFS{
		"secrets/prod/db.yaml":      {Data: encryptSOPS(t, sopsYAML, []byte(dbSecretYAML), id.Recipient().String())},
		"secrets/prod/leaked.yaml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n" + plainSecret)},
		"secrets/prod/foreign.yaml": {Data: encryptSOPS(t, sopsYAML, []byte(dbSecretYAML), other.Recipient().String())},
		"apps/dev/secret.yaml":      {Data: []byte(plainSecret)},
	}
	cfg := RepoConfig{EncryptedPaths: []string{"secrets/prod"}}
	problems, err := CheckSOPS(t.Context(), repo, cfg, keys)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(problems)
	if len(problems) != 2 {
		t.Fatalf("%d problems, want 2 (foreign key, plaintext Secret): %v", len(problems), text)
	}
	for _, want := range []string{
		"secrets/prod/foreign.yaml: decrypt SOPS file: no matching key",
		"secrets/prod/leaked.yaml:6: Secret leaked is committed in plaintext in secrets/prod",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q: %v", want, text)
		}
	}
	if strings.Contains(text, "plaintext-token-789") || strings.Contains(text, "hunter2") {
		t.Errorf("a problem quotes a secret value: %v", text)
	}
}
