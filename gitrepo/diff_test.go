package gitrepo

import (
	"slices"
	"testing"
)

func TestChangedFiles(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{
		"apps/web/values.yaml": "replicas: 1\n",
		"apps/old/app.yaml":    "kind: Application\nname: old\n",
		"apps/gone.yaml":       "kind: Application\nname: gone\n",
		"README.md":            "# demo\n",
	})
	base := up.commit("base")
	up.git("checkout", "--quiet", "-b", "feature")
	up.git("mv", "apps/old", "apps/new")
	up.write(map[string]string{"apps/gone.yaml": "", "apps/web/values.yaml": "replicas: 2\n", "apps/db.yaml": "kind: Application\n"})
	up.commit("feature")
	up.git("checkout", "--quiet", "main")
	up.write(map[string]string{"README.md": "# demo, on main\n"})
	up.commit("main moves on")
	// A diff setting of the user's repository that git diff fails on
	// when it cannot read the file: the changed files must not depend on it.
	up.git("config", "diff.orderFile", "missing-order-file")
	repo := up.open(t)

	mergeBase, err := repo.MergeBase(testContext(t), "main", "feature")
	if err != nil {
		t.Fatal(err)
	}
	if mergeBase != base {
		t.Fatalf("MergeBase(main, feature) = %s, want %s", mergeBase, base)
	}
	featureOnly := []string{"apps/db.yaml", "apps/gone.yaml", "apps/new/app.yaml", "apps/old/app.yaml", "apps/web/values.yaml"}
	tests := []struct {
		name, base, head string
		want             []string
	}{
		{"from merge base", mergeBase, "feature", featureOnly},
		{"from main tip", "main", "feature", append(slices.Clone(featureOnly), "README.md")},
		{"same commit", "feature", "feature", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := repo.ChangedFiles(testContext(t), tt.base, tt.head)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("ChangedFiles(%s, %s) = %q, want %q", tt.base, tt.head, got, want)
			}
		})
	}
}

func TestMergeBaseUnrelatedHistories(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	up.commit("main")
	up.git("checkout", "--quiet", "--orphan", "other")
	up.commit("unrelated")
	if sha, err := up.open(t).MergeBase(testContext(t), "main", "other"); err == nil {
		t.Errorf("MergeBase of unrelated histories = %s, want an error", sha)
	}
}
