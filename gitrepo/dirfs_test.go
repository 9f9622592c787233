package gitrepo

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
)

func TestDirFS(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{
		"apps/web/values.yaml": "replicas: 1\n",
		"base/shared.yaml":     "shared: true\n",
		"vendor/lib/.git":      "gitdir: ../../.git/modules/lib\n",
		"vendor/lib/x.yaml":    "x: 1\n",
	})
	up.symlink("../../base/shared.yaml", "apps/web/shared.yaml")
	w, err := DirFS(up.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := fstest.TestFS(w, "apps/web/values.yaml", "apps/web/shared.yaml", "base/shared.yaml", "vendor/lib/x.yaml"); err != nil {
		t.Error(err)
	}
	up.symlink("/etc/passwd", "apps/web/passwd")
	up.symlink("../../../outside", "apps/web/outside")

	tests := []struct {
		name    string
		want    string
		outside bool
		missing bool
	}{
		{name: "apps/web/values.yaml", want: "replicas: 1\n"},
		{name: "apps/web/shared.yaml", want: "shared: true\n"},
		{name: "apps/web/passwd", outside: true},
		{name: "apps/web/outside", outside: true},
		{name: ".git/config", missing: true},
		{name: "vendor/lib/.git", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.ReadFile(tt.name)
			switch {
			case tt.outside:
				if !errors.Is(err, ErrOutsideRepo) {
					t.Errorf("ReadFile(%s) = %q, %v; want ErrOutsideRepo", tt.name, got, err)
				}
			case tt.missing:
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("ReadFile(%s) = %q, %v; want ErrNotExist", tt.name, got, err)
				}
			case err != nil || string(got) != tt.want:
				t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		})
	}
	for dir, want := range map[string][]string{".": {"apps", "base", "vendor"}, "vendor/lib": {"x.yaml"}} {
		entries, err := w.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("ReadDir(%s) = %q, want %q", dir, got, want)
		}
	}
}

// TestDirFSHidesGitThroughSymlinks checks that a symlink into .git, to a
// file or to the directory itself, reads as missing: a pull request could
// otherwise commit "cfg.json -> ../.git/config" and have the git files
// generator read the clone's configuration.
func TestDirFSHidesGitThroughSymlinks(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"apps/web/values.yaml": "replicas: 1\n"})
	up.symlink("../.git/config", "apps/cfg.json")
	up.symlink("../.git", "apps/gitdir")
	up.symlink("gitdir", "apps/hop")
	w, err := DirFS(up.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, name := range []string{"apps/cfg.json", "apps/gitdir/config", "apps/hop/config", "apps/gitdir/HEAD"} {
		if data, err := w.ReadFile(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadFile(%s) = %q, %v; want ErrNotExist", name, data, err)
		}
		if _, err := fs.Stat(w, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s): %v; want ErrNotExist", name, err)
		}
		if f, err := w.Open(name); !errors.Is(err, fs.ErrNotExist) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%s): %v; want ErrNotExist", name, err)
		}
	}
	for _, dir := range []string{"apps/gitdir", "apps/hop"} {
		if entries, err := w.ReadDir(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadDir(%s) = %d entries, %v; want ErrNotExist", dir, len(entries), err)
		}
	}
	if info, err := w.Lstat("apps/cfg.json"); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(apps/cfg.json) = %v, %v; want the link itself", info, err)
	}
	if got, err := w.ReadFile("apps/web/values.yaml"); err != nil || string(got) != "replicas: 1\n" {
		t.Errorf("ReadFile(apps/web/values.yaml) = %q, %v", got, err)
	}
}
