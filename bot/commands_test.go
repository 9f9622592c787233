package bot_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCommands runs slash commands that need no cluster on pull request 1,
// by carol (who may change every path) and diffed: each is acknowledged
// with a reaction and answered in the thread.
func TestCommands(t *testing.T) {
	tests := []struct {
		name, author, body string
		want               []string
		notWant            []string
	}{
		{
			name: "unauthorized sync is denied with the policy's explanation", author: "alice",
			body: "/sync payment-service-staging",
			want: []string{"> `/sync payment-service-staging`", "@alice", "No app was synced.",
				"alice may not sync application `applications/payment-service-staging` on cluster `staging`",
				"no `applications, sync` grant matches", "ask role:dev-team-payment"},
			notWant: []string{":white_check_mark:"},
		},
		{
			name: "order team may not sync production", author: "alice",
			body: "/sync order-service-production-use1",
			want: []string{"denied to role:dev-team-order", "a deny wins over any grant"},
		},
		{
			name: "help", author: "bob", body: "/help",
			want: []string{"@bob", "`/rollback APP [--to REV \\| --steps N] [--cluster NAME]`"},
		},
		{
			name: "unknown flag gets the usage", author: "bob", body: "/sync   payment-service-staging --force\nplease",
			want: []string{"unknown flag --force for /sync", "| `/help` |"},
		},
		{
			name: "history of an app never synced", author: "bob", body: "/history payment-service-staging",
			want: []string{"history of `payment-service-staging`", "No sync recorded."},
		},
		{
			name: "sync of an app that does not exist", author: "carol", body: "/sync nope",
			want: []string{":warning: no app `nope`"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{Author: "carol"})
			f.opened(http.StatusAccepted)
			f.run()
			id := f.comment(tt.author, tt.body)
			if n := f.run(); n != 1 {
				t.Fatalf("jobs run = %d; want 1", n)
			}
			if r := f.gh.Reactions(id); len(r) != 1 || r[0].Content != "eyes" {
				t.Errorf("reactions on the command = %+v; want eyes", r)
			}
			got := f.lastReply()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("answer lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("answer has %q:\n%s", w, got)
				}
			}
		})
	}
}
