package gitrepo

import (
	"slices"
	"testing"
)

func TestCommitsBetweenAndIsAncestor(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	base := up.commit("base")
	up.git("checkout", "--quiet", "-b", "feature")
	up.write(map[string]string{"a": "2\n"})
	one := up.commit("one")
	up.write(map[string]string{"b": "1\n"})
	two := up.commit("two")
	up.git("checkout", "--quiet", "main")
	up.write(map[string]string{"c": "1\n"})
	mainTip := up.commit("main moves on")
	up.git("checkout", "--quiet", "feature")
	up.git("merge", "--quiet", "--no-edit", "main")
	merged := up.git("rev-parse", "HEAD")
	repo := up.open(t)
	ctx := testContext(t)

	got, err := repo.CommitsBetween(ctx, base, merged, CommitsOptions{NoMerges: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{mainTip, two, one}; !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("CommitsBetween(base, merged) = %v; want the three non-merge commits %v", got, want)
	}
	if got, _ := repo.CommitsBetween(ctx, base, two, CommitsOptions{Limit: 1}); !slices.Equal(got, []string{two}) {
		t.Errorf("CommitsBetween(base, two, limit 1) = %v; want [%s]", got, two)
	}
	if got, _ := repo.CommitsBetween(ctx, base, merged, CommitsOptions{}); len(got) != 4 || got[0] != merged {
		t.Errorf("CommitsBetween(base, merged) with merges = %v; want 4 commits, the merge first", got)
	}
	for _, tt := range []struct {
		a, head string
		want    bool
	}{{base, merged, true}, {mainTip, merged, true}, {merged, merged, true}, {two, mainTip, false}, {merged, base, false}} {
		if got, err := repo.IsAncestor(ctx, tt.a, tt.head); err != nil || got != tt.want {
			t.Errorf("IsAncestor(%.7s, %.7s) = %v, %v; want %v", tt.a, tt.head, got, err, tt.want)
		}
	}
}
