package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// The types in this file are the part of Argo CD's argoproj.io/v1alpha1
// AppProject that gitwave enforces; the other fields are read and left
// alone, so that users' manifests decode unchanged.

// AppProject is an Argo CD AppProject manifest as found in the repository.
type AppProject struct {
	APIVersion string         `json:"apiVersion,omitempty"`
	Kind       string         `json:"kind,omitempty"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       AppProjectSpec `json:"spec"`
	Status     any            `json:"status,omitempty"`
	// File is the repository path of the manifest.
	File string `json:"-"`
	// Line is the 1-based line where the manifest's document starts.
	Line int `json:"-"`

	// implicit marks the allow-all default project of a repository that
	// does not define "default".
	implicit bool
}

// AppProjectSpec is what a project permits. gitwave enforces sourceRepos,
// destinations and the four resource lists; roles, sync windows, signature
// keys and the rest are accepted and not enforced.
type AppProjectSpec struct {
	SourceRepos                     []string                     `json:"sourceRepos,omitempty"`
	Destinations                    []Destination                `json:"destinations,omitempty"`
	Description                     string                       `json:"description,omitempty"`
	Roles                           []any                        `json:"roles,omitempty"`
	ClusterResourceWhitelist        []ClusterResourceRestriction `json:"clusterResourceWhitelist,omitempty"`
	ClusterResourceBlacklist        []ClusterResourceRestriction `json:"clusterResourceBlacklist,omitempty"`
	NamespaceResourceWhitelist      []GroupKind                  `json:"namespaceResourceWhitelist,omitempty"`
	NamespaceResourceBlacklist      []GroupKind                  `json:"namespaceResourceBlacklist,omitempty"`
	OrphanedResources               any                          `json:"orphanedResources,omitempty"`
	SyncWindows                     []any                        `json:"syncWindows,omitempty"`
	SignatureKeys                   []any                        `json:"signatureKeys,omitempty"`
	SourceNamespaces                []string                     `json:"sourceNamespaces,omitempty"`
	PermitOnlyProjectScopedClusters bool                         `json:"permitOnlyProjectScopedClusters,omitempty"`
	DestinationServiceAccounts      []any                        `json:"destinationServiceAccounts,omitempty"`
	SourceIntegrity                 any                          `json:"sourceIntegrity,omitempty"`
}

// GroupKind is a namespaced resource list entry: group and kind globs.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// ClusterResourceRestriction is a cluster resource list entry: group and
// kind globs and, optionally, a name glob.
type ClusterResourceRestriction struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
}

// DefaultProject is the project every Application names when it names
// none.
const DefaultProject = "default"

// allowAllDefault is the default project as Argo CD creates it: every
// repository, every server and namespace, every cluster-scoped kind, and,
// having no namespaced list, every namespaced kind.
func allowAllDefault() *AppProject {
	return &AppProject{implicit: true, Metadata: ObjectMeta{Name: DefaultProject}, Spec: AppProjectSpec{
		SourceRepos:              []string{"*"},
		Destinations:             []Destination{{Server: "*", Namespace: "*"}},
		ClusterResourceWhitelist: []ClusterResourceRestriction{{Group: "*", Kind: "*"}},
	}}
}

// Projects are the AppProjects a repository defines at one revision: the
// tenancy boundary of its apps. When the repository defines none, nothing
// is enforced. When it defines some, an app must name one of them (or
// "default", which allows everything unless the repository defines it).
// A nil *Projects enforces nothing.
type Projects struct {
	// Revision is the revision the projects were read from.
	Revision string
	// byName holds the projects that were read, by name.
	byName map[string]*AppProject
	// broken holds, by name, why a project cannot be used: it does not
	// decode, or it is defined twice. Its apps are refused.
	broken map[string]error
	// defined is true when the repository has at least one AppProject
	// manifest, read or not.
	defined bool
	// unreadable is why a file or folder could not be read at all; it may
	// have held AppProjects, so every app is refused until it reads.
	unreadable error
	// repoURL names the repository itself, for sources without a repoURL.
	repoURL string
}

// LoadProjects reads every AppProject manifest in the repository (outside
// RepoConfig.Exclude and hidden folders). A manifest that cannot be read is
// reported and still turns enforcement on; its project, when its name can
// be read, refuses its apps with the reason. The errors are *RenderErrors
// with the file and line.
func LoadProjects(ctx context.Context, src Source) (*Projects, []error) {
	p := &Projects{Revision: src.Revision, byName: map[string]*AppProject{}, broken: map[string]error{}, repoURL: src.RepoURL}
	if src.Repo == nil {
		return p, nil
	}
	if pf, ok := src.Repo.(Prefetcher); ok {
		// Best effort: a failed prefetch leaves the reads below to do the work.
		_ = pf.Prefetch(ctx, func(f string) bool {
			return isManifestFile(f) && !excluded(f, src.Config.Exclude) && !strings.Contains("/"+f, "/.")
		})
	}
	var errs []error
	err := fs.WalkDir(src.Repo, ".", func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			p.refuseAll(fileErr(f, 0, err))
			errs = append(errs, fileErr(f, 0, err))
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if excluded(f, src.Config.Exclude) || d.IsDir() && f != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isManifestFile(f) {
			errs = append(errs, p.readFile(src.Repo, f)...)
		}
		return nil
	})
	if err != nil {
		p.refuseAll(err)
		errs = append(errs, fmt.Errorf("read AppProjects: %w", err))
	}
	return p, errs
}

// refuseAll fails closed: a repository that cannot be read whole may hide
// an AppProject, so projects are enforced and every app is refused.
func (p *Projects) refuseAll(err error) {
	p.defined = true
	if p.unreadable == nil {
		p.unreadable = err
	}
}

// appProjectKind finds a document that declares an AppProject.
var appProjectKind = regexp.MustCompile(`(?m)^\s*"?kind"?\s*:\s*["']?AppProject\b`)

// readFile reads the AppProjects of one file.
func (p *Projects) readFile(repo fs.FS, f string) []error {
	data, err := fs.ReadFile(repo, f)
	if err != nil {
		p.refuseAll(fileErr(f, 0, err))
		return []error{fileErr(f, 0, err)}
	}
	if !bytes.Contains(data, []byte("AppProject")) || !bytes.Contains(data, []byte("argoproj.io")) {
		return nil
	}
	declares := appProjectKind.Match(data)
	if bytes.Contains(data, []byte("{{")) && isTemplateFile(f) {
		if declares {
			return []error{fileErr(f, 0, errors.New("an AppProject in a Helm template is not read: gitwave reads AppProjects from plain manifests only"))}
		}
		return nil
	}
	docs, parseErrs := parseDocuments(f, data)
	var errs []error
	for _, e := range parseErrs {
		if declares {
			p.defined = true
			errs = append(errs, e)
		}
	}
	for _, d := range docs {
		if isArgoKind(d.Object, "AppProject") {
			p.defined = true
			if err := p.add(d.Object, f, d.Line); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// add decodes one AppProject and records it, or records why its project
// cannot be used.
func (p *Projects) add(u *unstructured.Unstructured, file string, line int) error {
	name := u.GetName()
	if name == "" {
		return fileErr(file, line, errors.New("AppProject has no metadata.name"))
	}
	proj, err := toAppProject(u)
	if err != nil {
		err = fileErr(file, line, err)
		p.markBroken(name, err)
		return err
	}
	proj.File, proj.Line = file, line
	if prev, dup := p.byName[name]; dup {
		err := fileErr(file, line, fmt.Errorf("AppProject %s is defined twice: here and in %s:%d", name, prev.File, prev.Line))
		p.markBroken(name, err)
		return err
	}
	if _, bad := p.broken[name]; bad {
		return nil
	}
	p.byName[name] = proj
	return nil
}

// markBroken makes a project unusable: its apps are refused with err.
func (p *Projects) markBroken(name string, err error) {
	if _, bad := p.broken[name]; !bad {
		p.broken[name] = err
	}
	delete(p.byName, name)
}

// toAppProject decodes an AppProject strictly: a misspelt field is an
// error, not a rule silently dropped.
func toAppProject(u *unstructured.Unstructured) (*AppProject, error) {
	b, err := json.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	var proj AppProject
	if err := yaml.UnmarshalStrict(b, &proj); err != nil {
		return nil, fmt.Errorf("AppProject %s: %w", u.GetName(), err)
	}
	return &proj, nil
}

// Enforced reports whether the repository defines at least one AppProject,
// so that apps are held to their projects.
func (p *Projects) Enforced() bool { return p != nil && p.defined }

// Names lists the projects an app may name, sorted: those the repository
// defines and can be read, and "default" unless the repository defines it.
func (p *Projects) Names() []string {
	if p == nil {
		return nil
	}
	names := make([]string, 0, len(p.byName)+1)
	for n := range p.byName {
		names = append(names, n)
	}
	if _, ok := p.byName[DefaultProject]; !ok && p.broken[DefaultProject] == nil {
		names = append(names, DefaultProject)
	}
	slices.Sort(names)
	return names
}

// Restricts reports whether an app's objects are checked at all: false
// when nothing is enforced or the app is in the allow-all default project,
// so that callers can skip rendering and cluster lookups for it.
func (p *Projects) Restricts(app *App) bool {
	proj, err := p.Project(app.Project)
	return err != nil || proj != nil && !proj.implicit
}

// Project returns the project an app names, as enforced: the repository's
// definition, the allow-all default, or an error saying why the app's
// project cannot be used. With nothing enforced it returns nil, nil.
func (p *Projects) Project(name string) (*AppProject, error) {
	if !p.Enforced() {
		return nil, nil
	}
	if p.unreadable != nil {
		return nil, fmt.Errorf("the AppProjects cannot all be read: %w", p.unreadable)
	}
	if name == "" {
		name = DefaultProject
	}
	if proj, ok := p.byName[name]; ok {
		return proj, nil
	}
	if err := p.broken[name]; err != nil {
		return nil, fmt.Errorf("the AppProject cannot be read: %w", err)
	}
	if name == DefaultProject {
		return allowAllDefault(), nil
	}
	return nil, fmt.Errorf("no AppProject of that name is defined (defined: %s)", strings.Join(p.Names(), ", "))
}
