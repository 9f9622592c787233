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
// templates rendered as `helm template` does, parsed charts cached. A
// render reads other repositories and chart repositories only through the
// Repositories of the Source it plans; Kustomize reads only paths inside
// the source's tree.
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
// chart path (charts from chart repositories by repository, name and
// archive digest), for as long as it lives.
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
	// repo is the tree the source reads: the served repository, another
	// repository at the source's targetRevision, or an unpacked chart.
	repo fs.FS
	// path is the cleaned path of the source in repo.
	path string
	// refs maps "$name" to the tree of the `ref:` source of that name.
	refs map[string]refSource
	// reader fetches chart dependencies; nil fetches nothing.
	reader *sourceReader
	// budget counts the objects and bytes the app renders; nil counts
	// nothing.
	budget *renderBudget
}

// refSource is the tree a `$name/...` value file is read from; a nil fsys
// means the tree of the source reading it.
type refSource struct {
	fsys fs.FS
}

// renderOutput is one render of an app: its objects, and what each of its
// sources was read at.
type renderOutput struct {
	objs    []Rendered
	sources []SourceRevision
}

// Render returns the objects app deploys, in the order its sources produce
// them, sources concatenated in spec order. repo is the tree of the
// repository of the app's first source, at that source's targetRevision,
// rooted at the repository root: a source naming another repository,
// another revision or a chart repository is an *UnlistedSourceError (a
// Planner reads those through Source.Repositories). Every error is a
// *RenderError naming the app and its cluster. The default Limits apply;
// a Planner renders within its own.
func (r *Renderer) Render(ctx context.Context, repo fs.FS, app *App) ([]Rendered, error) {
	out, err := r.renderLimited(ctx, appRepoReader(repo, app), app, Limits{})
	return out.objs, err
}

// appRepoReader reads repo as the repository of app's first source at that
// source's targetRevision, and nothing else.
func appRepoReader(repo fs.FS, app *App) *sourceReader {
	src := Source{Repo: repo}
	if s := app.Spec.AllSources(); len(s) > 0 && s[0].Chart == "" {
		src.RepoURL, src.Revision = s[0].RepoURL, s[0].TargetRevision
	}
	return newSourceReader(src)
}

// renderLimited renders app within the limits: a render still running at
// l.RenderTimeout is abandoned and fails with "render of APP exceeded
// 60s"; one that produces more objects or bytes than allowed fails with
// the limit it passed. Fetching other repositories' trees and charts
// counts against the same deadline.
func (r *Renderer) renderLimited(ctx context.Context, rd *sourceReader, app *App, l Limits) (renderOutput, error) {
	l = l.WithDefaults()
	budget := newRenderBudget(app.Name, l)
	secrets := &SecretValues{}
	rd = rd.decrypting(r.Options.Decrypter, secrets)
	out, timedOut, err := within(ctx, l.RenderTimeout, func(ctx context.Context) (renderOutput, error) {
		return r.render(ctx, rd, app, budget)
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
		return renderOutput{}, re
	}
	markSecrets(out.objs, secrets)
	return out, nil
}

func (r *Renderer) render(ctx context.Context, rd *sourceReader, app *App, budget *renderBudget) (renderOutput, error) {
	sources := app.Spec.AllSources()
	if len(sources) == 0 {
		return renderOutput{}, fileErr(app.File, app.Line, errors.New("the Application has no source"))
	}
	trees, revs, err := resolveSources(ctx, rd, sources)
	if err != nil {
		return renderOutput{}, fileErr(app.File, app.Line, err)
	}
	refs, err := sourceRefs(sources, trees)
	if err != nil {
		return renderOutput{}, fileErr(app.File, app.Line, err)
	}
	out := renderOutput{sources: revs}
	for i := range sources {
		if err := ctx.Err(); err != nil {
			return renderOutput{}, err
		}
		src := &sources[i]
		if src.Ref != "" && src.Path == "" && src.Chart == "" {
			continue // a values-only source: its files are read through $ref
		}
		rs := renderSource{app: app, src: src, index: i, repo: trees[i].fsys, refs: refs, reader: rd, budget: budget}
		var objs []Rendered
		if src.Chart != "" {
			var a ChartArchive
			objs, a, err = r.renderChartSource(ctx, rs)
			out.sources[i].Revision, out.sources[i].Digest = a.Version, a.Digest
		} else {
			objs, err = r.renderOne(ctx, rs)
		}
		if err != nil {
			return renderOutput{}, err
		}
		if err := budget.addObjects(len(objs), firstNonEmpty(src.Path, app.File)); err != nil {
			return renderOutput{}, err
		}
		out.objs = append(out.objs, objs...)
	}
	return out, nil
}

// resolveSources finds the tree of every Git source, each at its
// targetRevision, and starts each source's SourceRevision. Chart sources
// are fetched when rendered.
func resolveSources(ctx context.Context, rd *sourceReader, sources []ApplicationSource) ([]gitTree, []SourceRevision, error) {
	trees := make([]gitTree, len(sources))
	revs := make([]SourceRevision, len(sources))
	for i, s := range sources {
		if s.Plugin != nil {
			return nil, nil, fmt.Errorf("source %d: config management plugins are not supported", i+1)
		}
		revs[i] = SourceRevision{RepoURL: s.RepoURL, Path: s.Path, Chart: s.Chart, Ref: s.Ref, TargetRevision: s.TargetRevision}
		if s.Chart != "" {
			continue
		}
		t, err := rd.tree(ctx, s.RepoURL, s.TargetRevision)
		if err != nil {
			return nil, nil, fmt.Errorf("source %d: %w", i+1, err)
		}
		trees[i], revs[i].Revision, revs[i].Served = t, t.revision, t.served
	}
	return trees, revs, nil
}

// sourceRefs returns the `$ref` names that value files may use, each with
// the tree of its source; trees may be nil (every ref then reads the tree
// of the source using it).
func sourceRefs(sources []ApplicationSource, trees []gitTree) (map[string]refSource, error) {
	refs := map[string]refSource{}
	for i, s := range sources {
		if s.Ref == "" {
			continue
		}
		if s.Chart != "" {
			return nil, fmt.Errorf("source %d: ref %q is set on a chart source: $ref value files are read from Git sources", i+1, s.Ref)
		}
		var ref refSource
		if trees != nil {
			ref.fsys = trees[i].fsys
		}
		refs["$"+s.Ref] = ref
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

// renderOne renders one Git source with the renderer its type calls for.
func (r *Renderer) renderOne(ctx context.Context, rs renderSource) ([]Rendered, error) {
	repo := rs.repo
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
