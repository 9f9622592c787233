package planner

import (
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// Dependencies returns the repository paths an app's rendering reads: its
// own manifest, each source path, Helm value files anywhere in the
// repository, local chart dependencies, and Kustomize bases and components
// outside the source path. A changed file under any of them affects the
// app. When a dependency cannot be worked out, the repository root is
// returned, so that the app counts as affected by any change.
func Dependencies(repo fs.FS, app *App) []string {
	deps := []string{app.File}
	sources := app.Spec.AllSources()
	refs, err := sourceRefs(sources)
	if err != nil {
		return []string{"."}
	}
	for i := range sources {
		src := &sources[i]
		if src.Path == "" {
			continue
		}
		p, err := RepoPath("", src.Path)
		if err != nil {
			return []string{"."}
		}
		deps = append(deps, p)
		rs := renderSource{app: app, src: src, index: i, path: p, refs: refs}
		if src.Helm != nil {
			for _, vf := range src.Helm.ValueFiles {
				if f, err := valueFilePath(repo, rs, vf); err == nil {
					deps = append(deps, f)
				}
			}
			for _, fp := range src.Helm.FileParameters {
				if f, err := RepoPath(p, fp.Path); err == nil {
					deps = append(deps, f)
				}
			}
		}
		deps = append(deps, chartDependencies(repo, p)...)
		deps = append(deps, kustomizeDirs(repo, p)...)
	}
	return deps
}

// chartDependencies lists the local charts (file://) a chart's Chart.yaml
// depends on.
func chartDependencies(repo fs.FS, dir string) []string {
	data, err := fs.ReadFile(repo, path.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil
	}
	var c struct {
		Dependencies []struct {
			Repository string `json:"repository"`
		} `json:"dependencies"`
	}
	if yaml.Unmarshal(data, &c) != nil {
		return []string{"."}
	}
	var out []string
	for _, d := range c.Dependencies {
		if rel, ok := strings.CutPrefix(d.Repository, "file://"); ok {
			if p, err := RepoPath(dir, rel); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// kustomizeDirs lists every local directory a kustomization in dir reaches
// through resources, bases and components.
func kustomizeDirs(repo fs.FS, dir string) []string {
	if kustomizationFile(repo, dir) == "" {
		return nil
	}
	scan := kustomizeScan{fs: newKustomizeFS(repo, nil), allowRemote: true, seen: map[string]bool{}}
	if err := scan.check(dir); err != nil {
		return nil // rendering reports it; the source path is already a dependency
	}
	out := make([]string, 0, len(scan.seen))
	for d := range scan.seen {
		out = append(out, d)
	}
	return out
}

// Touches reports whether any changed file lies under one of deps.
func Touches(deps, changed []string) bool {
	for _, f := range changed {
		for _, d := range deps {
			if pathUnder(f, d) {
				return true
			}
		}
	}
	return false
}
