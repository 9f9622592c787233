package policies

import "testing"

func TestObjectPatterns(t *testing.T) {
	cases := []struct {
		res     resource
		pattern string
		object  string
		want    bool
	}{
		{resourcePaths, "apps/**", "apps", true},
		{resourcePaths, "apps/**", "apps/a", true},
		{resourcePaths, "apps/**", "apps/a/b/c", true},
		{resourcePaths, "apps/**", "appsx/a", false},
		{resourcePaths, "apps/*", "apps/a", true},
		{resourcePaths, "apps/*", "apps/a/b", false},
		{resourcePaths, "apps/*", "apps", false},
		{resourcePaths, "**/values.yaml", "values.yaml", true},
		{resourcePaths, "**/values.yaml", "a/b/values.yaml", true},
		{resourcePaths, "**/values.yaml", "a/b/values.yml", false},
		{resourcePaths, "a/**/b/**/c", "a/b/c", true},
		{resourcePaths, "a/**/b/**/c", "a/x/b/y/z/c", true},
		{resourcePaths, "a/**/b/**/c", "a/x/y/z/c", false},
		{resourcePaths, "a/**/b", "a/b/b/b", true},
		{resourcePaths, "*/*.yaml", "x/y.yaml", true},
		{resourcePaths, "*/*.yaml", "x/y/z.yaml", false},
		{resourcePaths, "*.md", ".md", true},
		{resourcePaths, "a/?.txt", "a/é.txt", true},
		{resourcePaths, "a/?.txt", "a/ab.txt", false},
		{resourcePaths, "a/*b*c", "a/xbyczc", true},
		{resourcePaths, "a/*b*c", "a/xbycz", false},
		{resourcePaths, "a/[x].tsx", "a/[x].tsx", true},
		{resourcePaths, "a/[x].tsx", "a/x.tsx", false},
		{resourcePaths, "*", "a/b/c", true},
		{resourceApplications, "shop/*", "shop/cart", true},
		{resourceApplications, "shop/*", "shop/ns/cart", true},
		{resourceApplications, "shop/*", "shopx/cart", false},
		{resourceApplications, "*/cart", "shop/cart", true},
		{resourceApplications, "shop/c?rt", "shop/cart", true},
		{resourceApplications, "shop/cart", "shop/Cart", false},
		{resourceClusters, "prod-*", "prod-eu", true},
		{resourceClusters, "prod-*", "prod", false},
		{resourceClusters, "*-eu-*", "prod-eu-1", true},
		{resourceClusters, "*-eu-*", "prod-us-1", false},
	}
	for _, tc := range cases {
		op := compileObject(tc.res, tc.pattern)
		if got := op.match(tc.object); got != tc.want {
			t.Errorf("%s pattern %q on %q = %v, want %v", tc.res, tc.pattern, tc.object, got, tc.want)
		}
	}
}

// TestGlobIsLinear checks that a pattern built to make a backtracking matcher
// explode is answered at once.
func TestGlobIsLinear(t *testing.T) {
	long := make([]byte, 0, 4096)
	for len(long) < 4000 {
		long = append(long, "a/"...)
	}
	path := string(long) + "b"
	op := compileObject(resourcePaths, "**/a/**/a/**/a/**/a/**/a/**/c")
	if op.match(path) {
		t.Fatal("matched a path without c")
	}
	flat := compileObject(resourceClusters, "*a*a*a*a*a*a*a*a*c")
	if flat.match(string(long)) {
		t.Fatal("matched a name without c")
	}
}
