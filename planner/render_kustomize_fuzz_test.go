package planner

import (
	"io/fs"
	"net/url"
	"strings"
	"testing"
)

// FuzzKustomizeReference checks the classification of Kustomize references:
// whatever is accepted as local resolves to an existing path inside the
// repository, and is handed to Kustomize in a spelling that carries no
// scheme, host, user or "git::" form, so that Kustomize cannot read it as
// a Git or HTTP address.
func FuzzKustomizeReference(f *testing.F) {
	for _, seed := range []string{
		"base", "./base", "../base", "../../x", "/etc/passwd", "deploy.yaml", "sub//c.yaml",
		"user@host:org/repo//dir", "git@github.com:org/repo.git", "GitHub.com/org/repo", "github.com/org/repo",
		"https://github.com/org/repo//base?timeout=90s&ref=main", "HTTPS://x/y.yaml", "https:/x/y.yaml",
		"deploy@example.com:org/repo.git?ref=--upload-pack=touch${IFS}/tmp/pwned", "GIT::https://h/r.git",
		"ssh://git@h/r.git", "file:///etc/repo.git", "out", "out/x", "base - ../x", ".", "..", "",
		"k/../k/base", "c:/windows", `C:\x`, "a?ref=v1", "user@host:org/repo/x.yaml",
	} {
		f.Add(seed)
	}
	repo := mapRepo(map[string]string{
		"k/kustomization.yaml":                     "resources: []\n",
		"k/deploy.yaml":                            "kind: ConfigMap\n",
		"k/base/kustomization.yaml":                "resources: []\n",
		"base/kustomization.yaml":                  "resources: []\n",
		"k/github.com/org/repo/kustomization.yaml": "resources: []\n",
		"k/GitHub.com/org/repo/kustomization.yaml": "resources: []\n",
		"k/https:/x/y.yaml":                        "kind: ConfigMap\n",
		"k/user@host:org/repo/x.yaml":              "kind: ConfigMap\n",
		"k/a?ref=v1":                               "kind: ConfigMap\n",
	})
	repo["k/out"] = symlink("../../outside")
	repo["k/in"] = symlink("base")
	sandbox := newKustomizeSandbox(newKustomizeFS(repo, map[string][]byte{}))
	f.Fuzz(func(t *testing.T, ref string) {
		kf := &kustFile{s: sandbox, path: "k/kustomization.yaml", dir: "k", data: []byte("resources:\n- " + ref + "\n")}
		out, resolved, _, err := kf.local("base", ref)
		if err != nil {
			return
		}
		if !fs.ValidPath(resolved) || resolved == ".." || strings.HasPrefix(resolved, "../") {
			t.Fatalf("%q accepted as %q, which is outside the repository", ref, resolved)
		}
		if _, err := fs.Stat(repo, resolved); err != nil {
			t.Fatalf("%q accepted as %q, which does not exist: %v", ref, resolved, err)
		}
		if !strings.HasPrefix(out, "./") && !strings.HasPrefix(out, "../") && out != "." && out != ".." {
			t.Fatalf("%q handed to Kustomize as %q, not led by ./ or ../", ref, out)
		}
		if u, err := url.Parse(out); err == nil && (u.Scheme != "" || u.Host != "" || u.User != nil) {
			t.Fatalf("%q handed to Kustomize as %q, which parses as a URL with scheme %q host %q", ref, out, u.Scheme, u.Host)
		}
		if strings.Contains(out, "://") || strings.Contains(out, "//") {
			t.Fatalf("%q handed to Kustomize as %q, which holds a //", ref, out)
		}
		if got, err := RepoPath("k", out); err != nil || got != mustRepoPath(t, ref) {
			t.Fatalf("%q handed to Kustomize as %q, which names %q, not %q (%v)", ref, out, got, mustRepoPath(t, ref), err)
		}
	})
}

func mustRepoPath(t *testing.T, ref string) string {
	p, err := RepoPath("k", ref)
	if err != nil {
		t.Fatalf("%q accepted although RepoPath refuses it: %v", ref, err)
	}
	return p
}
