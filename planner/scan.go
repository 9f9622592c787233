package planner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ClusterSecretLabel marks an Argo CD cluster Secret.
const ClusterSecretLabel = "argocd.argoproj.io/secret-type"

// Prefetcher is a repository that can read many files at once, ahead of the
// reads that follow (gitrepo.Tree does).
type Prefetcher interface {
	Prefetch(ctx context.Context, match func(path string) bool) error
}

// manifest is an Application or ApplicationSet found in the repository.
type manifest struct {
	File string
	Line int
	Obj  *unstructured.Unstructured
	// content names Obj's content when it was scanned from a repository
	// that names its files' contents: the file's scan key and the
	// document's index. "" otherwise.
	content string
}

// scan is what one pass over the repository found.
type scan struct {
	// Manifests are the Applications and ApplicationSets, in path order.
	Manifests []manifest
	// Clusters are the clusters defined by Argo CD cluster Secrets.
	Clusters []Cluster
	// ArgoFiles are the files that mention argoproj.io Applications, parsed
	// or not (Helm templates of an app of apps cannot be parsed as YAML).
	ArgoFiles []string
	// Errors are the files that could not be read or parsed.
	Errors []error

	// unchangedSince names the commit whose scan this one equals: it was
	// derived from that commit's scan, and the changed paths added,
	// removed and changed nothing in it.
	unchangedSince string
	// same is set by spliceScan when the spliced scan equals its base.
	same bool
	// incomplete is set when a file or folder could not be read: such a
	// scan is not kept (see Planner.scanTree).
	incomplete bool
	// cost estimates the bytes the scan holds.
	cost int64
}

// scanRepo walks the repository once for Applications, ApplicationSets and
// cluster Secrets. Files that mention neither are not parsed. With a
// cache, a file whose content (blob id) and path were scanned before is
// neither read nor parsed again.
func scanRepo(ctx context.Context, repo fs.FS, cfg RepoConfig, cache *parseCache) (*scan, error) {
	s := &scan{}
	if pf, ok := repo.(Prefetcher); ok {
		// Best effort: a failed prefetch leaves the reads below to do the work.
		_ = pf.Prefetch(ctx, func(p string) bool {
			return isManifestFile(p) && !excluded(p, cfg.Exclude) && !strings.Contains("/"+p, "/.") && !cache.has(scanKey(repo, p))
		})
	}
	err := fs.WalkDir(repo, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			s.Errors = append(s.Errors, fileErr(p, 0, err))
			s.incomplete = true
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if excluded(p, cfg.Exclude) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !isManifestFile(p) {
			return nil
		}
		s.add(p, scanFileCached(repo, p, cache), cfg)
		return nil
	})
	return s, err
}

func isManifestFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// excluded reports whether p matches one of the exclude globs.
func excluded(p string, globs []string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
	}
	return false
}

// add records what scanning file p found, as far as cfg's apps and
// clusters folders let it count.
func (s *scan) add(p string, fsc fileScan, cfg RepoConfig) {
	if fsc.argo {
		s.ArgoFiles = append(s.ArgoFiles, p)
		s.cost += int64(len(p)) + 16
	}
	s.cost += fsc.cost
	s.incomplete = s.incomplete || fsc.readFailed
	for _, e := range fsc.errs {
		s.Errors = append(s.Errors, e)
	}
	for i, d := range fsc.docs {
		switch {
		case isArgoKind(d.Object, "Application"), isArgoKind(d.Object, "ApplicationSet"):
			if len(cfg.Apps) == 0 || underAny(p, cfg.Apps) {
				m := manifest{File: p, Line: d.Line, Obj: d.Object}
				if fsc.key != "" {
					m.content = fsc.key + "\x00" + strconv.Itoa(i)
				}
				s.Manifests = append(s.Manifests, m)
			}
		case isClusterSecret(d.Object):
			if len(cfg.Clusters) > 0 && !underAny(p, cfg.Clusters) {
				continue
			}
			c, err := clusterFromSecret(d.Object, p)
			if err != nil {
				s.Errors = append(s.Errors, fileErr(p, d.Line, err))
				continue
			}
			s.Clusters = append(s.Clusters, c)
		}
	}
}

// isTemplateFile reports whether p sits in a Helm chart's templates folder.
func isTemplateFile(p string) bool {
	return strings.Contains("/"+p, "/templates/")
}

func isArgoKind(u *unstructured.Unstructured, kind string) bool {
	gvk := u.GroupVersionKind()
	return gvk.Group == "argoproj.io" && gvk.Kind == kind
}

func isClusterSecret(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Group == "" && gvk.Kind == "Secret" && u.GetLabels()[ClusterSecretLabel] == "cluster"
}

// underAny reports whether p is one of roots or lies under one of them.
func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if pathUnder(p, r) {
			return true
		}
	}
	return false
}

// pathUnder reports whether p is root itself or lies under it.
func pathUnder(p, root string) bool {
	if !cleanRelative(root) {
		root = strings.Trim(path.Clean(root), "/")
	}
	return underClean(p, root)
}

// underClean is pathUnder for a root already cleaned.
func underClean(p, root string) bool {
	return root == "." || root == "" || p == root || len(p) > len(root) && p[len(root)] == '/' && p[:len(root)] == root
}

// cleanRelative reports whether p is a relative path that path.Clean
// leaves as it is and that has no "." or ".." element.
func cleanRelative(p string) bool {
	if p == "" || p[0] == '/' || p[len(p)-1] == '/' {
		return false
	}
	start := 0 // a byte loop: every app's dependencies pass through here
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		if seg := p[start:i]; seg == "" || seg == "." || seg == ".." {
			return false
		}
		start = i + 1
	}
	return true
}

// clusterFromSecret reads an Argo CD cluster Secret: name and server from
// stringData or data, labels and annotations from its metadata. The
// credentials in config are left alone: the planner never needs them.
func clusterFromSecret(u *unstructured.Unstructured, file string) (Cluster, error) {
	field := func(key string) (string, error) {
		if v, ok, _ := unstructured.NestedString(u.Object, "stringData", key); ok {
			return v, nil
		}
		v, ok, _ := unstructured.NestedString(u.Object, "data", key)
		if !ok {
			return "", nil
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", fmt.Errorf("cluster Secret %s: data.%s is not base64", u.GetName(), key)
		}
		return string(b), nil
	}
	name, err := field("name")
	if err != nil {
		return Cluster{}, err
	}
	server, err := field("server")
	if err != nil {
		return Cluster{}, err
	}
	if server == "" {
		return Cluster{}, fmt.Errorf("cluster Secret %s has no server", u.GetName())
	}
	if name == "" {
		name = server
	}
	return Cluster{Name: name, Server: server, Labels: u.GetLabels(), Annotations: u.GetAnnotations(), Source: file}, nil
}

// toApplication decodes an Application object strictly, as ParseApplicationSet
// does: an unknown field is named by its path (spec.source.helm.valueFile).
func toApplication(u *unstructured.Unstructured) (Application, error) {
	var a Application
	b, err := json.Marshal(u.Object)
	if err != nil {
		return a, err
	}
	if err := decodeStrictJSON(b, &a); err != nil {
		return a, fmt.Errorf("Application %s: %w", u.GetName(), err)
	}
	if a.Metadata.Name == "" {
		return a, errors.New("Application has no metadata.name")
	}
	return a, nil
}

// toApplicationSet decodes an ApplicationSet object with the decoder
// ParseApplicationSet uses: an unknown field is named by its path
// (spec.generators[0].clusters.selectr).
func toApplicationSet(u *unstructured.Unstructured) (*ApplicationSet, error) {
	var s ApplicationSet
	b, err := json.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	if err := decodeStrictJSON(b, &s); err != nil {
		return nil, fmt.Errorf("ApplicationSet %s: %w", u.GetName(), err)
	}
	return &s, nil
}
