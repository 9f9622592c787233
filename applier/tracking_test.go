package applier

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/gitwave/gitwave/planner"
)

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestAppLabelValue(t *testing.T) {
	long := strings.Repeat("payments-", 12)
	tests := []struct {
		app      string
		same     bool   // the value is the app name itself
		distinct string // another app that must get another value
	}{
		{app: "shop", same: true},
		{app: "shop-staging.eu", same: true},
		{app: long, distinct: long + "x"},
		{app: "team/shop", distinct: "team-shop"},
		{app: "-odd-", distinct: "odd"},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			v := AppLabelValue(tt.app)
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Fatalf("AppLabelValue(%q) = %q is not a label value: %v", tt.app, v, errs)
			}
			if (v == tt.app) != tt.same {
				t.Errorf("AppLabelValue(%q) = %q; want the name kept: %v", tt.app, v, tt.same)
			}
			if tt.distinct != "" && AppLabelValue(tt.distinct) == v {
				t.Errorf("apps %q and %q share label value %q", tt.app, tt.distinct, v)
			}
		})
	}
}

func TestOwnedBy(t *testing.T) {
	key := planner.ResourceKey{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"own", "shop:apps/Deployment:shop/api", true},
		{"other app", "billing:apps/Deployment:shop/api", false},
		{"copied from another object", "shop:apps/Deployment:shop/web", false},
		{"untracked", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := mustObject(t, `{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop}}`)
			if tt.id != "" {
				u.SetAnnotations(map[string]string{AnnotationTrackingID: tt.id})
			}
			if got := ownedBy(u, "shop"); got != tt.want {
				t.Errorf("ownedBy = %v, want %v", got, tt.want)
			}
		})
	}
	if got := TrackingID("shop", key); got != "shop:apps/Deployment:shop/api" {
		t.Errorf("TrackingID = %q", got)
	}
}

func TestHasOption(t *testing.T) {
	app := &planner.App{Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{SyncOptions: []string{"Replace=true", "CreateNamespace=true"}}}}
	tests := []struct {
		name string
		obj  []string
		opt  string
		want bool
	}{
		{"from app", nil, optReplace, true},
		{"object overrides app", []string{"Replace=false"}, optReplace, false},
		{"object only", []string{"Prune=false"}, optPruneFalse, true},
		{"case-insensitive", []string{"validate=False"}, optValidateFalse, true},
		{"absent", nil, optPruneLast, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &planner.Object{SyncOptions: tt.obj}
			if got := hasOption(app, o, tt.opt); got != tt.want {
				t.Errorf("hasOption(%v, %s) = %v, want %v", tt.obj, tt.opt, got, tt.want)
			}
		})
	}
}
