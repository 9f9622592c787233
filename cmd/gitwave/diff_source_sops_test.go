package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/sopsfixture"
)

// TestSourceDiffDecryptsSOPSValues diffs a change in the guide's
// infrastructure repository that SOPS-encrypts a new retention into the
// production value file of the prometheus apps: `gitwave diff --changed`
// decrypts it with the operator's key, as `gitwave diff` does, and shows it
// masked, never in clear; without the key the apps fail, naming the file.
func TestSourceDiffDecryptsSOPSValues(t *testing.T) {
	g, err := examplerepo.BuildGuide(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "age.txt")
	if err := os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	infra := g.Dirs[examplerepo.GuideInfrastructure]
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", infra, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("checkout", "-q", "-b", "sops-values", examplerepo.MainBranch)
	values := filepath.Join(infra, "clusters/us-east-1/prometheus/values-production.yaml")
	plain, err := os.ReadFile(values)
	if err != nil {
		t.Fatal(err)
	}
	plain = []byte(strings.Replace(string(plain), "retention: 30d", "retention: "+cliNewPassword, 1))
	enc, err := sopsfixture.Encrypt("yaml", plain, id.Recipient().String(), sopsfixture.Options{EncryptedRegex: "^retention$"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(values, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "prometheus: retention, encrypted")
	git("checkout", "-q", examplerepo.MainBranch)

	args := append([]string{"diff", "--revision", "main", "--changed", examplerepo.GuideURL(examplerepo.GuideInfrastructure),
		"--base", examplerepo.MainBranch, "--head", "sops-values"}, guideArgs(g)...)
	out, errOut, code := run(t, append(args, "--sops-age-key-file", keyFile)...)
	if code != 0 || !strings.Contains(out, "+  retention: ++++++++") {
		t.Errorf("diff --changed with the key: exit %d, want the new retention masked\n%s%s", code, out, errOut)
	}
	noPassword(t, "diff --changed", out+errOut)

	t.Setenv("SOPS_AGE_KEY_FILE", "")
	out, errOut, code = run(t, args...)
	if code != 2 || !strings.Contains(out+errOut, "decrypt SOPS file clusters/us-east-1/prometheus/values-production.yaml") {
		t.Errorf("diff --changed without a key: exit %d, want the apps' error naming the value file\n%s%s", code, out, errOut)
	}
	noPassword(t, "diff --changed without a key", out+errOut)
}
