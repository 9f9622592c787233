package gitrepo

import (
	"slices"
	"testing"
)

func TestCommitInfo(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	root := up.commit("root")
	up.git("checkout", "--quiet", "-b", "side")
	up.write(map[string]string{"b": "2\n"})
	side := up.commit("side")
	up.git("checkout", "--quiet", "main")
	up.write(map[string]string{"c": "3\n"})
	mainTip := up.commit("main")
	up.git("merge", "--quiet", "--no-ff", "-m", "Merge side\n\nBody line.", "side")
	merge := up.git("rev-parse", "HEAD")
	repo := up.open(t)

	tests := []struct {
		rev     string
		sha     string
		message string
		parents []string
	}{
		{"HEAD", merge, "Merge side\n\nBody line.", []string{mainTip, side}},
		{root[:10], root, "root", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			c, err := repo.Commit(testContext(t), tt.rev)
			if err != nil {
				t.Fatal(err)
			}
			if c.SHA != tt.sha || c.Message != tt.message || !slices.Equal(c.Parents, tt.parents) {
				t.Errorf("Commit(%s) = %+v, want sha %s, message %q, parents %v", tt.rev, c, tt.sha, tt.message, tt.parents)
			}
			if c.Author != "Ada Author <ada@example.com>" {
				t.Errorf("Commit(%s).Author = %q, want the author from the environment", tt.rev, c.Author)
			}
			if c.AuthorTime.IsZero() {
				t.Errorf("Commit(%s).AuthorTime is zero", tt.rev)
			}
		})
	}
}
