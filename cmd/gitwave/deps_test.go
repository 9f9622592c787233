package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies checks what the binary and the applier link: casbin is
// only the policies tests' oracle, and applier reaches the store through its
// Recorder port, never by importing it.
func TestDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	for _, tc := range []struct {
		pkg, forbidden, why string
	}{
		{".", "github.com/casbin/", "casbin is a test oracle of policies, not part of gitwave"},
		{"github.com/gitwave/gitwave/applier", "github.com/gitwave/gitwave/store", "applier reaches the store through its Recorder port"},
	} {
		out, err := exec.Command(goBin, "list", "-deps", tc.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tc.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == tc.forbidden || strings.HasPrefix(dep, strings.TrimSuffix(tc.forbidden, "/")+"/") {
				t.Errorf("%s depends on %s: %s", tc.pkg, dep, tc.why)
			}
		}
	}
}
