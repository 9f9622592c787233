package policies

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestMalformedLines checks that each kind of malformed line is reported on
// its own line number and breaks the policy.
func TestMalformedLines(t *testing.T) {
	const good = "p, role:ok, applications, get, shop/*, allow\n"
	cases := []struct {
		name, line, want string
	}{
		{"too few p fields", "p, role:ok, applications, get, shop/*", "this one has 5"},
		{"too many p fields", "p, role:ok, applications, get, shop/*, allow, x", "this one has 7"},
		{"too few g fields", "g, alice", "a g line has 3 fields"},
		{"unknown line type", "x, role:ok, applications, get, shop/*, allow", `unknown line type "x"`},
		{"unknown resource", "p, role:ok, apps, get, shop/*, allow", `unknown resource "apps"`},
		{"unknown action", "p, role:ok, applications, deploy, shop/*, allow", `unknown action "deploy"`},
		{"action glob", "p, role:ok, applications, s*, shop/*, allow", `unknown action "s*"`},
		{"modify on clusters", "p, role:ok, clusters, modify, *, allow", "modify applies to paths only"},
		{"get on paths", "p, role:ok, paths, get, docs/**, allow", "paths take only the modify action"},
		{"unknown effect", "p, role:ok, applications, get, shop/*, permit", `unknown effect "permit"`},
		{"effect in capitals", "p, role:ok, applications, get, shop/*, DENY", `unknown effect "DENY"`},
		{"absolute path", "p, role:ok, paths, modify, /apps/**, allow", `starts with "/"`},
		{"dot-dot path", "p, role:ok, paths, modify, apps/../x, allow", `".."`},
		{"dot path", "p, role:ok, paths, modify, ./apps/x, allow", `"."`},
		{"empty folder", "p, role:ok, paths, modify, apps//x, allow", "empty folder"},
		{"trailing slash", "p, role:ok, paths, modify, apps/, allow", "empty folder"},
		{"triple star", "p, role:ok, paths, modify, apps/***, allow", `"***"`},
		{"double star in name", "p, role:ok, paths, modify, apps/x**, allow", "** must be a whole folder"},
		{"backslash", `p, role:ok, paths, modify, apps\x, allow`, `"\"`},
		{"app without project", "p, role:ok, applications, get, cart, allow", "project/app"},
		{"app empty project", "p, role:ok, applications, get, /cart, allow", "empty project or app"},
		{"app alternatives", `p, role:ok, applications, get, "shop/{a,b}", allow`, "[...] or {...}"},
		{"cluster class", "p, role:ok, clusters, get, prod-[12], allow", "[...] or {...}"},
		{"path class", "p, role:ok, paths, modify, [s]ecrets/**, deny", "[...] or {...}"},
		{"path alternatives", `p, role:ok, paths, modify, "apps/{a,b}/values.yaml", allow`, "[...] or {...}"},
		{"path lone bracket", "p, role:ok, paths, modify, apps/x]/**, allow", "[...] or {...}"},
		{"path brace on any resource", "p, role:ok, *, *, apps/{a}/**, deny", "[...] or {...}"},
		{"cluster non-ASCII", "p, role:ok, clusters, get, prоd, allow", "non-ASCII"},
		{"empty object", "p, role:ok, clusters, get, , allow", "is empty"},
		{"empty subject", "p, , clusters, get, *, allow", "the subject is empty"},
		{"homoglyph subject", "p, \u0430lice, clusters, get, *, allow", "can never match"},
		{"homoglyph role", "g, alice, r\u043ele:ok", "can never match"},
		{"subject with space", "p, al ice, clusters, get, *, allow", "can never match"},
		{"broken quote", `p, role:ok, "clusters, get, *, allow`, "comma-separated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := "# header\n" + good + tc.line + "\n"
			p, problems, err := Parse(strings.NewReader(text), "policy.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || problems[0].Line != 3 || problems[0].Severity != SeverityError {
				t.Fatalf("problems = %v, want one error on line 3", problems)
			}
			if !strings.Contains(problems[0].Message, tc.want) || problems[0].Text != tc.line {
				t.Errorf("problem = %q on %q, want it to contain %q", problems[0].Message, problems[0].Text, tc.want)
			}
			d := p.Can(user("x", "role:ok"), "applications", "get", "shop/cart")
			want := "policy file policy.csv is malformed at line 3: " + problems[0].Message + "; no grants apply until it is fixed"
			if d.Allowed || d.Reason != want {
				t.Errorf("Can on a malformed file = %v %q, want a denial %q", d.Allowed, d.Reason, want)
			}
		})
	}
}

// TestLoadFailsClosed checks that Load hands back a policy denying everything
// together with the error, and that warnings alone do not stop a load.
func TestLoadFailsClosed(t *testing.T) {
	text := "p, role:ok, paths, modify, **, allow\np, role:ok, paths, modify, a, alow\np, role:ok, paths, modify, , allow\ng, bob, role:ok\n"
	p, err := Load(strings.NewReader(text), "repo/policy.csv", Options{})
	want := `policy file repo/policy.csv is malformed at line 2: unknown effect "alow" (want allow or deny) (and 1 more problem)`
	if err == nil || err.Error() != want {
		t.Fatalf("Load error = %v, want %q", err, want)
	}
	var malformed *MalformedError
	if !errors.As(err, &malformed) || len(malformed.Problems) != 2 || malformed.Problems[0].Line != 2 || malformed.Problems[1].Line != 3 {
		t.Errorf("Load error %#v should list the malformed lines 2 and 3", err)
	}
	if p.Err() != err {
		t.Errorf("Policy.Err() = %v, want the error Load returned", p.Err())
	}
	if v := p.CheckChange(user("bob"), []string{"x"}); v.Allowed || len(v.Denied) != 1 || v.Reason != want+"; no grants apply until it is fixed" {
		t.Errorf("CheckChange on a broken policy = %+v", v)
	}
	if v := p.CheckChange(user("bob"), nil); v.Allowed {
		t.Error("a broken policy allowed an empty change")
	}
	if d := p.Authorize(user("bob"), "get", "a", "b", "c"); d.Allowed || !strings.Contains(d.Reason, "no grants apply") {
		t.Errorf("Authorize on a broken policy = %+v", d)
	}

	seed, err := os.ReadFile(filepath.Join("testdata", "argocd-rbac-seed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	p, problems, err := Parse(bytes.NewReader(seed), "seed.csv", Options{})
	if err != nil || HasErrors(problems) || p.Err() != nil {
		t.Fatalf("the seed's Argo CD policy should load: %v %v", problems, err)
	}
	if len(problems) != 1 || problems[0].Severity != SeverityWarning || !strings.Contains(problems[0].Text, "action/*") {
		t.Errorf("seed warnings = %v, want one about action/*", problems)
	}
}

// TestValidateGolden checks the report of validate on a file with every kind
// of malformed line. Regenerate with go test ./policies -run Golden -update.
func TestValidateGolden(t *testing.T) {
	src := filepath.Join("testdata", "malformed.csv")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, problems, err := Parse(f, "malformed.csv", Options{DefaultRole: "role:nobody"})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteProblems(&got, "malformed.csv", problems); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "malformed.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("validate report differs from %s:\n%s", golden, got.String())
	}
}
