package bot

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseComment(t *testing.T) {
	cases := []struct {
		body  string
		want  *Command
		reply string // part of the usage reply; "" when none
	}{
		{"/diff", &Command{Verb: VerbDiff, Steps: 1}, ""},
		{"  /sync   payment-service   --cluster  staging  \nthanks!", &Command{Verb: VerbSync, Apps: []string{"payment-service"}, Cluster: "staging", Steps: 1}, ""},
		{"/sync --cluster=staging", &Command{Verb: VerbSync, Cluster: "staging", Steps: 1}, ""},
		{"/SYNC a b", &Command{Verb: VerbSync, Apps: []string{"a", "b"}, Steps: 1}, ""},
		{"/rollback payment --steps 2", &Command{Verb: VerbRollback, Apps: []string{"payment"}, Steps: 2}, ""},
		{"/rollback payment --to abc123 --cluster prod", &Command{Verb: VerbRollback, Apps: []string{"payment"}, To: "abc123", Cluster: "prod", Steps: 1}, ""},
		{"/history payment", &Command{Verb: VerbHistory, Apps: []string{"payment"}, Steps: 1}, ""},
		{"/help", &Command{Verb: VerbHelp, Steps: 1}, ""},
		{"/status", &Command{Verb: VerbStatus, Steps: 1}, ""},
		{"/status payment --cluster prod", &Command{Verb: VerbStatus, Apps: []string{"payment"}, Cluster: "prod", Steps: 1}, ""},
		{"/status a b", nil, "at most one app"},
		{"/terminate payment --cluster prod", &Command{Verb: VerbTerminate, Apps: []string{"payment"}, Cluster: "prod", Steps: 1}, ""},
		{"/terminate", nil, "exactly one app"},
		{"/terminate a b", nil, "exactly one app"},
		{"/terminate a --to x", nil, "unknown flag --to for /terminate"},
		{"LGTM, ship it", nil, ""},
		{"please run\n/sync", nil, ""},
		{"/approve", nil, ""},
		{"", nil, ""},
		{"/sync --force", nil, "unknown flag --force for /sync"},
		{"/rollback", nil, "exactly one app"},
		{"/rollback a b", nil, "exactly one app"},
		{"/rollback a --steps 0", nil, "positive number"},
		{"/rollback a --steps x", nil, "positive number"},
		{"/rollback a --to r --steps 3", nil, "not both"},
		{"/diff payment", nil, "takes no arguments"},
		{"/history", nil, "exactly one app"},
		{"/sync --cluster", nil, "needs a value"},
		{"/diff --to x", nil, "unknown flag --to for /diff"},
	}
	for _, tc := range cases {
		got := ParseComment(tc.body)
		if !reflect.DeepEqual(got.Command, tc.want) {
			t.Errorf("%q: command %+v, want %+v", tc.body, got.Command, tc.want)
		}
		switch {
		case tc.reply == "" && got.Reply != "":
			t.Errorf("%q: unexpected reply %q", tc.body, got.Reply)
		case tc.reply != "" && (!strings.Contains(got.Reply, tc.reply) || !strings.Contains(got.Reply, "/rollback APP")):
			t.Errorf("%q: reply %q, want it to contain %q and the usage", tc.body, got.Reply, tc.reply)
		}
	}
}
