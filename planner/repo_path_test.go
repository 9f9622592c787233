package planner

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRepoPath(t *testing.T) {
	tests := []struct {
		base, rel string
		want      string
		wantErr   string
	}{
		{"apps/payment", "values.yaml", "apps/payment/values.yaml", ""},
		{"apps/payment", "../../charts/web", "charts/web", ""},
		{"apps/payment", "./a/../b.yaml", "apps/payment/b.yaml", ""},
		{".", "", ".", ""},
		{"apps", "..", ".", ""},
		{"apps/payment", "../../../etc/passwd", "", "escapes the repository"},
		{"apps/payment", "../../..", "", "escapes the repository"},
		{"apps/payment", "/etc/passwd", "", "absolute"},
		{"apps/payment", "C:/secrets.yaml", "", "absolute"},
	}
	for _, tt := range tests {
		got, err := RepoPath(tt.base, tt.rel)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.rel) {
				t.Errorf("RepoPath(%q, %q) = %q, %v; want an error naming %q saying %q", tt.base, tt.rel, got, err, tt.rel, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("RepoPath(%q, %q) = %q, %v; want %q", tt.base, tt.rel, got, err, tt.want)
		}
	}
}

func TestResolveRepoPath(t *testing.T) {
	repo := fstest.MapFS{
		"charts/web/values.yaml": &fstest.MapFile{Data: []byte("a: 1")},
		"apps/web":               symlink("../charts/web"),
		"apps/chain":             symlink("web"),
		"apps/out":               symlink("../../etc"),
		"apps/abs":               symlink("/etc"),
		"apps/loop":              symlink("loop"),
	}
	tests := []struct {
		path, want, wantErr string
	}{
		{"charts/web/values.yaml", "charts/web/values.yaml", ""},
		{"apps/web/values.yaml", "charts/web/values.yaml", ""},
		{"apps/chain/values.yaml", "charts/web/values.yaml", ""},
		{"apps/missing/x.yaml", "apps/missing/x.yaml", ""},
		{"apps/out/passwd", "", "apps/out -> ../../etc leaves the repository"},
		{"apps/abs/passwd", "", "apps/abs -> /etc leaves the repository"},
		{"apps/loop/x", "", "too many symbolic links"},
	}
	for _, tt := range tests {
		got, err := ResolveRepoPath(repo, tt.path)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ResolveRepoPath(%q) = %q, %v; want error %q", tt.path, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolveRepoPath(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}
