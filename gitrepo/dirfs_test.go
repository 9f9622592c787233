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
