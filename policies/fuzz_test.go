package policies

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse. Parse must never panic, every
// problem must name a line of the text (or the options, line 0), and a file
// with any error must deny every request, even to a subject holding the
// built-in role:admin as its default role and every name the text mentions.
// Run it with go test ./policies -run '^$' -fuzz FuzzParse.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, seed := range []string{
		"",
		"\ufeffp, role:a, paths, modify, **, allow\r\n",
		"p, role:a, paths, modify, [s]ecrets/**, deny\ng, alice, role:a\n",
		"p, role:a, *, *, *, allow\ng, role:a, role:a\n",
		"g, team, role:undefined\n",
		`p, "role:a", applications, get, "shop/{a,b}", allow`,
		"p, role:readonly, clusters, get, *, deny\n",
		"p,role:a,paths,modify,a/**/b/**/c?d*,allow\n#\n\n g , x , role:a",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, problems, err := Parse(strings.NewReader(text), "fuzz.csv", Options{DefaultRole: RoleAdmin})
		if err != nil {
			t.Fatalf("Parse of a string failed to read: %v", err)
		}
		lines := strings.Count(text, "\n") + 1
		for _, pr := range problems {
			if pr.Line < 0 || pr.Line > lines || pr.Message == "" {
				t.Fatalf("problem %v does not name a line of %d", pr, lines)
			}
		}
		broken := HasErrors(problems)
		if broken != (p.Err() != nil) {
			t.Fatalf("HasErrors = %v but Err() = %v", broken, p.Err())
		}
		names := p.GroupNames()
		for _, n := range names {
			if folded, ok := foldName(n); !ok || isRole(folded) {
				t.Fatalf("GroupNames() holds %q, which is a role or can never match", n)
			}
		}
		s := Subject{Login: "alice", Groups: append(names, "order-team", "role:a")}
		answers := []Decision{
			p.Can(s, "applications", "get", "shop/cart"),
			p.Can(s, "clusters", "sync", "production"),
			p.Can(s, "paths", "modify", "secrets/db.yaml"),
			p.Authorize(s, "sync", "cart", "shop", "production"),
		}
		v := p.CheckChange(s, []string{"a.yaml", "secrets/b.yaml"})
		for _, d := range answers {
			if broken && (d.Allowed || !strings.Contains(d.Reason, "no grants apply until it is fixed")) {
				t.Fatalf("a malformed file allowed or did not say why: %+v\n%v", d, problems)
			}
			if d.Reason == "" {
				t.Fatalf("a decision without a reason: %+v", d)
			}
		}
		if broken && (v.Allowed || len(v.Denied) != 2) {
			t.Fatalf("a malformed file allowed a change: %+v", v)
		}
	})
}
