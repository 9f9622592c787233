// Package policies decides who may change which repo paths and run which
// command on which application and cluster.
//
// # The policy file
//
// The format is Argo CD's policy.csv, extended with repo paths:
//
//	p, role:platform-team, applications, *, infrastructure/*, allow
//	p, role:dev-team-order, paths, modify, apps/order-service/**, allow
//	p, role:dev-team-order, clusters, sync, production-*, deny
//	g, acme/order-team, role:dev-team-order
//	g, alice, role:dev-team-order
//
// A p line grants (allow) or forbids (deny) an action on objects of a
// resource to a subject; a g line makes its subject inherit everything a role
// holds, transitively. Subjects are Git-host logins, teams and roles, all in
// one namespace as in Argo CD. A team is written bare ("order-team": a team
// of the repository's GitHub organization, or a subgroup of the GitLab
// project's top-level group) or qualified ("acme/order-team", a GitLab group's
// full path). The bot asks the host about exactly the names GroupNames lists
// and passes those the user belongs to, spelled as in the file, in
// Subject.Groups. Options.DefaultRole (Argo CD's policy.default) is held by
// everyone.
//
// # Built-in roles
//
// As in Argo CD, role:readonly (get on every application and cluster) and
// role:admin (every action on every application, cluster and path; it also
// holds role:readonly) exist in every policy without being defined, so
// "policy.default: role:readonly" works with a file that never mentions it.
// Like Argo CD's builtin-policy.csv they are loaded together with the file:
// the file's lines on them add to them, an allow widening and a deny
// narrowing, and can never take the roles away. A decision by a built-in line
// is cited as "role:readonly (built in)" with line 0. Argo CD's "g, admin,
// role:admin" for its local account is left out: "admin" is a login on a
// Git host.
//
// Resources and their objects:
//
//   - applications: "project/app", actions get, diff, sync, rollback, override;
//   - clusters: a cluster name, the same actions;
//   - paths: a repo path, action modify. "OWNER/REPO:GLOB" names a path of
//     another repository (the guide's k8s-apps, say); an unqualified glob
//     means the repository that holds the policy file (Options.Repo). A
//     paths object of "*" alone matches every path of every repository;
//     "**" every path of the policy's own;
//   - "*": every resource the action applies to.
//
// Action "*" is every action of the resource.
//
// # Matching
//
// Objects are globs, matched by hand and never compiled into regular
// expressions. For applications and clusters, as in Argo CD, "*" matches any
// run of characters, "/" included, and "?" one character. For paths "*" and
// "?" stay within one folder, and "**" as a whole folder matches any number of
// folders, none included: "apps/**" matches "apps/a/b.yaml", "**/values.yaml"
// matches "values.yaml" at any depth. An object of "*" alone matches every
// object, as in Argo CD's "p, role:admin, *, *, *, allow". Paths are compared
// case-sensitively, as Git does. A requested path that is absolute or holds
// an empty, "." or ".." folder is denied, so "apps/a/../b/x" cannot pass as
// part of "apps/a/**".
//
// Logins, groups and roles are compared without regard to ASCII case, because
// GitHub and GitLab treat "Alice" and "alice" as the same account. A name
// holding any non-ASCII, space or control character is never folded and
// never matches anything: GitHub logins and team slugs are ASCII, so such a
// name is either a mistake or a homoglyph ("аlice" with a Cyrillic "а") and
// must not borrow another account's grants. The default role still applies
// to such a subject; it widens nothing. Logins, teams and roles share one
// namespace, as in Argo CD: a bare team name such as the guide's
// "order-team" is also a login, so a user who registers the login
// "order-team" gets what "g, order-team, ..." grants. Write teams as
// "org/team" (a login cannot hold "/") and roles as "role:name" (no login or
// team can hold ":") to rule that out.
//
// # Decisions
//
// A request is allowed when a grant matches and no deny does. Unlike Argo
// CD, which checks the login and each group on its own, a deny reached through
// any of the subject's login, groups or default role wins over every grant:
// joining one more team never escapes a deny. Authorize needs both the
// applications grant on "project/app" and the clusters grant on the cluster,
// for every action. CheckChange needs "paths, modify" on every changed file,
// the policy file itself included. Paths and clusters restrict only once the
// file itself allows something on them (for clusters, per action): an Argo CD
// policy file has no paths lines and no clusters sync lines, and gitwave then
// decides as Argo CD would, by the applications grant alone and with every
// path open; a deny applies in every case. Notes says which are open. The
// caller reads the policy from the
// default branch, never from the pull request, so a PR cannot grant itself
// rights. Each Decision carries a sentence fit for a PR comment, the line
// that decided, and, when no grant matched, the roles that would grant it.
//
// # Malformed files fail closed
//
// Parse reports every malformed line: wrong field count, unknown line type,
// resource, action or effect, an action on a resource that has no such action,
// a subject or object that can never match (empty, non-ASCII subject, "***",
// an empty folder, a path starting with "/" or holding "..", "**" inside a
// name, "[", "]", "{" or "}" in any object, paths included). A file with any
// of them yields a Broken policy that denies every request with "policy file
// F is malformed at line N: ...; no grants apply until it is fixed". Argo CD
// lines gitwave has no use for (projects, repositories, action/...) load with
// a warning, so an existing argocd-rbac-cm policy loads unchanged. So does a
// role used but never defined, in a g line or as the default role: as in Argo
// CD it is a warning, the line grants nothing and every other line applies;
// UndefinedRoles lists these warnings for a pull request comment.
//
// # Engine
//
// The rules are specified as a casbin model (casbin_test.go), Argo CD's
// engine, which the tests use as an oracle; casbin is not linked into gitwave.
// Answering through casbin costs a scan of every line per request, far above
// the 10 µs budget for a 2,000-line file, so Load also builds an index: for
// every name, the rules of its whole role closure, per resource and effect.
// A request merges the sets of the login, groups and default role, scans
// their denies, then stops at the first matching grant. The merged set of a
// subject with many groups is kept in a small per-Policy cache. The tests
// check that the index and casbin agree on generated policies; bench_test.go
// measures both.
package policies
