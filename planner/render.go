package planner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Rendered is one object an app deploys, with where it came from.
type Rendered struct {
	// Object is the rendered Kubernetes object. Namespaces are not filled in.
	Object *unstructured.Unstructured
	// File is the repository path the object came from: the manifest file of
	// a directory source, the template of a Helm chart
	// ("charts/x/templates/deploy.yaml"), or the kustomization directory.
	File string
	// Line is the 1-based line where the object's document starts in File,
	// or 0 where the renderer cannot tell (Helm, Kustomize).
	Line int
	// Source is the index of the source in the app's sources that produced
	// the object.
	Source int
	// Secrets are the values the app's render decrypted from SOPS files,
	// nil when it decrypted none; every output masks them.
	Secrets *SecretValues
}

// RenderError is a bad manifest, template or source setting, located as
// precisely as the renderer can: file, line, app and cluster. It is
// terminal: rendering the same revision again fails the same way.
type RenderError struct {
	// App is the app's name.
	App string
	// Cluster is the name of the cluster the app was rendered for.
	Cluster string
	// File is the repository path at fault, or "" when the app's spec is.
	File string
	// Line is the 1-based line in File, or 0 when unknown.
	Line int
	// Err says what is wrong.
	Err error
}

// Error reads like
// "apps/payment/values-prod.yaml:12: app payment on cluster staging: <what>".
func (e *RenderError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.App != "" {
		b.WriteString("app " + e.App)
		if e.Cluster != "" {
			b.WriteString(" on cluster " + e.Cluster)
		}
		b.WriteString(": ")
	}
	if e.Err == nil {
		b.WriteString("render failed")
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *RenderError) Unwrap() error { return e.Err }

// fileErr is the error renderers return for a problem at a file and line;
// Render adds the app and the cluster.
func fileErr(file string, line int, err error) *RenderError {
	return &RenderError{File: file, Line: line, Err: err}
}

// RenderOptions tunes a Renderer. The zero value is the default: Helm
// templates rendered as `helm template` does, parsed charts cached. No
// option lets a render fetch anything: Kustomize reads only paths inside
// the repository and Helm only vendored charts.
type RenderOptions struct {
	// HelmStrict renders Helm templates with missingkey=error (as
	// `helm lint --strict`), so a reference to a value that is not set is a
	// RenderError instead of an empty string.
	HelmStrict bool
	// DisableChartCache loads every chart from the repository on every
	// render instead of reusing charts parsed earlier by this Renderer.
	DisableChartCache bool
	// Decrypter decrypts the SOPS files a render reads (sopsage.Keys);
	// nil holds no key, and an app that reads a SOPS file fails.
	Decrypter Decrypter
}

// Renderer renders apps' sources into objects: plain directories, Kustomize
// and Helm, all in-process. The zero value is ready to use and safe for
// concurrent use; it caches parsed Helm charts, keyed by repository and
// chart path, for as long as it lives.
type Renderer struct {
	// Options tunes the renderer; set it before the first Render.
	Options RenderOptions

	charts     sync.Map // chartCacheKey -> *chartCacheEntry
	chartCount atomic.Int64
}

// sourceKind is how a source is rendered.
type sourceKind int

const (
	kindDirectory sourceKind = iota
	kindKustomize
	kindHelm
)

// renderSource is one source about to be rendered, with what every
// renderer needs.
type renderSource struct {
	app   *App
	src   *ApplicationSource
	index int
	// path is the cleaned repository path of the source.
	path string
	// refs maps "$name" to the repository root of a `ref:` source; every
	// source here reads the same repository, so the root is always ".".
	refs map[string]string
	// budget counts the objects and bytes the app renders; nil counts
	// nothing.
	budget *renderBudget
}

// Render returns the objects app deploys, in the order its sources produce
// them, sources concatenated in spec order. repo is the app's repository at
// the app's revision, rooted at the repository root. Every error is a
// *RenderError naming the app and its cluster. The default Limits apply;
// a Planner renders within its own.
func (r *Renderer) Render(ctx context.Context, repo fs.FS, app *App) ([]Rendered, error) {
	return r.renderLimited(ctx, repo, app, Limits{})
}

// renderLimited renders app within the limits: a render still running at
// l.RenderTimeout is abandoned and fails with "render of APP exceeded
// 60s"; one that produces more objects or bytes than allowed fails with
// the limit it passed.
func (r *Renderer) renderLimited(ctx context.Context, repo fs.FS, app *App, l Limits) ([]Rendered, error) {
	l = l.WithDefaults()
	budget := newRenderBudget(app.Name, l)
	secrets := &SecretValues{}
	repo = decryptingRepo(repo, r.Options.Decrypter, secrets)
	out, timedOut, err := within(ctx, l.RenderTimeout, func(ctx context.Context) ([]Rendered, error) {
		return r.render(ctx, repo, app, budget)
	})
	if timedOut {
		err = &LimitError{What: "render of " + app.Name, Limit: "renderTimeout", Message: "exceeded " + seconds(l.RenderTimeout)}
	}
	if err != nil {
		var re *RenderError
		if !errors.As(err, &re) {
			re = &RenderError{Err: err}
		}
		re.App, re.Cluster = app.Name, app.Cluster.Name
		redactRenderError(re, secrets)
		return nil, re
	}
	markSecrets(out, secrets)
	return out, nil
}

func (r *Renderer) render(ctx context.Context, repo fs.FS, app *App, budget *renderBudget) ([]Rendered, error) {
	sources := app.Spec.AllSources()
	if len(sources) == 0 {
		return nil, fileErr(app.File, app.Line, errors.New("the Application has no source"))
	}
	refs, err := sourceRefs(sources)
	if err != nil {
		return nil, fileErr(app.File, app.Line, err)
	}
	var out []Rendered
	for i := range sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src := &sources[i]
		if src.Ref != "" && src.Path == "" && src.Chart == "" {
			continue // a values-only source: its files are read through $ref
		}
		objs, err := r.renderOne(ctx, repo, renderSource{app: app, src: src, index: i, refs: refs, budget: budget})
		if err != nil {
			return nil, err
		}
		if err := budget.addObjects(len(objs), firstNonEmpty(src.Path, app.File)); err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// sourceRefs checks that every source reads the one repository the planner
// was given and returns the `$ref` names that value files may use.
func sourceRefs(sources []ApplicationSource) (map[string]string, error) {
	refs := map[string]string{}
	repoURL := ""
	for i, s := range sources {
		if s.Plugin != nil {
			return nil, fmt.Errorf("source %d: config management plugins are not supported", i+1)
		}
		if s.Chart != "" {
			return nil, fmt.Errorf("source %d: chart %q from %s: remote Helm chart repositories are not supported: vendor the chart into the repo", i+1, s.Chart, s.RepoURL)
		}
		if s.RepoURL != "" {
			norm := normalizeRepoURL(s.RepoURL)
			if repoURL == "" {
				repoURL = norm
			} else if norm != repoURL {
				return nil, fmt.Errorf("source %d: repoURL %s differs from %s: every source must read the application's own repository", i+1, s.RepoURL, sources[0].RepoURL)
			}
		}
		if s.Ref != "" {
			refs["$"+s.Ref] = "."
		}
	}
	return refs, nil
}

// normalizeRepoURL makes equal the spellings of one repository URL that Git
// treats alike: case, a trailing slash, a ".git" suffix.
func normalizeRepoURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(u, "/")
	return strings.TrimSuffix(u, ".git")
}

// renderOne renders one source with the renderer its type calls for.
func (r *Renderer) renderOne(ctx context.Context, repo fs.FS, rs renderSource) ([]Rendered, error) {
	p, err := repoFile(repo, ".", rs.src.Path)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("source path: %w", err))
	}
	rs.path = p
	info, err := fs.Stat(repo, p)
	if err != nil || !info.IsDir() {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("source path %s is not a directory in the repository", rs.src.Path))
	}
	kind, err := detectSourceKind(repo, rs.src, p)
	if err != nil {
		return nil, fileErr(p, 0, err)
	}
	var objs []Rendered
	switch kind {
	case kindHelm:
		objs, err = r.renderHelm(ctx, repo, rs)
	case kindKustomize:
		objs, err = r.renderKustomize(ctx, repo, rs)
	default:
		objs, err = renderDirectory(ctx, repo, rs)
	}
	for i := range objs {
		objs[i].Source = rs.index
	}
	return objs, err
}

// kustomizationFiles are the names Kustomize looks for, in its order.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// detectSourceKind decides a source's type as Argo CD does: an explicit
// helm or kustomize block, else the files in the source directory.
func detectSourceKind(repo fs.FS, src *ApplicationSource, dir string) (sourceKind, error) {
	set := 0
	if src.Helm != nil {
		set++
	}
	if src.Kustomize != nil {
		set++
	}
	if src.Directory != nil {
		set++
	}
	if set > 1 {
		return 0, errors.New("source sets more than one of helm, kustomize and directory")
	}
	switch {
	case src.Helm != nil:
		return kindHelm, nil
	case src.Kustomize != nil:
		return kindKustomize, nil
	case src.Directory != nil:
		return kindDirectory, nil
	}
	if exists(repo, joinRepo(dir, "Chart.yaml")) {
		return kindHelm, nil
	}
	if kustomizationFile(repo, dir) != "" {
		return kindKustomize, nil
	}
	return kindDirectory, nil
}

// kustomizationFile returns the path of dir's kustomization file, or "".
func kustomizationFile(repo fs.FS, dir string) string {
	for _, name := range kustomizationFiles {
		if p := joinRepo(dir, name); exists(repo, p) {
			return p
		}
	}
	return ""
}

// joinRepo joins repository path elements, keeping "." out of the result.
func joinRepo(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

func exists(repo fs.FS, p string) bool {
	_, err := fs.Stat(repo, p)
	return err == nil
}
