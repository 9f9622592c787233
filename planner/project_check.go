package planner

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The rules of an AppProject a Violation names.
const (
	RuleProject                    = "project"
	RuleSourceRepos                = "sourceRepos"
	RuleDestinations               = "destinations"
	RuleClusterResourceWhitelist   = "clusterResourceWhitelist"
	RuleClusterResourceBlacklist   = "clusterResourceBlacklist"
	RuleNamespaceResourceWhitelist = "namespaceResourceWhitelist"
	RuleNamespaceResourceBlacklist = "namespaceResourceBlacklist"
	RulePermitOnlyProjectClusters  = "permitOnlyProjectScopedClusters"
	// RuleScope is an object whose scope (namespaced or not) cannot be
	// told, so that no list can be checked: it is refused, as Argo CD
	// refuses it.
	RuleScope = "scope"
)

// Violation is one thing an app's AppProject refuses.
type Violation struct {
	// App and Cluster are the app refused.
	App, Cluster string
	// Project is the project the app names.
	Project string
	// Rule is the project rule that refused (RuleSourceRepos, ...).
	Rule string
	// Object is what was refused: "ClusterRoleBinding/x
	// (rbac.authorization.k8s.io)", "source https://...", "destination
	// ...", or "" for the app as a whole.
	Object string
	// Message says what was refused by which rule, object first.
	Message string
	// File and Line locate the object, or the app's manifest.
	File string
	Line int
}

// String reads "project team-a: ClusterRoleBinding/x
// (rbac.authorization.k8s.io) is not in clusterResourceWhitelist".
func (v Violation) String() string {
	return "project " + v.Project + ": " + v.Message
}

// Where renders the violation as validate prints it:
// "file:line: app A on cluster C: project P: ...".
func (v Violation) Where() string {
	e := &RenderError{App: v.App, Cluster: v.Cluster, File: v.File, Line: v.Line, Err: fmt.Errorf("%s", v.String())}
	return e.Error()
}

// ProjectError is a sync refused by the app's AppProject: nothing of the
// app was applied. It is terminal: syncing the same revision again is
// refused the same way.
type ProjectError struct {
	Violations []Violation
}

// Error lists every violation.
func (e *ProjectError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return "refused by its AppProject, nothing applied: " + strings.Join(parts, "; ")
}

// violation starts a Violation of app under project.
func violation(app *App, project, rule, object, msg string) Violation {
	return Violation{App: app.Name, Cluster: app.Cluster.Name, Project: project, Rule: rule, Object: object,
		Message: msg, File: app.File, Line: app.Line}
}

// CheckApp checks what an app's Application says against its project:
// that the project is defined, that every source's repository is in
// sourceRepos and that the destination is in destinations.
func (p *Projects) CheckApp(app *App) []Violation {
	proj, err := p.Project(app.Project)
	if err != nil {
		return []Violation{violation(app, app.Project, RuleProject, "", err.Error())}
	}
	if proj == nil {
		return nil
	}
	var out []Violation
	for _, s := range app.Spec.AllSources() {
		repo := s.RepoURL
		if repo == "" {
			repo = p.repoURL
		}
		if ok, deny := sourcePermitted(proj.Spec.SourceRepos, repo); !ok {
			obj := "source " + repo
			out = append(out, violation(app, proj.Metadata.Name, RuleSourceRepos, obj, obj+" is not permitted by sourceRepos"+denyEntry(deny)))
		}
	}
	if rule, detail := checkDestination(app.Cluster, proj, app.Namespace); rule != "" {
		obj := destinationName(app.Cluster, app.Namespace)
		out = append(out, violation(app, proj.Metadata.Name, rule, obj, obj+" is not permitted by "+rule+detail))
	}
	return out
}

// destinationName renders a destination: "destination cluster staging
// (https://...) namespace shop".
func destinationName(c Cluster, namespace string) string {
	return fmt.Sprintf("destination cluster %s (%s) namespace %s", c.Name, c.Server, dashIfNone(namespace))
}

// checkDestination checks a cluster with a namespace against the
// project's destinations. The cluster is checked by name and by every
// server URL that names it, and must be permitted under each. It returns
// the rule that refused and the detail, or "" when permitted.
func checkDestination(c Cluster, proj *AppProject, namespace string) (rule, detail string) {
	for _, server := range append([]string{c.Server}, c.Aliases...) {
		ok, deny := destinationMatched(proj.Spec.Destinations, c.Name, server, namespace)
		if ok {
			continue
		}
		detail = " (matches no entry)"
		if deny != nil {
			detail = fmt.Sprintf(" (denied by entry {name: %s, server: %s, namespace: %s})", dashIfNone(deny.Name), dashIfNone(deny.Server), dashIfNone(deny.Namespace))
		}
		if server != c.Server {
			detail += " for its server " + server
		}
		return RuleDestinations, detail
	}
	if proj.Spec.PermitOnlyProjectScopedClusters {
		return RulePermitOnlyProjectClusters, " (gitwave knows no project-scoped clusters)"
	}
	return "", ""
}

// Check is CheckApp and then CheckObjects, reporting an app whose project
// cannot be used once.
func (p *Projects) Check(app *App, objs []*Object, scope Scope) []Violation {
	out := p.CheckApp(app)
	if len(out) == 1 && out[0].Rule == RuleProject {
		return out
	}
	return append(out, p.CheckObjects(app, objs, scope)...)
}

// NamespaceAllowed reports whether the app's project lets the app touch
// namespace on the app's cluster. With nothing enforced it is true; an app
// whose project is undefined may touch none.
func (p *Projects) NamespaceAllowed(app *App, namespace string) bool {
	proj, err := p.Project(app.Project)
	if err != nil {
		return false
	}
	if proj == nil {
		return true
	}
	rule, _ := checkDestination(app.Cluster, proj, namespace)
	return rule == ""
}

// CheckObjects checks an app's objects, as Plan returns them, against its
// project: each object's kind against the cluster or namespace resource
// lists, and each namespaced object's namespace against destinations.
// scope tells namespaced kinds from cluster-scoped ones, after the CRDs the
// objects define; nil takes the objects' namespaces as Plan filled them. An
// app whose project is undefined gets that one violation.
func (p *Projects) CheckObjects(app *App, objs []*Object, scope Scope) []Violation {
	proj, err := p.Project(app.Project)
	if err != nil {
		return []Violation{violation(app, app.Project, RuleProject, "", err.Error())}
	}
	if proj == nil || proj.implicit {
		return nil
	}
	if scope != nil {
		manifests := make([]*unstructured.Unstructured, 0, len(objs))
		for _, o := range objs {
			manifests = append(manifests, o.Manifest)
		}
		scope = newCRDScope(manifests, scope)
	}
	var out []Violation
	for _, o := range objs {
		if v := checkProjectObject(app, proj, o, scope); v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// checkProjectObject is Argo CD's resource rule for one object.
func checkProjectObject(app *App, proj *AppProject, o *Object, scope Scope) *Violation {
	k := o.Key
	name := objectName(k)
	refuse := func(rule, msg string) *Violation {
		v := violation(app, proj.Metadata.Name, rule, name, msg)
		v.File, v.Line = o.File, o.Line
		return &v
	}
	namespaced := k.Namespace != ""
	if scope != nil {
		ns, err := scope.IsNamespaced(schema.GroupKind{Group: k.Group, Kind: k.Kind})
		if err != nil {
			return refuse(RuleScope, fmt.Sprintf("%s cannot be checked: whether its kind is namespaced is unknown: %v", name, err))
		}
		namespaced = ns
	}
	if !namespaced {
		return checkClusterObject(proj, o, name, refuse)
	}
	namespace := k.Namespace
	if namespace == "" {
		namespace = app.Namespace
	}
	where := name + " in namespace " + namespace
	spec := proj.Spec
	switch {
	case spec.NamespaceResourceWhitelist != nil && !inGroupKindList(spec.NamespaceResourceWhitelist, k.Group, k.Kind):
		return refuse(RuleNamespaceResourceWhitelist, where+" is not in namespaceResourceWhitelist")
	case inGroupKindList(spec.NamespaceResourceBlacklist, k.Group, k.Kind):
		return refuse(RuleNamespaceResourceBlacklist, where+" is in namespaceResourceBlacklist")
	}
	if rule, detail := checkDestination(app.Cluster, proj, namespace); rule != "" {
		return refuse(rule, where+" is not permitted by "+rule+detail)
	}
	return nil
}

// checkClusterObject checks a cluster-scoped object against the cluster
// resource lists: an empty whitelist permits none.
func checkClusterObject(proj *AppProject, o *Object, name string, refuse func(rule, msg string) *Violation) *Violation {
	k := o.Key
	if !inClusterList(proj.Spec.ClusterResourceWhitelist, k.Group, k.Kind, k.Name) {
		return refuse(RuleClusterResourceWhitelist, name+" is not in clusterResourceWhitelist")
	}
	if inClusterList(proj.Spec.ClusterResourceBlacklist, k.Group, k.Kind, k.Name) {
		return refuse(RuleClusterResourceBlacklist, name+" is in clusterResourceBlacklist")
	}
	return nil
}

// objectName renders an object as "Kind/name (group)", or "Kind/name" for
// the core group.
func objectName(k ResourceKey) string {
	name := k.Name
	if name == "" {
		name = "(generated name)"
	}
	s := k.Kind + "/" + name
	if k.Group != "" {
		s += " (" + k.Group + ")"
	}
	return s
}

// ManagedNamespace returns the Namespace that the sync option
// CreateNamespace=true creates for app, as an object to check against the
// app's project; nil when the app does not ask for it or renders that
// Namespace itself. Argo CD checks it only when it has to create it, so
// the caller checks it only when the namespace does not exist yet.
func ManagedNamespace(app *App, objs []*Object) *Object {
	if app.Namespace == "" || !hasCreateNamespace(app.SyncOptions()) {
		return nil
	}
	for _, o := range objs {
		if o.Key.Group == "" && o.Key.Kind == "Namespace" && o.Key.Name == app.Namespace {
			return nil
		}
	}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": app.Namespace}}}
	return &Object{Key: KeyOf(u), Version: "v1", Phase: PhasePreSync, File: app.File, Line: app.Line, Manifest: u}
}

// hasCreateNamespace reports whether the last CreateNamespace entry of
// syncOptions is true.
func hasCreateNamespace(opts []string) bool {
	on := false
	for _, s := range opts {
		k, v, _ := strings.Cut(strings.TrimSpace(s), "=")
		if strings.EqualFold(k, "CreateNamespace") {
			on = strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	return on
}

func denyEntry(entry string) string {
	if entry == "" {
		return " (matches no entry)"
	}
	return " (denied by entry " + entry + ")"
}

func dashIfNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
