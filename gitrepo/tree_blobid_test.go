package gitrepo

import "testing"

// TestTreeBlobID checks that a file unchanged between two commits has one
// id at both, that an edited file gets a new one, that a symlink gives its
// target's id, and that a directory or a missing path has none.
func TestTreeBlobID(t *testing.T) {
	up, first, _ := twoRevisions(t)
	up.symlink("web/values.yaml", "apps/values-link.yaml")
	third := up.commit("link")
	repo := up.open(t)
	id := func(rev, name string) string {
		t.Helper()
		tree, err := repo.Tree(testContext(t), rev)
		if err != nil {
			t.Fatal(err)
		}
		oid, ok := tree.BlobID(name)
		if !ok {
			t.Fatalf("BlobID(%s) at %s: no id", name, rev)
		}
		return oid
	}
	if a, b := id(first, "README.md"), id(third, "README.md"); a != b {
		t.Errorf("unchanged README.md: ids %s and %s, want one", a, b)
	}
	if a, b := id(first, "apps/web/values.yaml"), id(third, "apps/web/values.yaml"); a == b {
		t.Errorf("edited apps/web/values.yaml kept id %s", a)
	}
	if a, b := id(third, "apps/values-link.yaml"), id(third, "apps/web/values.yaml"); a != b {
		t.Errorf("symlink id %s, want its target's %s", a, b)
	}
	tree, err := repo.Tree(testContext(t), third)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"apps", "apps/missing.yaml", "../x"} {
		if oid, ok := tree.BlobID(name); ok {
			t.Errorf("BlobID(%s) = %s, want none", name, oid)
		}
	}
}
