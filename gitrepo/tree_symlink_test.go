package gitrepo

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestTreeSymlinks(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{
		"base/values.yaml":        "shared: true\n",
		"apps/web/own.yaml":       "own: true\n",
		"apps/web/nested/x.yaml":  "x: 1\n",
		"apps/api/templates/a.tp": "a\n",
	})
	up.symlink("../../base/values.yaml", "apps/web/values.yaml")
	up.symlink("values.yaml", "apps/web/chain1.yaml")
	up.symlink("chain1.yaml", "apps/web/chain2.yaml")
	up.symlink("../web", "apps/api/web")
	up.symlink("nested/../own.yaml", "apps/web/dotdot.yaml")
	up.symlink("/etc/passwd", "apps/web/passwd")
	up.symlink("../../../outside", "apps/web/outside")
	up.symlink("../../..", "apps/web/up")
	up.symlink("loop-b", "apps/web/loop-a")
	up.symlink("loop-a", "apps/web/loop-b")
	up.commit("links")
	tree, err := up.open(t).Tree(testContext(t), "HEAD")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		want    string // content read, when the read succeeds
		outside string // the link named in an ErrOutsideRepo error
		errText string // part of any other error
	}{
		{name: "apps/web/values.yaml", want: "shared: true\n"},
		{name: "apps/web/chain2.yaml", want: "shared: true\n"},
		{name: "apps/api/web/own.yaml", want: "own: true\n"},
		{name: "apps/api/web/values.yaml", want: "shared: true\n"},
		{name: "apps/web/dotdot.yaml", want: "own: true\n"},
		{name: "apps/web/passwd", outside: "apps/web/passwd"},
		{name: "apps/web/outside", outside: "apps/web/outside"},
		{name: "apps/web/up/etc/passwd", outside: "apps/web/up"},
		{name: "apps/api/web/passwd", outside: "apps/web/passwd"},
		{name: "apps/web/loop-a", errText: "too many levels of symbolic links"},
		{name: "apps/web/missing.yaml", errText: "file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tree.ReadFile(tt.name)
			switch {
			case tt.outside != "":
				if !errors.Is(err, ErrOutsideRepo) {
					t.Fatalf("ReadFile(%s) = %q, %v; want ErrOutsideRepo", tt.name, got, err)
				}
				if !strings.Contains(err.Error(), "symlink "+tt.outside+" ") {
					t.Errorf("error %q does not name the link %s", err, tt.outside)
				}
			case tt.errText != "":
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("ReadFile(%s) error = %v, want one saying %q", tt.name, err, tt.errText)
				}
			case err != nil:
				t.Fatalf("ReadFile(%s): %v", tt.name, err)
			case string(got) != tt.want:
				t.Errorf("ReadFile(%s) = %q, want %q", tt.name, got, tt.want)
			}
			if _, statErr := tree.Stat(tt.name); (statErr == nil) != (err == nil) {
				t.Errorf("Stat(%s) error %v disagrees with ReadFile error %v", tt.name, statErr, err)
			}
		})
	}

	target, err := tree.ReadLink("apps/web/passwd")
	if err != nil || target != "/etc/passwd" {
		t.Errorf("ReadLink(apps/web/passwd) = %q, %v; want the stored target", target, err)
	}
	info, err := tree.Lstat("apps/web/passwd")
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(apps/web/passwd) = %v, %v; want a symlink", info, err)
	}
}
