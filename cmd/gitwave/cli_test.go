package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitwave/gitwave/hack/examplerepo"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// run runs `gitwave ARGS...` in process as main does and returns stdout,
// stderr plus the error main would print, and the exit status.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWith(t, options{}, args...)
}

// runWith is run with the command tree built with opts.
func runWith(t *testing.T, opts options, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := newRootCmd(opts)
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), exitCode(err)
}

var (
	exampleOnce sync.Once
	exampleRepo *examplerepo.Repo
	exampleErr  error
)

// example builds the bundled example repository once per test binary.
func example(t *testing.T) *examplerepo.Repo {
	t.Helper()
	exampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gitwave-example-")
		if err != nil {
			exampleErr = err
			return
		}
		exampleRepo, exampleErr = examplerepo.Build(dir, examplerepo.Options{})
	})
	if exampleErr != nil {
		t.Fatal(exampleErr)
	}
	return exampleRepo
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended):\n%s", p, got)
	}
}

func TestCLIGolden(t *testing.T) {
	r := example(t)
	cases := []struct {
		golden string
		args   []string
		code   int
	}{
		{"apps.txt", []string{"apps", "--repo", r.Dir, "--revision", "main"}, 0},
		{"apps.json", []string{"apps", "--repo", r.Dir, "--revision", "pr/1", "-o", "json"}, 0},
		{"apps-changed.txt", []string{"apps", "--repo", r.Dir, "--revision", "pr/1", "--base", "main"}, 0},
		{"render-payment-staging.yaml", []string{"render", "payment-service-staging", "--repo", r.Dir, "--revision", "pr/1"}, 0},
		{"diff.md", []string{"diff", "--repo", r.Dir, "--base", "main", "--head", "pr/1", "-o", "markdown", "--exit-code"}, 1},
		{"diff.json", []string{"diff", "--repo", r.Dir, "--base", "main", "--head", "pr/1", "-o", "json"}, 0},
		{"validate.txt", []string{"validate", "--repo", r.Dir, "--revision", "pr/1"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errOut)
			}
			for _, leak := range []string{"s3cr3t", "hunter2", "bearerToken", "<service-account-token>"} {
				if strings.Contains(out, leak) {
					t.Errorf("output shows secret material %q", leak)
				}
			}
			golden(t, tc.golden, out)
		})
	}
}

func TestDiffWorkingTreeAgainstBase(t *testing.T) {
	r := example(t)
	out, errOut, code := run(t, "diff", "--repo", r.Dir, "--base", "main", "--exit-code")
	if code != 0 || !strings.Contains(out, "no app is affected") {
		t.Errorf("a clean working tree on main differs from main: exit %d\n%s%s", code, out, errOut)
	}
}
