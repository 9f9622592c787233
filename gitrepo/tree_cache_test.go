package gitrepo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestTreeDerivedFromAnotherIsTheListedTree lists a commit's tree, then
// another commit's, which the Repo derives from the first with the paths
// that differ: it must equal the tree listed in full, for edits, deletions
// that empty directories, new directories, a file replaced by a
// directory, a symlink, a mode change, no change, going back, and a rename,
// whatever the repository's diff settings.
func TestTreeDerivedFromAnotherIsTheListedTree(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{
		"a/x.yaml": "x: 1\n", "a/y.yaml": "y: 1\n", "b/c/d.yaml": "d: 1\n", "README.md": "# r\n",
	})
	c0 := up.commit("first")
	up.write(map[string]string{"a/x.yaml": "x: 2\n", "b/c/d.yaml": "", "e/f/g.yaml": "g: 1\n"})
	c1 := up.commit("edit, delete, add")
	up.write(map[string]string{"a/y.yaml": ""})
	up.write(map[string]string{"a/y.yaml/z.yaml": "z: 1\n"})
	up.symlink("a/x.yaml", "link.yaml")
	if err := os.Chmod(filepath.Join(up.dir, "README.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	c2 := up.commit("file to directory, symlink, mode")
	c3 := up.commit("empty")
	up.write(map[string]string{"e/f/g.yaml": "", "moved/g.yaml": "g: 1\n"})
	c4 := up.commit("rename")
	// Settings a user's repository may hold that change what git diff
	// prints: the derived tree must not depend on them.
	for _, kv := range [][2]string{{"diff.renames", "copies"}, {"color.ui", "always"}, {"core.abbrev", "7"},
		{"diff.ignoreSubmodules", "all"}, {"diff.noprefix", "true"}, {"diff.orderFile", "missing-order-file"}} {
		up.git("config", kv[0], kv[1])
	}
	steps := [][2]string{{c0, c1}, {c1, c2}, {c2, c3}, {c3, c0}, {c0, c2}, {c3, c4}}
	for _, s := range steps {
		from, to := s[0], s[1]
		derivedRepo, listedRepo := up.open(t), up.open(t)
		if _, err := derivedRepo.Tree(testContext(t), from); err != nil {
			t.Fatal(err)
		}
		derived, err := derivedRepo.Tree(testContext(t), to)
		if err != nil {
			t.Fatal(err)
		}
		if n := derivedRepo.trees.listed.Load(); n != 1 {
			t.Errorf("%s..%s: %d trees listed in full, want 1 (the second derived)", from[:7], to[:7], n)
		}
		listed, err := listedRepo.Tree(testContext(t), to)
		if err != nil {
			t.Fatal(err)
		}
		sameTree(t, from[:7]+".."+to[:7], derived, listed)
		if again, _ := derivedRepo.Tree(testContext(t), to); again != derived {
			t.Errorf("%s: a kept tree was not reused", to[:7])
		}
	}
}

func sameTree(t *testing.T, name string, got, want *Tree) {
	t.Helper()
	if got.commit != want.commit {
		t.Errorf("%s: commit %s, want %s", name, got.commit, want.commit)
	}
	if len(got.entries) != len(want.entries) {
		t.Errorf("%s: %d entries, want %d", name, len(got.entries), len(want.entries))
	}
	for p, w := range want.entries {
		if g, ok := got.entries[p]; !ok || *g != *w {
			t.Errorf("%s: entry %s = %+v, want %+v", name, p, g, w)
		}
	}
	if len(got.children) != len(want.children) {
		t.Errorf("%s: %d directories, want %d", name, len(got.children), len(want.children))
	}
	for dir, w := range want.children {
		if g, ok := got.children[dir]; !ok || !slices.Equal(g, w) {
			t.Errorf("%s: children of %s = %v, want %v", name, dir, g, w)
		}
	}
	data, err := got.ReadFile("link.yaml")
	wantData, wantErr := want.ReadFile("link.yaml")
	if string(data) != string(wantData) || (err == nil) != (wantErr == nil) {
		t.Errorf("%s: link.yaml reads %q (%v), want %q (%v)", name, data, err, wantData, wantErr)
	}
}
