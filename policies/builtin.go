package policies

import "strings"

// Built-in role names, as in Argo CD.
const (
	// RoleReadonly may get every application and cluster.
	RoleReadonly = "role:readonly"
	// RoleAdmin may do everything: every action on every application,
	// cluster and repo path.
	RoleAdmin = "role:admin"
)

// builtinPolicy holds Argo CD's two built-in roles in gitwave's terms. Like
// Argo CD's builtin-policy.csv it is loaded together with every policy file,
// so the roles exist without being defined there: a file's own lines on
// them add to them (an allow widens, a deny narrows, as any other line).
// Argo CD's "g, admin, role:admin" for its local admin account is left out:
// on a Git host "admin" is somebody's login.
var builtinPolicy = []string{
	"p, " + RoleReadonly + ", applications, get, */*, allow",
	"p, " + RoleReadonly + ", clusters, get, *, allow",
	"p, " + RoleAdmin + ", *, *, *, allow",
	"g, " + RoleAdmin + ", " + RoleReadonly,
}

// builtin adds the built-in roles after the file's own lines, on line 0, so
// that a file's grant is named before a built-in one that also matches.
func (ps *parser) builtin() {
	for _, text := range builtinPolicy {
		ps.line(0, text)
	}
}

// isBuiltin reports whether a rule or role edge comes from builtinPolicy.
func isBuiltin(line int) bool { return line == 0 }

// isRole reports whether a folded name is written as a role ("role:...").
func isRole(folded string) bool { return strings.HasPrefix(folded, "role:") }
