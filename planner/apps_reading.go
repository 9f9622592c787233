package planner

import (
	"slices"
	"strings"
)

// AppsReading returns the apps of inv, in inventory order, that read one
// of files, paths in the Git repository repoURL (compared as git generators
// compare URLs; a source without repoURL names the served repository). A
// source reads a file when the file lies under the source's path (for Helm
// and Kustomize sources too: the chart or kustomization directory), or
// when the file is one of its Helm valueFiles or fileParameters, relative
// to the path or, as `$ref/...`, to the root of a ref source of repoURL.
// A chart repository source reads only its `$ref` value files. The sources' targetRevision
// is not compared: the caller picks the revision (a pull request's target
// branch) and may check each app's SourceRevision. Bases and components a
// kustomization names outside its directory are not followed.
//
// The bot uses it for a pull request in a source repository: the apps
// whose diff it comments are AppsReading(the PR's repository, its changed
// files) of every served repository's inventory.
func (inv *Inventory) AppsReading(repoURL string, files []string) []*App {
	if inv == nil || len(files) == 0 {
		return nil
	}
	servedURL := ""
	if inv.reader != nil {
		servedURL = inv.reader.servedURL
	}
	names := func(u string) bool {
		u = firstNonEmpty(strings.TrimSpace(u), servedURL)
		return u != "" && repoURLKey(u) == repoURLKey(repoURL) || u == "" && strings.TrimSpace(repoURL) == ""
	}
	var out []*App
	for _, app := range inv.Apps {
		if slices.ContainsFunc(app.Spec.AllSources(), func(s ApplicationSource) bool {
			return sourceReads(s, app.Spec.AllSources(), names, files)
		}) {
			out = append(out, app)
		}
	}
	return out
}

// sourceReads reports whether source s of an app with sources all reads
// one of files of the repository names accepts.
func sourceReads(s ApplicationSource, all []ApplicationSource, names func(string) bool, files []string) bool {
	own := s.Chart == "" && names(s.RepoURL)
	if own && s.Path != "" && Touches([]string{s.Path}, files) {
		return true
	}
	if s.Helm == nil {
		return false
	}
	paths := slices.Clone(s.Helm.ValueFiles)
	for _, fp := range s.Helm.FileParameters {
		paths = append(paths, fp.Path)
	}
	for _, vf := range paths {
		if f, ok := readsFile(s, all, names, own, vf); ok && slices.Contains(files, f) {
			return true
		}
	}
	return false
}

// readsFile resolves a value file of s to a path in the repository names
// accepts; ok is false when it lies in another repository.
func readsFile(s ApplicationSource, all []ApplicationSource, names func(string) bool, own bool, vf string) (string, bool) {
	if !strings.HasPrefix(vf, "$") {
		p, err := RepoPath(s.Path, vf)
		return p, own && err == nil
	}
	ref, rest, _ := strings.Cut(vf, "/")
	for _, r := range all {
		if r.Chart == "" && "$"+r.Ref == ref && r.Ref != "" && names(r.RepoURL) {
			p, err := RepoPath("", rest)
			return p, err == nil
		}
	}
	return "", false
}
