package bot

import (
	"testing"

	"github.com/gitwave/gitwave/planner"
)

func TestDiffStatusTargetsTheOneAppOrTheFleet(t *testing.T) {
	one := &planner.Report{Apps: []planner.AppDiff{
		{App: planner.AppKey{App: "web", Cluster: "prod"}, Status: planner.AppChanged},
		{App: planner.AppKey{App: "db", Cluster: "prod"}, Status: planner.AppUnchanged},
	}}
	two := &planner.Report{Apps: append(one.Apps, planner.AppDiff{App: planner.AppKey{App: "api", Cluster: "eu"}, Status: planner.AppAdded})}
	cases := []struct {
		base string
		rep  *planner.Report
		want string
	}{
		{"", one, ""},
		{"https://gw.example/", one, "https://gw.example/app?app=web&cluster=prod&repo=acme%2Fgitops"},
		{"https://gw.example", two, "https://gw.example/"},
	}
	for _, tc := range cases {
		b := &Bot{opts: Options{StatusPageURL: tc.base}}
		if got := b.withDiffTarget(Status{Context: "gitwave/diff"}, "acme/gitops", tc.rep).TargetURL; got != tc.want {
			t.Errorf("base %q, %d apps: target_url %q, want %q", tc.base, len(tc.rep.Apps), got, tc.want)
		}
	}
	if (&Bot{}).statusLinks("acme/gitops") != nil {
		t.Error("links without an external URL")
	}
}
