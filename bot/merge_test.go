package bot_test

import (
	"context"
	"strings"
	"testing"
)

// TestMergeDeniedDeploysNothing merges pull request 1 when the policy of
// the default branch does not let it deploy: nothing is synced and the
// pull request says why.
func TestMergeDeniedDeploysNothing(t *testing.T) {
	tests := []struct {
		name, author, policyFile string
		want                     []string
	}{
		{"author lacks path grants", "bob", "", []string{"bob may not modify 9 of 11 changed files",
			"`kustomize/redis/overlays/production/kustomization.yaml` needs a `paths, modify` grant"}},
		{"malformed policy fails closed", "carol", "apps/payment-service/values.yaml", []string{
			"apps/payment-service/values.yaml is malformed at line", "no grants apply until it is fixed"}},
		{"missing policy fails closed", "carol", "policies/nope.csv", []string{"policy file policies/nope.csv", "cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{Author: tt.author})
			if tt.policyFile != "" {
				f.opts.Policy.File = tt.policyFile
				f.restart()
			}
			merge(t, f)
			got := f.lastReply()
			want := append([]string{"<!-- gitwave:deploy -->", "gitwave deployed nothing"}, tt.want...)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("merge comment lacks %q:\n%s", w, got)
				}
			}
			h, err := f.store.History(context.Background(), "payment-service-staging", "", 0)
			if err != nil || len(h) != 0 {
				t.Errorf("syncs recorded = %d, %v; want none", len(h), err)
			}
		})
	}
}
