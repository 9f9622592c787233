package gitrepo

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveRevisionForms(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.txt": "one\n"})
	first := up.commit("first")
	up.git("tag", "v1")
	up.git("tag", "-a", "v1-annotated", "-m", "annotated")
	up.write(map[string]string{"a.txt": "two\n"})
	second := up.commit("second")
	up.git("update-ref", "refs/remotes/origin/main", first)
	repo := up.open(t)

	tests := []struct {
		rev  string
		want string
	}{
		{"main", second},
		{"HEAD", second},
		{"HEAD~1", first},
		{"main^", first},
		{"v1", first},
		{"v1-annotated", first},
		{second, second},
		{second[:7], second},
		{"origin/main", first},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			got, err := repo.Resolve(testContext(t), tt.rev)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.rev, err)
			}
			if got != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.rev, got, tt.want)
			}
		})
	}
}

func TestResolveMirrorOriginBranch(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.txt": "one\n"})
	main := up.commit("first")
	up.git("checkout", "--quiet", "-b", "feature")
	feature := up.commit("feature")
	up.git("checkout", "--quiet", "main")
	repo := openRepo(t, Options{Location: up.fileURL(), CacheDir: t.TempDir()})

	for rev, want := range map[string]string{"origin/main": main, "origin/feature": feature, "feature": feature, "HEAD": main} {
		got, err := repo.Resolve(testContext(t), rev)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", rev, err)
		}
		if got != want {
			t.Errorf("Resolve(%q) = %s, want %s", rev, got, want)
		}
	}
}

func TestResolveNotFound(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.txt": "one\n"})
	up.commit("first")
	local := up.open(t)
	mirror := openRepo(t, Options{Location: up.fileURL(), CacheDir: t.TempDir()})

	tests := []struct {
		name string
		repo *Repo
		rev  string
	}{
		{"local branch", local, "no-such-branch"},
		{"local sha", local, strings.Repeat("ab", 20)},
		{"mirror branch", mirror, "no-such-branch"},
		{"mirror sha", mirror, strings.Repeat("cd", 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.repo.Resolve(testContext(t), tt.rev)
			if !errors.Is(err, ErrRevisionNotFound) {
				t.Fatalf("Resolve(%q) error = %v, want ErrRevisionNotFound", tt.rev, err)
			}
			want := "revision " + tt.rev + " not found in " + tt.repo.String()
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
}

func TestResolveRejectsOptions(t *testing.T) {
	up := newTestRepo(t)
	up.commit("first")
	repo := up.open(t)
	for _, rev := range []string{"", "--all", "-h", "main\nother"} {
		if sha, err := repo.Resolve(testContext(t), rev); err == nil {
			t.Errorf("Resolve(%q) = %s, want an error", rev, sha)
		}
	}
}
