package gitrepo

import "testing"

// TestTreeHasSymlinks checks that a tree reports a symlink once one is
// committed, and none before.
func TestTreeHasSymlinks(t *testing.T) {
	up, first, _ := twoRevisions(t)
	up.symlink("web/values.yaml", "apps/values-link.yaml")
	third := up.commit("link")
	repo := up.open(t)
	for rev, want := range map[string]bool{first: false, third: true} {
		tree, err := repo.Tree(testContext(t), rev)
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.HasSymlinks(); got != want {
			t.Errorf("HasSymlinks at %s = %v, want %v", rev, got, want)
		}
	}
}
