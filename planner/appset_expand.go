package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// resourcesFinalizer is the finalizer Argo CD adds to every generated
// Application unless syncPolicy.preserveResourcesOnDeletion is set.
const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

// ExpandOptions carries what expansion needs besides the ApplicationSet.
// The zero value expands list, clusters-free and matrix generators; the git
// generator needs Repo.
type ExpandOptions struct {
	// Clusters are the known clusters (gitwave config clusters and Argo CD
	// cluster Secrets) in the order the clusters generator lists them.
	Clusters []Cluster
	// Repo is the served repository at the revision being planned.
	Repo fs.FS
	// RepoURL is the served repository's URL. A git generator whose
	// repoURL names it (compared without ".git", trailing "/", scheme,
	// user and case of host) at the served revision reads Repo; any other
	// repository or revision is read through Repositories. Empty means
	// unknown (the CLI): every git generator then reads through
	// Repositories.
	RepoURL string
	// Branch is the branch Repo stands for; see Source.Branch.
	Branch string
	// Repositories reads the other repositories git generators name; nil
	// makes each of them an *UnlistedSourceError.
	Repositories Repositories
	// GitFileGlobbing selects how git files generators match their paths:
	// Argo CD's default (empty or GitFileGlobbingDefault) or
	// GitFileGlobbingStrict.
	GitFileGlobbing GitFileGlobbing
	// Revision is the commit SHA Repo is read at, given to git generator
	// templates as commitSHA. Empty is allowed.
	Revision string
	// Limits bound the expansion: it is abandoned after RenderTimeout and
	// stops once it has generated more than MaxAppsPerAppSet
	// Applications; MaxRenderedBytesPerApp bounds one templated field.
	// The zero value is the defaults.
	Limits Limits
	// Note receives remarks about input that gitwave accepted but does not
	// follow as Argo CD would (such as a symbolic link skipped). Nil
	// drops them.
	Note func(note string)

	// reader is the Discover pass's, so that its fetches are shared.
	reader *sourceReader
}

// ExpandError is a failure to expand one ApplicationSet: a bad generator,
// a template error or a generated Application that does not decode.
type ExpandError struct {
	// AppSet is the ApplicationSet's name.
	AppSet string
	// File and Line locate the ApplicationSet manifest; Line is 0 when
	// unknown.
	File string
	Line int
	// Generator is the index in spec.generators, or -1 when the error
	// concerns the whole ApplicationSet.
	Generator int
	// Params describes the parameter set being templated, values elided;
	// empty when the error came before templating.
	Params string
	// Err is the cause.
	Err error
}

// Error renders the error with the ApplicationSet, file, generator and
// parameter set first.
func (e *ExpandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ApplicationSet %s (%s)", e.AppSet, appsetLocation(e.File, e.Line))
	if e.Generator >= 0 {
		fmt.Fprintf(&b, ": generator %d", e.Generator)
	}
	if e.Params != "" {
		fmt.Fprintf(&b, ": params %s", e.Params)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the cause.
func (e *ExpandError) Unwrap() error { return e.Err }

// paramSet is one set of generator parameters: nested maps in goTemplate
// mode, flat string values in legacy mode.
type paramSet = map[string]any

// expander holds what one Expand call needs.
type expander struct {
	// ctx bounds the reads of git generators.
	ctx    context.Context
	reader *sourceReader
	set    *ApplicationSet
	opts   ExpandOptions
	r      *paramTemplater
	noted  map[string]bool
	// maxApps is the most parameter sets any generator may produce.
	maxApps int
}

// generatedBy remembers which generator and parameter set produced a name.
type generatedBy struct {
	generator int
	params    paramSet
}

// Expand returns one Application per generated parameter set, templated, in
// generator order, within opts.Limits.
func (s *ApplicationSet) Expand(ctx context.Context, opts ExpandOptions) ([]Application, error) {
	opts.Limits = opts.Limits.WithDefaults()
	// An expansion abandoned at its deadline may still note something:
	// notes stop reaching the caller once Expand has returned.
	var mu sync.Mutex
	returned, note := false, opts.Note
	opts.Note = func(n string) {
		mu.Lock()
		defer mu.Unlock()
		if !returned && note != nil {
			note(n)
		}
	}
	defer func() {
		mu.Lock()
		returned = true
		mu.Unlock()
	}()
	apps, timedOut, err := within(ctx, opts.Limits.RenderTimeout, func(ctx context.Context) ([]Application, error) {
		return s.expand(ctx, opts)
	})
	if timedOut {
		return nil, s.fail(-1, nil, &LimitError{What: "expansion", Limit: "renderTimeout",
			Message: "exceeded " + seconds(opts.Limits.RenderTimeout)})
	}
	return apps, err
}

// errTooManyApps is the limit error of an ApplicationSet that generates
// more than max Applications.
func errTooManyApps(max int) *LimitError {
	return &LimitError{What: "the ApplicationSet", Limit: "maxAppsPerApplicationSet",
		Message: fmt.Sprintf("generates more than %d apps", max)}
}

func (s *ApplicationSet) expand(ctx context.Context, opts ExpandOptions) ([]Application, error) {
	r, err := newParamTemplater(s.Spec.GoTemplate, s.Spec.GoTemplateOptions)
	if err != nil {
		return nil, s.fail(-1, nil, err)
	}
	switch {
	case len(s.Spec.Generators) == 0:
		return nil, s.fail(-1, nil, fmt.Errorf("spec.generators is empty"))
	case s.Spec.TemplatePatch != nil && !s.Spec.GoTemplate:
		return nil, s.fail(-1, nil, errTemplatePatchNeedsGoTemplate)
	}
	defer r.guard(ctx, opts.Limits.MaxRenderedBytesPerApp)()
	rd := opts.reader
	if rd == nil {
		rd = newSourceReader(Source{Repo: opts.Repo, RepoURL: opts.RepoURL, Revision: opts.Revision, Branch: opts.Branch, Repositories: opts.Repositories})
	}
	x := &expander{ctx: ctx, set: s, opts: opts, r: r, noted: map[string]bool{}, maxApps: opts.Limits.MaxAppsPerAppSet, reader: rd}
	var apps []Application
	seen := map[string]generatedBy{}
	for i := range s.Spec.Generators {
		g := &s.Spec.Generators[i]
		sets, err := x.generate(ctx, g, 0, nil)
		if err != nil {
			return nil, s.fail(i, nil, err)
		}
		if len(apps)+len(sets) > x.maxApps {
			return nil, s.fail(i, nil, errTooManyApps(x.maxApps))
		}
		tmpl, err := mergeTemplates(g.template(), s.Spec.Template)
		if err != nil {
			return nil, s.fail(i, nil, err)
		}
		var sk *appSkeleton
		if s.Spec.TemplatePatch == nil && len(sets) > 1 {
			sk = newAppSkeleton(tmpl)
		}
		for _, p := range sets {
			if err := ctx.Err(); err != nil {
				return nil, s.fail(i, nil, err)
			}
			app, err := x.render(tmpl, sk, p)
			if err != nil {
				return nil, s.fail(i, p, err)
			}
			if prev, dup := seen[app.Metadata.Name]; dup {
				return nil, s.fail(i, p, fmt.Errorf("duplicate Application name %q: also generated by generator %d with params %s",
					app.Metadata.Name, prev.generator, describeParams(prev.params)))
			}
			seen[app.Metadata.Name] = generatedBy{generator: i, params: p}
			apps = append(apps, app)
		}
	}
	return apps, nil
}

func (s *ApplicationSet) fail(generator int, p paramSet, err error) *ExpandError {
	e := &ExpandError{AppSet: s.Metadata.Name, File: s.File, Line: s.Line, Generator: generator, Err: err}
	if p != nil {
		e.Params = describeParams(p)
	}
	return e
}

// note passes a remark to ExpandOptions.Note, once per expansion.
func (x *expander) note(format string, args ...any) {
	msg := fmt.Sprintf("ApplicationSet %s (%s): ", x.set.Metadata.Name, appsetLocation(x.set.File, x.set.Line)) +
		fmt.Sprintf(format, args...)
	if x.opts.Note != nil && !x.noted[msg] {
		x.noted[msg] = true
		x.opts.Note(msg)
	}
}

// render templates tmpl with p, applies the templatePatch and decodes the
// result strictly into an Application; with sk, the template decoded once,
// it templates a copy of sk instead, which comes to the same.
func (x *expander) render(tmpl map[string]any, sk *appSkeleton, p paramSet) (Application, error) {
	var app Application
	var err error
	if sk != nil {
		app, err = x.r.renderSkeleton(sk, p)
	} else {
		app, err = x.renderJSON(tmpl, p)
	}
	if err != nil {
		return Application{}, err
	}
	app.Metadata.Namespace = x.set.Metadata.Namespace
	sp := x.set.Spec.SyncPolicy
	if (sp == nil || !sp.PreserveResourcesOnDeletion) && len(app.Metadata.Finalizers) == 0 {
		app.Metadata.Finalizers = []string{resourcesFinalizer}
	}
	if msgs := validation.IsDNS1123Subdomain(app.Metadata.Name); len(msgs) > 0 {
		return Application{}, fmt.Errorf("generated Application name %q is not valid: %s", app.Metadata.Name, strings.Join(msgs, "; "))
	}
	return app, nil
}

// renderJSON templates tmpl's JSON with p, applies the templatePatch and
// decodes the result strictly.
func (x *expander) renderJSON(tmpl map[string]any, p paramSet) (Application, error) {
	out, err := x.r.renderValue("", tmpl, p)
	if err != nil {
		return Application{}, err
	}
	obj := out.(map[string]any)
	if patch := x.set.Spec.TemplatePatch; patch != nil {
		if obj, err = x.applyTemplatePatch(obj, *patch, p); err != nil {
			return Application{}, err
		}
	}
	obj["apiVersion"] = "argoproj.io/v1alpha1"
	obj["kind"] = "Application"
	data, err := json.Marshal(obj)
	if err != nil {
		return Application{}, fmt.Errorf("encode generated Application: %w", err)
	}
	var app Application
	if err := decodeStrictJSON(data, &app); err != nil {
		return Application{}, fmt.Errorf("decode generated Application: %w", err)
	}
	return app, nil
}

// applyTemplatePatch templates the patch with p and applies it to obj as a
// JSON merge patch (RFC 7386).
func (x *expander) applyTemplatePatch(obj map[string]any, patch string, p paramSet) (map[string]any, error) {
	text, err := x.r.renderString("templatePatch", patch, p)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("templatePatch: parse the templated patch: %w", err)
	}
	return jsonMergePatch(obj, doc), nil
}

// describeParams renders a parameter set for an error message: flattened
// keys in order, long values cut, at most a dozen keys. The
// last-applied-configuration annotation, which can hold a whole cluster
// Secret, is never shown.
func describeParams(p paramSet) string {
	const maxKeys, maxValue = 12, 32
	flat := flattenParams(p)
	keys := sortedMapKeys(flat)
	parts := make([]string, 0, min(len(keys), maxKeys)+1)
	for i, k := range keys {
		if i == maxKeys {
			parts = append(parts, fmt.Sprintf("…+%d", len(keys)-maxKeys))
			break
		}
		v := []rune(flat[k])
		if strings.HasSuffix(k, "last-applied-configuration") {
			v = []rune("(hidden)")
		}
		if len(v) > maxValue {
			v = append(v[:maxValue-1], '…')
		}
		parts = append(parts, k+"="+string(v))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// maxNesting is how deep matrix and merge generators may nest: a matrix or
// merge child of a top-level matrix or merge is allowed, no deeper.
const maxNesting = 1

// generate returns the parameter sets of one generator. depth is 0 for an
// entry of spec.generators and grows by one inside matrix and merge. outer,
// when not empty, holds the parameters of a matrix's first child, which
// the strings of this (second) child are templated with first.
func (x *expander) generate(ctx context.Context, g *ApplicationSetGenerator, depth int, outer paramSet) ([]paramSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kind, err := g.kind()
	if err != nil {
		return nil, err
	}
	if (kind == "matrix" || kind == "merge") && depth > maxNesting {
		return nil, fmt.Errorf("%s generator nested too deep: matrix and merge nest only once", kind)
	}
	if len(outer) > 0 {
		if g, err = x.interpolate(g, outer); err != nil {
			return nil, fmt.Errorf("%s generator: template with the first generator's params: %w", kind, err)
		}
	}
	var sets []paramSet
	switch kind {
	case "list":
		sets, err = x.list(g.List)
	case "clusters":
		sets, err = x.clusters(g.Clusters)
	case "git":
		sets, err = x.git(g.Git)
	case "matrix":
		sets, err = x.matrix(ctx, g.Matrix, depth)
	case "merge":
		sets, err = x.merge(ctx, g.Merge, depth)
	}
	if err != nil {
		return nil, fmt.Errorf("%s generator: %w", kind, err)
	}
	if len(sets) > x.maxApps {
		return nil, fmt.Errorf("%s generator: %w", kind, errTooManyApps(x.maxApps))
	}
	if sets, err = filterParams(g.Selector, sets); err != nil {
		return nil, fmt.Errorf("%s generator: selector: %w", kind, err)
	}
	return sets, nil
}

// filterParams keeps the parameter sets whose flattened parameters match
// sel; a nil sel keeps all.
func filterParams(sel *metav1.LabelSelector, sets []paramSet) ([]paramSet, error) {
	if sel == nil {
		return sets, nil
	}
	s, err := compileSelector(sel)
	if err != nil {
		return nil, err
	}
	var out []paramSet
	for _, p := range sets {
		if s.matches(flattenParams(p)) {
			out = append(out, p)
		}
	}
	return out, nil
}

// interpolate returns a copy of g with every string templated with params,
// as Argo CD does for a matrix's second generator. Template overrides are
// dropped: Argo CD ignores them on matrix and merge children.
func (x *expander) interpolate(g *ApplicationSetGenerator, params paramSet) (*ApplicationSetGenerator, error) {
	data, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		return nil, err
	}
	for _, v := range generic {
		if kind, ok := v.(map[string]any); ok {
			delete(kind, "template")
		}
	}
	taken := takeValues(generic)
	out, err := x.r.renderValue("", generic, params)
	if err != nil {
		return nil, err
	}
	for kind, values := range taken {
		resolved, err := x.preResolveValues(kind, values, params)
		if err != nil {
			return nil, err
		}
		out.(map[string]any)[kind].(map[string]any)["values"] = resolved
	}
	if data, err = json.Marshal(out); err != nil {
		return nil, err
	}
	var ig ApplicationSetGenerator
	if err := json.Unmarshal(data, &ig); err != nil {
		return nil, fmt.Errorf("decode templated generator: %w", err)
	}
	return &ig, nil
}
