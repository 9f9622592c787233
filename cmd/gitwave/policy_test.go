package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runPolicy runs `gitwave policy ARGS...` in process as main would, returning
// stdout, the error message main would print and the exit status.
func runPolicy(t *testing.T, args ...string) (out, msg string, code int) {
	t.Helper()
	cmd := newPolicyCmd()
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err != nil {
		msg = err.Error()
	}
	return stdout.String(), msg, exitCode(err)
}

func TestPolicyCommands(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.csv")
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("policy.csv", `p, role:platform-team, applications, *, infrastructure/*, allow
p, role:dev-team-order, applications, sync, applications/order-*, allow
p, role:dev-team-order, paths, modify, apps/order-service/**, allow
p, role:dev-team-order, clusters, sync, production-*, deny
p, role:readonly, applications, get, *, allow
g, platform-admins, role:platform-team
g, acme/order-team, role:dev-team-order
g, alice, role:dev-team-order
`)
	broken := write("broken.csv", "p, role:x, applications, get, shop/*, allow\np, role:x, applications, get, shop/*, alow\n")
	warned := write("warned.csv", "p, role:x, applications, get, shop/*, allow\np, role:x, projects, get, *, allow\n")
	undefined := write("undefined.csv", "p, role:x, applications, sync, shop/*, allow\ng, acme/ops, role:x\ng, acme/ops, role:typo\n")
	guide, err := filepath.Abs(filepath.Join("..", "..", "policies", "testdata", "guide-policy.csv"))
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		args []string
		code int
		out  string // a part of stdout
		msg  string // a part of the error message main prints
	}{
		{name: "can yes", args: []string{"can", "alice", "sync", "applications", "applications/order-api", "--policy", policy}, code: 0, out: "yes\n"},
		{name: "can yes by group", args: []string{"can", "dave", "sync", "applications", "applications/order-api", "--policy", policy, "--groups", "acme/other,ACME/Order-Team"}, code: 0, out: "yes\n"},
		{name: "can no", args: []string{"can", "alice", "sync", "clusters", "production-eu", "--policy", policy}, code: 1, out: "no\n"},
		{name: "can no explained", args: []string{"can", "bob", "modify", "paths", "apps/order-service/values.yaml", "--policy", policy, "--explain"}, code: 1,
			out: "no\nbob may not modify `apps/order-service/values.yaml`: no `paths, modify` grant matches; ask role:dev-team-order\n"},
		{name: "can default role", args: []string{"can", "zed", "get", "applications", "shop/cart", "--policy", policy, "--default-role", "role:readonly"}, code: 0, out: "yes\n"},
		{name: "can role as subject", args: []string{"can", "role:platform-team", "sync", "applications", "infrastructure/istio", "--policy", policy}, code: 0, out: "yes\n"},
		{name: "can unknown action", args: []string{"can", "alice", "deploy", "applications", "a/b", "--policy", policy}, code: 2, msg: `unknown action "deploy"`},
		{name: "can missing file", args: []string{"can", "alice", "get", "applications", "a/b", "--policy", filepath.Join(dir, "nope.csv")}, code: 2, msg: "read policy"},
		{name: "can malformed policy", args: []string{"can", "alice", "get", "applications", "shop/a", "--policy", broken}, code: 2, msg: "is malformed at line 2: unknown effect"},
		{name: "can wrong arg count", args: []string{"can", "alice", "get"}, code: 2, msg: "takes 4 arguments, got 2"},
		{name: "can unknown flag", args: []string{"can", "--bogus"}, code: 2, msg: "unknown flag"},
		{name: "check allowed", args: []string{"check", "--policy", policy, "--author", "alice", "apps/order-service/values.yaml"}, code: 0, out: "alice may modify all 1 changed file\n"},
		{name: "check denied", args: []string{"check", "--policy", policy, "--author", "alice", "apps/order-service/values.yaml", "apps/payment-service/values.yaml", "policy.csv"}, code: 1,
			out: "alice may not modify `apps/payment-service/values.yaml`: no `paths, modify` grant matches; no role in the policy grants it\nalice may not modify `policy.csv`"},
		{name: "check needs author", args: []string{"check", "--policy", policy, "x"}, code: 2, msg: "--author"},
		{name: "validate ok", args: []string{"validate", policy}, code: 0, out: "ok, 5 grants, 0 warnings"},
		{name: "validate warning", args: []string{"validate", warned}, code: 0, out: `warned.csv:2: warning: gitwave never checks Argo CD resource "projects"`},
		{name: "validate malformed", args: []string{"validate", broken}, code: 1, out: "broken.csv:2: error: unknown effect \"alow\" (want allow or deny)\n\tp, role:x, applications, get, shop/*, alow\n"},
		{name: "validate undefined default role warns", args: []string{"validate", policy, "--default-role", "role:nobody"}, code: 0,
			out: "policy.csv: warning: the default role \"role:nobody\" (policy.default) is never defined: no p line grants it anything and no g line gives it a role, so it grants nobody anything\n" + policy + ": ok, 5 grants, 1 warnings\n"},
		{name: "validate undefined role warns", args: []string{"validate", undefined}, code: 0,
			out: "undefined.csv:3: warning: role \"role:typo\" is used but never defined: no p line grants it anything and no g line gives it a role, so this line grants nothing\n\tg, acme/ops, role:typo\n" + undefined + ": ok, 1 grants, 1 warnings\n"},
		{name: "undefined role leaves other grants", args: []string{"can", "olga", "sync", "applications", "shop/cart", "--policy", undefined, "--groups", "acme/ops"}, code: 0, out: "yes\n"},
		{name: "validate the guide with role:readonly", args: []string{"validate", guide, "--default-role", "role:readonly"}, code: 0, out: "guide-policy.csv: ok, 6 grants, 1 warnings\n"},
		{name: "built-in readonly", args: []string{"can", "zed", "get", "applications", "applications/payment-api", "--policy", guide, "--default-role", "role:readonly", "--explain"}, code: 0,
			out: "yes\nzed may get application `applications/payment-api`: granted to role:readonly (built in)\n"},
		{name: "guide bare team", args: []string{"can", "dave", "sync", "applications", "applications/order-api", "--policy", guide, "--groups", "order-team"}, code: 0, out: "yes\n"},
		{name: "validate bracket in a path", args: []string{"validate", write("bracket.csv", "p, alice, paths, modify, [s]ecrets/**, deny\n")}, code: 1,
			out: "bracket.csv:1: error: the object \"[s]ecrets/**\" uses [...] or {...}"},
		{name: "validate missing file", args: []string{"validate", filepath.Join(dir, "nope.csv")}, code: 2, msg: "validate policy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, msg, code := runPolicy(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, error %q", code, tc.code, out, msg)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("stdout = %q, want it to contain %q", out, tc.out)
			}
			if !strings.Contains(msg, tc.msg) {
				t.Errorf("error = %q, want it to contain %q", msg, tc.msg)
			}
			if tc.code == 1 && msg != "" {
				t.Errorf("a negative answer should exit quietly, got %q", msg)
			}
		})
	}
}
