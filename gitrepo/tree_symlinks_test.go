package gitrepo

import (
	"slices"
	"testing"
)

// TestTreeHasSymlinks checks that a tree reports a symlink once one is
// committed, and none before or after, each tree read in commit order and
// so derived from the one before (whose answer it may take over).
func TestTreeHasSymlinks(t *testing.T) {
	up, first, second := twoRevisions(t)
	up.symlink("web/values.yaml", "apps/values-link.yaml")
	third := up.commit("link")
	up.write(map[string]string{"apps/values-link.yaml": "", "apps/web/values.yaml": "replicas: 4\n"})
	fourth := up.commit("unlink")
	repo := up.open(t)
	for _, c := range []struct {
		rev  string
		want bool
	}{{first, false}, {second, false}, {third, true}, {fourth, false}} {
		tree, err := repo.Tree(testContext(t), c.rev)
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.HasSymlinks(); got != c.want {
			t.Errorf("HasSymlinks at %s = %v, want %v", c.rev, got, c.want)
		}
	}
}

// TestTreeDerivedFromNamesTheChange checks that a tree derived from a kept
// one names that tree's commit and the paths between them, and that a tree
// listed in full names none.
func TestTreeDerivedFromNamesTheChange(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a/x.yaml": "x: 1\n", "b/y.yaml": "y: 1\n"})
	c0 := up.commit("first")
	up.write(map[string]string{"a/x.yaml": "x: 2\n", "b/y.yaml": "", "c/z.yaml": "z: 1\n"})
	c1 := up.commit("edit, delete, add")
	repo := up.open(t)
	first, err := repo.Tree(testContext(t), c0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := first.DerivedFrom(); ok {
		t.Error("a tree listed in full says it was derived")
	}
	second, err := repo.Tree(testContext(t), c1)
	if err != nil {
		t.Fatal(err)
	}
	from, changed, ok := second.DerivedFrom()
	if !ok || from != c0 || !slices.Equal(changed, []string{"a/x.yaml", "b/y.yaml", "c/z.yaml"}) {
		t.Errorf("DerivedFrom = %s %v %v, want %s [a/x.yaml b/y.yaml c/z.yaml] true", from, changed, ok, c0)
	}
}
