package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

// twoRevisions makes a repository whose app values change between two
// commits and returns it with both SHAs.
func twoRevisions(t *testing.T) (*testRepo, string, string) {
	up := newTestRepo(t)
	up.write(map[string]string{
		"apps/web/values.yaml":     "replicas: 1\n",
		"apps/web/Chart.yaml":      "name: web\n",
		"apps/api/kustomization.y": "resources: []\n",
		"README.md":                "# demo\n",
	})
	first := up.commit("first")
	up.write(map[string]string{
		"apps/web/values.yaml": "replicas: 3\n",
		"apps/db/values.yaml":  "size: 10Gi\n",
	})
	second := up.commit("second")
	return up, first, second
}

func TestTreeReadsEachRevision(t *testing.T) {
	up, first, second := twoRevisions(t)
	repo := up.open(t)
	tests := []struct {
		rev, name, want string
	}{
		{first, "apps/web/values.yaml", "replicas: 1\n"},
		{second, "apps/web/values.yaml", "replicas: 3\n"},
		{"HEAD~1", "README.md", "# demo\n"},
		{"main", "apps/db/values.yaml", "size: 10Gi\n"},
	}
	for _, tt := range tests {
		t.Run(tt.rev+"/"+tt.name, func(t *testing.T) {
			tree, err := repo.Tree(testContext(t), tt.rev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tree.ReadFile(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ReadFile(%s) at %s = %q, want %q", tt.name, tt.rev, got, tt.want)
			}
		})
	}
	old, err := repo.Tree(testContext(t), first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ReadFile("apps/db/values.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file added later read at %s: err = %v, want ErrNotExist", first, err)
	}
	if old.Commit() != first {
		t.Errorf("Commit() = %s, want %s", old.Commit(), first)
	}
}

func TestTreeReadDir(t *testing.T) {
	up, _, second := twoRevisions(t)
	up.write(map[string]string{"bin/run.sh": "#!/bin/sh\n"})
	if err := os.Chmod(filepath.Join(up.dir, "bin/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	up.symlink("../README.md", "apps/readme")
	up.commit("tools")
	up.git("update-index", "--add", "--cacheinfo", "160000,"+second+",vendor/lib")
	up.git("commit", "--quiet", "-m", "submodule")
	tree, err := up.open(t).Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		dir  string
		want []string // name and type
	}{
		{".", []string{"README.md ----------", "apps d---------", "bin d---------", "vendor d---------"}},
		{"apps", []string{"api d---------", "db d---------", "readme L---------", "web d---------"}},
		{"apps/web", []string{"Chart.yaml ----------", "values.yaml ----------"}},
		{"vendor/lib", nil},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			entries, err := tree.ReadDir(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name()+" "+e.Type().String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ReadDir(%s) = %q, want %q", tt.dir, got, tt.want)
			}
		})
	}
	info, err := tree.Stat("bin/run.sh")
	if err != nil || info.Mode() != 0o755 || info.Size() != int64(len("#!/bin/sh\n")) {
		t.Errorf("Stat(bin/run.sh) = %v, %v; want mode 0755 and size 10", info, err)
	}
	if _, err := tree.ReadDir("README.md"); err == nil {
		t.Error("ReadDir of a file succeeded")
	}
	if _, err := tree.ReadFile("apps"); err == nil {
		t.Error("ReadFile of a directory succeeded")
	}
}

func TestTreeIsAValidFS(t *testing.T) {
	up, _, _ := twoRevisions(t)
	up.symlink("web/values.yaml", "apps/current")
	up.symlink("apps/web", "web")
	up.commit("links")
	tree, err := up.open(t).Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(tree, "README.md", "apps/web/values.yaml", "apps/db/values.yaml", "apps/current"); err != nil {
		t.Fatal(err)
	}
	if got, err := tree.ReadFile("web/Chart.yaml"); err != nil || string(got) != "name: web\n" {
		t.Errorf("ReadFile through a directory symlink = %q, %v", got, err)
	}
}
