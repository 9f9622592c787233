package planner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// projectsYAML defines three projects with the rules the tests exercise.
//
// team-a: repositories of acme except acme/secrets*; every cluster and
// namespace except kube-* namespaces and the cluster named prod; the
// cluster-scoped Namespace and ClusterRoles named team-a-*; no
// ResourceQuota.
//
// team-b: staging's namespace team-b only, addressed by cluster name;
// Deployments and Services only; no cluster-scoped kind.
//
// team-c: no namespaced kind at all (an empty whitelist); every cluster
// kind but RBAC ones.
const projectsYAML = `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team-a, namespace: argocd}
spec:
  sourceRepos: ['https://github.com/acme/*', '!https://github.com/acme/secrets*']
  destinations:
    - {server: '*', namespace: '*'}
    - {server: '*', namespace: '!kube-*'}
    - {name: '!prod', namespace: '*'}
  clusterResourceWhitelist:
    - {group: '', kind: Namespace}
    - {group: rbac.authorization.k8s.io, kind: ClusterRole, name: 'team-a-*'}
  namespaceResourceBlacklist:
    - {group: '', kind: ResourceQuota}
  roles:
    - {name: deployer, policies: ['p, proj:team-a:deployer, applications, sync, team-a/*, allow']}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team-b, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations:
    - {name: staging, namespace: team-b}
  namespaceResourceWhitelist:
    - {group: apps, kind: Deployment}
    - {group: '', kind: Service}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team-c, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
  namespaceResourceWhitelist: []
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
  clusterResourceBlacklist: [{group: rbac.authorization.k8s.io, kind: '*'}]
`

var projectClusters = []Cluster{
	{Name: "staging", Server: "https://staging.example.com", Source: "config"},
	{Name: "prod", Server: "https://prod.example.com", Source: "config"},
}

// projApp is an Application of project deploying path to a destination
// ("name: staging, namespace: x").
func projApp(name, project, path, dest string) string {
	proj := ""
	if project != "" {
		proj = "\n  project: " + project
	}
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ` + name + `, namespace: argocd}
spec:` + proj + `
  source: {repoURL: ` + repoURL + `, path: ` + path + `}
  destination: {` + dest + `}
`
}

const (
	clusterRoleBinding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin-for-all}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: []\n"
	teamClusterRole    = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: team-a-reader}\nrules: []\n"
	otherClusterRole   = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: node-admin}\nrules: []\n"
	namespaceObj       = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a-extra}\n"
	deploymentObj      = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}\n"
	resourceQuota      = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota}\nspec: {hard: {pods: '10'}}\n"
	configMapInKube    = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sneaky, namespace: kube-system}\ndata: {a: '1'}\n"
	widgetCRD          = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, scope: Cluster, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true}]}\n"
	widget             = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\n"
)

// projectRepo is a repository with the three projects and one app per
// case of TestProjectRules.
func projectRepo() fstest.MapFS {
	files := map[string]string{
		"projects/projects.yaml":  projectsYAML,
		"apps/a-ok.yaml":          projApp("a-ok", "team-a", "m/a-ok", "name: staging, namespace: team-a"),
		"apps/a-kube.yaml":        projApp("a-kube", "team-a", "m/cm", "name: staging, namespace: kube-system"),
		"apps/a-prod.yaml":        projApp("a-prod", "team-a", "m/cm", "server: https://prod.example.com, namespace: team-a"),
		"apps/a-crb.yaml":         projApp("a-crb", "team-a", "m/crb", "name: staging, namespace: team-a"),
		"apps/a-role.yaml":        projApp("a-role", "team-a", "m/role", "name: staging, namespace: team-a"),
		"apps/a-quota.yaml":       projApp("a-quota", "team-a", "m/quota", "name: staging, namespace: team-a"),
		"apps/a-objns.yaml":       projApp("a-objns", "team-a", "m/objns", "name: staging, namespace: team-a"),
		"apps/a-crd.yaml":         projApp("a-crd", "team-a", "m/crd", "name: staging, namespace: team-a"),
		"apps/b-ok.yaml":          projApp("b-ok", "team-b", "m/deploy", "server: https://staging.example.com, namespace: team-b"),
		"apps/b-cm.yaml":          projApp("b-cm", "team-b", "m/cm", "name: staging, namespace: team-b"),
		"apps/b-ns.yaml":          projApp("b-ns", "team-b", "m/ns", "name: staging, namespace: team-b"),
		"apps/b-other.yaml":       projApp("b-other", "team-b", "m/deploy", "name: staging, namespace: team-c"),
		"apps/c-cm.yaml":          projApp("c-cm", "team-c", "m/cm", "name: staging, namespace: c"),
		"apps/c-ns.yaml":          projApp("c-ns", "team-c", "m/ns", "name: prod, namespace: c"),
		"apps/c-crb.yaml":         projApp("c-crb", "team-c", "m/crb", "name: prod, namespace: c"),
		"apps/undefined.yaml":     projApp("undefined", "team-z", "m/cm", "name: staging, namespace: team-a"),
		"apps/default.yaml":       projApp("default-app", "", "m/crb", "name: prod, namespace: kube-system"),
		"m/a-ok/deploy.yaml":      deploymentObj,
		"m/a-ok/ns.yaml":          namespaceObj,
		"m/a-ok/role.yaml":        teamClusterRole,
		"m/cm/cm.yaml":            configMap,
		"m/crb/crb.yaml":          clusterRoleBinding,
		"m/role/role.yaml":        otherClusterRole,
		"m/quota/quota.yaml":      resourceQuota,
		"m/objns/cm.yaml":         configMapInKube,
		"m/crd/crd.yaml":          widgetCRD,
		"m/crd/widget.yaml":       widget,
		"m/deploy/deploy.yaml":    deploymentObj,
		"m/ns/ns.yaml":            namespaceObj,
		"docs/not-a-project.yaml": "# AppProject argoproj.io is mentioned here only\nkey: value\n",
	}
	repo := fstest.MapFS{}
	for p, data := range files {
		repo[p] = &fstest.MapFile{Data: []byte(data)}
	}
	return repo
}

// checkAll discovers the repository, loads its projects and checks every
// app with its planned objects; it returns the violations by app.
func checkAll(t *testing.T, repo fstest.MapFS, scope Scope) (*Projects, map[string][]Violation) {
	t.Helper()
	ctx := context.Background()
	src := Source{Repo: repo, RepoURL: repoURL, Revision: "r1", Clusters: projectClusters}
	p := &Planner{}
	inv, err := p.Discover(ctx, src)
	if err != nil || len(inv.Errors) > 0 {
		t.Fatalf("discover: %v %v", err, inv.Errors)
	}
	projs, errs := LoadProjects(ctx, src)
	if len(errs) > 0 {
		t.Fatalf("load projects: %v", errs)
	}
	got := map[string][]Violation{}
	for _, a := range inv.Apps {
		plan, err := p.Plan(ctx, inv, repo, a)
		if err != nil {
			t.Fatalf("plan %s: %v", a.Name, err)
		}
		got[a.Name] = projs.Check(a, plan.Objects, scope)
	}
	return projs, got
}

// TestProjectRules checks every app of projectRepo against its project:
// destinations with "!" negation by namespace and by cluster name, server
// versus name, cluster- and namespace-scoped kinds against white- and
// blacklists (with name globs), objects' own namespaces, a CRD's scope,
// an undefined project, and the allow-all default.
func TestProjectRules(t *testing.T) {
	projs, got := checkAll(t, projectRepo(), nil)
	if !projs.Enforced() {
		t.Fatal("a repository with AppProjects does not enforce them")
	}
	tests := []struct {
		app  string
		want []string // "rule: substring of String()", in order; none means allowed
	}{
		{"a-ok", nil},
		{"a-kube", []string{
			"destinations: project team-a: destination cluster staging (https://staging.example.com) namespace kube-system is not permitted by destinations (denied by entry {name: -, server: *, namespace: !kube-*})",
			"destinations: ConfigMap/settings in namespace kube-system is not permitted by destinations"}},
		{"a-prod", []string{
			"destinations: destination cluster prod (https://prod.example.com) namespace team-a is not permitted by destinations (denied by entry {name: !prod, server: -, namespace: *})",
			"destinations: ConfigMap/settings in namespace team-a is not permitted by destinations (denied by entry {name: !prod"}},
		{"a-crb", []string{"clusterResourceWhitelist: project team-a: ClusterRoleBinding/admin-for-all (rbac.authorization.k8s.io) is not in clusterResourceWhitelist"}},
		{"a-role", []string{"clusterResourceWhitelist: ClusterRole/node-admin (rbac.authorization.k8s.io) is not in clusterResourceWhitelist"}},
		{"a-quota", []string{"namespaceResourceBlacklist: ResourceQuota/quota in namespace team-a is in namespaceResourceBlacklist"}},
		{"a-objns", []string{"destinations: ConfigMap/sneaky in namespace kube-system is not permitted by destinations (denied by entry {name: -, server: *, namespace: !kube-*})"}},
		{"a-crd", []string{
			"clusterResourceWhitelist: CustomResourceDefinition/widgets.example.com (apiextensions.k8s.io) is not in clusterResourceWhitelist",
			"clusterResourceWhitelist: Widget/w1 (example.com) is not in clusterResourceWhitelist"}},
		{"b-ok", nil},
		{"b-cm", []string{"namespaceResourceWhitelist: ConfigMap/settings in namespace team-b is not in namespaceResourceWhitelist"}},
		{"b-ns", []string{"clusterResourceWhitelist: Namespace/team-a-extra is not in clusterResourceWhitelist"}},
		{"b-other", []string{
			"destinations: destination cluster staging (https://staging.example.com) namespace team-c is not permitted by destinations (matches no entry)",
			"destinations: Deployment/web (apps) in namespace team-c is not permitted by destinations (matches no entry)"}},
		{"c-cm", []string{"namespaceResourceWhitelist: ConfigMap/settings in namespace c is not in namespaceResourceWhitelist"}},
		{"c-ns", nil},
		{"c-crb", []string{"clusterResourceBlacklist: ClusterRoleBinding/admin-for-all (rbac.authorization.k8s.io) is in clusterResourceBlacklist"}},
		{"undefined", []string{"project: project team-z: no AppProject of that name is defined (defined: default, team-a, team-b, team-c)"}},
		{"default-app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			vs, ok := got[tt.app]
			if !ok {
				t.Fatalf("app %s was not discovered", tt.app)
			}
			if len(vs) != len(tt.want) {
				t.Fatalf("violations = %v; want %d: %v", vs, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				rule, text, _ := strings.Cut(w, ": ")
				if vs[i].Rule != rule || !strings.Contains(vs[i].String(), text) {
					t.Errorf("violation %d = %s: %q; want %s: %q", i, vs[i].Rule, vs[i].String(), rule, text)
				}
				if vs[i].App != tt.app || vs[i].File == "" {
					t.Errorf("violation %d names app %q file %q; want %s and a file", i, vs[i].App, vs[i].File, tt.app)
				}
			}
		})
	}
}

// TestProjectObjectViolationsPointAtTheObject: an object's violation names
// the file it was rendered from, an app's the Application's file.
func TestProjectObjectViolationsPointAtTheObject(t *testing.T) {
	_, got := checkAll(t, projectRepo(), nil)
	if v := got["a-crb"][0]; v.File != "m/crb/crb.yaml" || v.Line != 1 {
		t.Errorf("object violation at %s:%d; want m/crb/crb.yaml:1", v.File, v.Line)
	}
	if v := got["a-kube"][0]; v.File != "apps/a-kube.yaml" {
		t.Errorf("destination violation at %s; want the Application's file", v.File)
	}
	want := "apps/a-kube.yaml:1: app a-kube on cluster staging: project team-a: destination cluster staging"
	if w := got["a-kube"][0].Where(); !strings.HasPrefix(w, want) {
		t.Errorf("Where() = %q; want it to start %q", w, want)
	}
}

// stubScope answers for one kind and errs for another, as a cluster's
// discovery does.
type stubScope struct{}

func (stubScope) IsNamespaced(gk schema.GroupKind) (bool, error) {
	switch gk {
	case schema.GroupKind{Group: "example.com", Kind: "Gadget"}:
		return false, nil // cluster-scoped in the cluster, unknown to the planner
	case schema.GroupKind{Group: "example.com", Kind: "Mystery"}:
		return false, errors.New("no matches for kind Mystery")
	}
	return BuiltinScope{}.IsNamespaced(gk)
}

// TestProjectScopeFromTheCluster: a kind the planner takes for namespaced
// but the cluster knows as cluster-scoped is held to the cluster lists
// when the cluster's scope is given; a kind whose scope cannot be told is
// refused.
func TestProjectScopeFromTheCluster(t *testing.T) {
	repo := projectRepo()
	repo["apps/a-gadget.yaml"] = &fstest.MapFile{Data: []byte(projApp("a-gadget", "team-a", "m/gadget", "name: staging, namespace: team-a"))}
	repo["m/gadget/g.yaml"] = &fstest.MapFile{Data: []byte("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n---\napiVersion: example.com/v1\nkind: Mystery\nmetadata: {name: m}\n")}
	_, planned := checkAll(t, repo, nil)
	if len(planned["a-gadget"]) != 0 {
		t.Fatalf("with the planner's scope: %v; want none (both kinds look namespaced)", planned["a-gadget"])
	}
	_, live := checkAll(t, repo, stubScope{})
	vs := live["a-gadget"]
	if len(vs) != 2 || vs[0].Rule != RuleClusterResourceWhitelist || !strings.Contains(vs[0].Message, "Gadget/g (example.com) is not in clusterResourceWhitelist") ||
		vs[1].Rule != RuleScope || !strings.Contains(vs[1].Message, "no matches for kind Mystery") {
		t.Errorf("with the cluster's scope: %v; want Gadget refused as cluster-scoped and Mystery refused as unknown", vs)
	}
	if ok := live["a-ok"]; len(ok) != 0 {
		t.Errorf("a-ok with the cluster's scope: %v; want none", ok)
	}
}

// TestProjectsNotEnforcedWithoutAppProjects: a repository that defines no
// AppProject (like the guide's) enforces nothing, whatever its apps name.
func TestProjectsNotEnforcedWithoutAppProjects(t *testing.T) {
	repo := projectRepo()
	delete(repo, "projects/projects.yaml")
	projs, got := checkAll(t, repo, nil)
	if projs.Enforced() {
		t.Fatal("projects are enforced without any AppProject")
	}
	for app, vs := range got {
		if len(vs) > 0 {
			t.Errorf("%s: %v; want nothing enforced", app, vs)
		}
	}
	var none *Projects
	if none.Enforced() || len(none.CheckApp(&App{Name: "x", Project: "team-z"})) > 0 || !none.NamespaceAllowed(&App{}, "kube-system") {
		t.Error("a nil *Projects enforces something")
	}
}

// TestDefaultProjectDefinedByTheRepository: once the repository defines
// "default", an app without a project is held to it.
func TestDefaultProjectDefinedByTheRepository(t *testing.T) {
	repo := projectRepo()
	repo["projects/default.yaml"] = &fstest.MapFile{Data: []byte(`apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default}
spec:
  sourceRepos: []
  destinations: []
`)}
	_, got := checkAll(t, repo, nil)
	rules := []string{}
	for _, v := range got["default-app"] {
		rules = append(rules, v.Rule)
	}
	want := []string{RuleSourceRepos, RuleDestinations, RuleClusterResourceWhitelist}
	if !slices.Equal(rules, want) {
		t.Errorf("default-app under a locked default project: %v; want rules %v", got["default-app"], want)
	}
}

// TestBrokenAppProjectFailsClosed: an AppProject that does not decode is
// reported with its file and line, still turns enforcement on, and refuses
// its apps; so does a project defined twice.
func TestBrokenAppProjectFailsClosed(t *testing.T) {
	for _, tt := range []struct {
		name, file, text, wantErr string
	}{
		{"misspelt field", "projects/typo.yaml",
			"apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team-z}\nspec:\n  namespaceResourceBlacklists: []\n",
			`projects/typo.yaml:1: AppProject team-z: error unmarshaling JSON: while decoding JSON: json: unknown field "namespaceResourceBlacklists"`},
		{"defined twice", "projects/again.yaml",
			"apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team-z}\nspec: {}\n---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team-z}\nspec: {sourceRepos: ['*']}\n",
			"projects/again.yaml:6: AppProject team-z is defined twice: here and in projects/again.yaml:1"},
		{"YAML syntax", "projects/syntax.yaml",
			"apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team-z\n",
			"projects/syntax.yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := fstest.MapFS{tt.file: {Data: []byte(tt.text)}}
			src := Source{Repo: repo, Revision: "r1"}
			projs, errs := LoadProjects(context.Background(), src)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) {
				t.Fatalf("errors = %v; want one containing %q", errs, tt.wantErr)
			}
			if !projs.Enforced() {
				t.Error("a broken AppProject leaves projects unenforced")
			}
			app := &App{Name: "z", Project: "team-z", Cluster: projectClusters[0], Spec: ApplicationSpec{Source: &ApplicationSource{RepoURL: repoURL}}}
			if vs := projs.CheckApp(app); len(vs) != 1 || vs[0].Rule != RuleProject {
				t.Errorf("app of the broken project: %v; want it refused", vs)
			}
		})
	}
}

// TestNamespaceAllowed answers the live diff's question: may this app
// touch that namespace?
func TestNamespaceAllowed(t *testing.T) {
	projs, errs := LoadProjects(context.Background(), Source{Repo: projectRepo(), Revision: "r1"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	staging, prod := projectClusters[0], projectClusters[1]
	for _, tt := range []struct {
		project string
		cluster Cluster
		ns      string
		want    bool
	}{
		{"team-a", staging, "web", true},
		{"team-a", staging, "kube-public", false},
		{"team-a", prod, "web", false},
		{"team-b", staging, "team-b", true},
		{"team-b", staging, "default", false},
		{"team-z", staging, "web", false},
		{"", prod, "kube-system", true},
	} {
		app := &App{Name: "x", Project: tt.project, Cluster: tt.cluster}
		if got := projs.NamespaceAllowed(app, tt.ns); got != tt.want {
			t.Errorf("NamespaceAllowed(%s on %s, %s) = %v; want %v", tt.project, tt.cluster.Name, tt.ns, got, tt.want)
		}
	}
}

// TestManagedNamespaceIsChecked: CreateNamespace=true makes the app's
// namespace a cluster-scoped object of the sync, unless the app renders
// it; team-b may not create it.
func TestManagedNamespaceIsChecked(t *testing.T) {
	app := &App{Name: "b", Project: "team-b", Cluster: projectClusters[0], Namespace: "team-b",
		Spec: ApplicationSpec{SyncPolicy: &SyncPolicy{SyncOptions: []string{"CreateNamespace=true"}}}}
	ns := ManagedNamespace(app, nil)
	if ns == nil || ns.Key != (ResourceKey{Kind: "Namespace", Name: "team-b"}) {
		t.Fatalf("ManagedNamespace = %+v; want Namespace team-b", ns)
	}
	projs, _ := LoadProjects(context.Background(), Source{Repo: projectRepo(), Revision: "r1"})
	vs := projs.CheckObjects(app, []*Object{ns}, BuiltinScope{})
	if len(vs) != 1 || vs[0].Rule != RuleClusterResourceWhitelist {
		t.Errorf("managed namespace under team-b: %v; want clusterResourceWhitelist", vs)
	}
	if ManagedNamespace(app, []*Object{ns}) != nil {
		t.Error("a namespace the app renders is managed again")
	}
	app.Spec.SyncPolicy.SyncOptions = append(app.Spec.SyncPolicy.SyncOptions, "CreateNamespace=false")
	if ManagedNamespace(app, nil) != nil {
		t.Error("CreateNamespace=false still manages the namespace")
	}
}

// TestProjectErrorSaysWhichRuleOfWhichProject is the sync's refusal.
func TestProjectErrorSaysWhichRuleOfWhichProject(t *testing.T) {
	_, got := checkAll(t, projectRepo(), nil)
	err := fmt.Errorf("sync: %w", &ProjectError{Violations: got["a-crd"]})
	want := "refused by its AppProject, nothing applied: project team-a: CustomResourceDefinition/widgets.example.com (apiextensions.k8s.io) is not in clusterResourceWhitelist; project team-a: Widget/w1 (example.com) is not in clusterResourceWhitelist"
	var pe *ProjectError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v; want %q", err, want)
	}
}

// TestRestricts: an app in the allow-all default project, or in a
// repository without AppProjects, needs no object checks; any other does.
func TestRestricts(t *testing.T) {
	projs, _ := LoadProjects(context.Background(), Source{Repo: projectRepo(), Revision: "r1"})
	for _, tt := range []struct {
		project string
		want    bool
	}{{"team-a", true}, {"team-z", true}, {"", false}, {DefaultProject, false}} {
		if got := projs.Restricts(&App{Project: tt.project}); got != tt.want {
			t.Errorf("Restricts(%q) = %v; want %v", tt.project, got, tt.want)
		}
	}
	var none *Projects
	if none.Restricts(&App{Project: "team-a"}) {
		t.Error("nothing enforced, yet team-a restricts")
	}
}

// failingFS fails reads of one file, as a broken mirror or a cancelled
// Git read would.
type failingFS struct {
	fstest.MapFS
	fail string
}

func (f failingFS) Open(name string) (fs.File, error) {
	if name == f.fail {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("git cat-file: broken pipe")}
	}
	return f.MapFS.Open(name)
}

func (f failingFS) ReadFile(name string) ([]byte, error) {
	if name == f.fail {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("git cat-file: broken pipe")}
	}
	return f.MapFS.ReadFile(name)
}

// TestUnreadableRepositoryFailsClosed: a file that cannot be read may hold
// an AppProject, so projects are enforced and every app is refused, even in
// a repository that defines none it could read.
func TestUnreadableRepositoryFailsClosed(t *testing.T) {
	repo := failingFS{MapFS: fstest.MapFS{
		"apps/app.yaml":      {Data: []byte("kind: ConfigMap\n")},
		"projects/team.yaml": {Data: []byte("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team}\n")},
	}, fail: "projects/team.yaml"}
	projs, errs := LoadProjects(context.Background(), Source{Repo: repo, Revision: "r1"})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "projects/team.yaml") || !strings.Contains(errs[0].Error(), "broken pipe") {
		t.Fatalf("errors = %v; want the unreadable file named", errs)
	}
	if !projs.Enforced() {
		t.Fatal("an unreadable repository leaves projects unenforced")
	}
	app := &App{Name: "a", Project: "default", Cluster: projectClusters[0], Spec: ApplicationSpec{Source: &ApplicationSource{RepoURL: repoURL}}}
	vs := projs.CheckApp(app)
	if len(vs) != 1 || !strings.Contains(vs[0].Message, "cannot all be read") {
		t.Errorf("app in default: %v; want it refused because the AppProjects cannot all be read", vs)
	}
}
