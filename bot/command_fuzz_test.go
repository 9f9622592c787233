package bot

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParseCommand feeds ParseComment any comment body. It must never
// panic; a command it returns has a known verb and arguments within
// bounds; it replies only to a comment whose first word is a gitwave
// command; and its reply quotes no argument that could end a code span.
func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{
		"/diff", "/help", "/history payment", "/sync", "/SYNC a b",
		"  /sync   payment-service   --cluster  staging  \nthanks!",
		"/sync --cluster=staging", "/rollback payment --steps 2",
		"/rollback payment --to abc123 --cluster prod", "/rollback a --to r --steps 3",
		"/rollback a --steps 99999999999999999999", "/sync --cluster=", "/sync --cluster --to",
		"/sync a\x00b", "/sync `a`", "/sync --`@here`", "/approve", "LGTM", "", "/",
		"please run\n/sync", "/sync " + strings.Repeat("a ", 60),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p := ParseComment(body)
		first := strings.Fields(strings.SplitN(strings.TrimSpace(body), "\n", 2)[0])
		isCommand := len(first) > 0 && knownVerb(Verb(strings.ToLower(strings.TrimPrefix(first[0], "/")))) &&
			strings.HasPrefix(first[0], "/")
		if !isCommand && (p.Command != nil || p.Reply != "") {
			t.Fatalf("%q is no gitwave command, yet ParseComment = %+v", body, p)
		}
		if p.Command != nil && p.Reply != "" {
			t.Fatalf("%q: both a command and a reply: %+v", body, p)
		}
		if p.Reply != "" && !strings.Contains(p.Reply, Usage()) {
			t.Fatalf("%q: reply without the usage: %q", body, p.Reply)
		}
		if p.Command != nil {
			checkCommand(t, body, p.Command)
		}
	})
}

func knownVerb(v Verb) bool {
	switch v {
	case VerbDiff, VerbSync, VerbRollback, VerbHistory, VerbHelp:
		return true
	}
	return false
}

// checkCommand fails t unless c is within the parser's bounds.
func checkCommand(t *testing.T, body string, c *Command) {
	t.Helper()
	if !knownVerb(c.Verb) {
		t.Fatalf("%q: unknown verb %q", body, c.Verb)
	}
	if c.Steps < 1 || c.Steps > maxSteps {
		t.Fatalf("%q: steps %d out of [1, %d]", body, c.Steps, maxSteps)
	}
	if c.Steps != 1 && c.To != "" {
		t.Fatalf("%q: both --to and --steps", body)
	}
	wantApps := map[Verb][2]int{VerbDiff: {0, 0}, VerbHelp: {0, 0}, VerbRollback: {1, 1}, VerbHistory: {1, 1}, VerbSync: {0, maxApps}}[c.Verb]
	if len(c.Apps) < wantApps[0] || len(c.Apps) > wantApps[1] {
		t.Fatalf("%q: /%s with %d apps, want %d to %d", body, c.Verb, len(c.Apps), wantApps[0], wantApps[1])
	}
	for _, a := range c.Apps {
		checkWord(t, body, "app", a, false)
	}
	checkWord(t, body, "cluster", c.Cluster, true)
	checkWord(t, body, "revision", c.To, true)
	if c.Verb != VerbRollback && (c.To != "" || c.Steps != 1) {
		t.Fatalf("%q: /%s with rollback flags", body, c.Verb)
	}
}

func checkWord(t *testing.T, body, what, w string, optional bool) {
	t.Helper()
	if w == "" && optional {
		return
	}
	if w == "" || len(w) > maxArgLen || strings.HasPrefix(w, "-") || strings.ContainsRune(w, '`') ||
		strings.IndexFunc(w, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		t.Fatalf("%q: %s %q is empty, too long, a flag, or holds a backquote, space or unprintable character", body, what, w)
	}
}
