package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/yaml"
)

// kustomizeSandbox makes sure Kustomize reads nothing but the repository.
// Kustomize fetches on its own whatever it reads as an address: a base or
// component that parses as a Git URL is cloned with git (GitHub.com/org/repo,
// user@host:org/repo, https://…?ref=…), a file whose path has an http or
// https scheme is downloaded. Rather than guess every such spelling, the
// sandbox accepts a reference only when it names a file or directory that
// exists inside the repository, and hands it to Kustomize rewritten as
// "./path" or "../path", a form Kustomize never reads as an address. Every
// other reference is refused with the file and line that names it.
//
// It walks the kustomization of the source and every local base and
// component it reaches, writes the rewritten kustomizations into the file
// system's overlay, and checks the paths that the configurations of
// generators, transformers and validators give Kustomize to read.
type kustomizeSandbox struct {
	fs   *kustomizeFS
	seen map[string]bool
	rf   *resource.Factory
	rmf  *resmap.Factory
}

func newKustomizeSandbox(kfs *kustomizeFS) *kustomizeSandbox {
	rf := provider.NewDepProvider().GetResourceFactory()
	return &kustomizeSandbox{fs: kfs, seen: map[string]bool{}, rf: rf, rmf: resmap.NewFactory(rf)}
}

// kustFile is one kustomization being checked.
type kustFile struct {
	s    *kustomizeSandbox
	path string // repository path of the kustomization file
	dir  string // its directory, Kustomize's root for the paths it names
	data []byte
	k    map[string]any
	// bases are the directories it names, visited after it.
	bases []string
}

// kustomizeHelmFields inflate Helm charts by running the helm binary.
var kustomizeHelmFields = []string{"helmCharts", "helmChartInflationGenerator", "helmGlobals"}

// check checks the kustomization in dir, a resolved repository path, and
// every kustomization it reaches.
func (s *kustomizeSandbox) check(dir string) error {
	if s.seen[dir] {
		return nil
	}
	s.seen[dir] = true
	kfile := ""
	for _, name := range kustomizationFiles {
		if p := joinRepo(dir, name); s.fs.Exists(mountPath(p)) {
			kfile = p
			break
		}
	}
	if kfile == "" {
		return nil // a plain directory of manifests; Kustomize reports it
	}
	data, err := s.fs.ReadFile(mountPath(kfile))
	if err != nil {
		return fileErr(kfile, 0, fmt.Errorf("read kustomization: %w", err))
	}
	kf := &kustFile{s: s, path: kfile, dir: dir, data: data}
	if err := yaml.Unmarshal(data, &kf.k); err != nil {
		return yamlSyntaxError(kfile, 1, err)
	}
	for _, f := range kustomizeHelmFields {
		if _, ok := kf.k[f]; ok {
			return fileErr(kfile, lineOf(data, f), fmt.Errorf("kustomize %s is not supported: point the app at the chart as a Helm source", f))
		}
	}
	if err := kf.rewrite(); err != nil {
		return err
	}
	rewritten, err := yaml.Marshal(kf.k)
	if err != nil {
		return fileErr(kfile, 0, fmt.Errorf("rewrite kustomization: %w", err))
	}
	resolved, err := ResolveRepoPath(s.fs.repo, kfile)
	if err != nil {
		return fileErr(kfile, 0, err)
	}
	s.fs.overlay[resolved] = rewritten
	for _, b := range kf.bases {
		if err := s.check(b); err != nil {
			return err
		}
	}
	return nil
}

// rewrite checks and rewrites every reference of the kustomization.
func (kf *kustFile) rewrite() error {
	for _, field := range []string{"resources", "bases", "components"} {
		if err := kf.eachString(kf.k, field, kf.base); err != nil {
			return err
		}
	}
	for _, field := range []string{"generators", "transformers", "validators"} {
		if err := kf.eachString(kf.k, field, kf.plugin); err != nil {
			return err
		}
	}
	for _, field := range []string{"crds", "configurations"} {
		if err := kf.eachString(kf.k, field, kf.fileRef); err != nil {
			return err
		}
	}
	if err := kf.eachString(kf.k, "patchesStrategicMerge", kf.inlineOrFile); err != nil {
		return err
	}
	for _, field := range []string{"patches", "patchesJson6902", "replacements"} {
		if err := kf.eachMap(kf.k, field, func(m map[string]any) error { return kf.field(m, "path", kf.fileRef) }); err != nil {
			return err
		}
	}
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		if err := kf.eachMap(kf.k, field, kf.generatorSources); err != nil {
			return err
		}
	}
	if openapi, ok := kf.k["openapi"].(map[string]any); ok {
		return kf.field(openapi, "path", kf.fileRef)
	}
	return nil
}

// generatorSources rewrites the files, envs and env of a ConfigMap or
// Secret generator.
func (kf *kustFile) generatorSources(g map[string]any) error {
	if err := kf.eachString(g, "files", kf.fileSource); err != nil {
		return err
	}
	if err := kf.eachString(g, "envs", kf.fileRef); err != nil {
		return err
	}
	return kf.field(g, "env", kf.fileRef)
}

// eachString replaces every string in the list m[field] by fn's result.
func (kf *kustFile) eachString(m map[string]any, field string, fn func(string) (string, error)) error {
	list, _ := m[field].([]any)
	for i, v := range list {
		if ref, ok := v.(string); ok {
			out, err := fn(ref)
			if err != nil {
				return err
			}
			list[i] = out
		}
	}
	return nil
}

// eachMap calls fn with every object in the list m[field].
func (kf *kustFile) eachMap(m map[string]any, field string, fn func(map[string]any) error) error {
	list, _ := m[field].([]any)
	for _, v := range list {
		if obj, ok := v.(map[string]any); ok {
			if err := fn(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// field replaces the string m[key], when set, by fn's result.
func (kf *kustFile) field(m map[string]any, key string, fn func(string) (string, error)) error {
	ref, ok := m[key].(string)
	if !ok || ref == "" {
		return nil
	}
	out, err := fn(ref)
	if err == nil {
		m[key] = out
	}
	return err
}

// base accepts a resource, base or component that is a file or a directory
// in the repository; a directory is visited after this kustomization.
func (kf *kustFile) base(ref string) (string, error) {
	out, resolved, isDir, err := kf.local("base", ref)
	if err == nil && isDir {
		kf.bases = append(kf.bases, resolved)
	}
	return out, err
}

// fileRef accepts a file in the repository.
func (kf *kustFile) fileRef(ref string) (string, error) {
	out, _, isDir, err := kf.local("file", ref)
	if err == nil && isDir {
		return "", fileErr(kf.path, lineOf(kf.data, ref), fmt.Errorf("kustomize file %s is a directory", ref))
	}
	return out, err
}

// fileSource accepts a generator's "[key=]path" file source.
func (kf *kustFile) fileSource(ref string) (string, error) {
	key, p, found := strings.Cut(ref, "=")
	if !found {
		return kf.fileRef(ref)
	}
	out, err := kf.fileRef(p)
	return key + "=" + out, err
}

// inlineOrFile accepts an inline patch as it is, or a patch file.
func (kf *kustFile) inlineOrFile(ref string) (string, error) {
	if _, err := kf.s.rf.SliceFromBytes([]byte(ref)); err == nil {
		return ref, nil
	}
	return kf.fileRef(ref)
}

// local resolves ref, written in the kustomization, to a file or directory
// inside the repository and returns it spelled as Kustomize reads a local
// path, its resolved repository path, and whether it is a directory.
// Anything that is not such a path is refused, whatever it looks like.
func (kf *kustFile) local(what, ref string) (out, resolved string, isDir bool, err error) {
	line := lineOf(kf.data, ref)
	fail := func(format string, args ...any) (string, string, bool, error) {
		return "", "", false, fileErr(kf.path, line, fmt.Errorf(format, args...))
	}
	p, err := RepoPath(kf.dir, ref)
	if err != nil {
		return fail("kustomize %s %s escapes the repository", what, ref)
	}
	if resolved, err = ResolveRepoPath(kf.s.fs.repo, p); err != nil {
		return fail("kustomize %s %s: %v", what, ref, err)
	}
	info, err := kf.s.stat(resolved)
	if err != nil {
		return fail("kustomize %s %s is not a file or directory in the repository: "+
			"gitwave renders from the repository alone and never fetches a Git or HTTP address; vendor it into the repository", what, ref)
	}
	if info.IsDir() && ambiguousSegment(ref) {
		return fail("kustomize %s %q has a path segment with \"..\" inside it; check the YAML indentation of the list", what, ref)
	}
	return localSpelling(ref), resolved, info.IsDir(), nil
}

// stat describes a resolved repository path, overlay files included.
func (s *kustomizeSandbox) stat(p string) (fs.FileInfo, error) {
	if data, ok := s.fs.overlay[p]; ok {
		return memInfo{&memFile{name: path.Base(p), size: int64(len(data))}}, nil
	}
	return fs.Stat(s.fs.repo, p)
}

// localSpelling writes a relative path so that Kustomize reads it as a
// local path: cleaned and led by "./" or "../". Neither Kustomize's Git
// URL parser nor its HTTP check accepts a string that starts with a dot.
func localSpelling(ref string) string {
	c := path.Clean(ref)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return c
	}
	return "./" + c
}

// ambiguousSegment reports a path segment that holds ".." without being
// "..", which Kustomize refuses in a directory's path as a likely YAML
// indentation error ("base - ../x"); cleaning the path would otherwise
// hide it.
func ambiguousSegment(ref string) bool {
	for _, part := range strings.Split(ref, "/") {
		if part != ".." && strings.Contains(part, "..") {
			return true
		}
	}
	return false
}

// errPluginDirectory refuses a generator, transformer or validator that
// names a directory, whose configurations Kustomize would build first.
var errPluginDirectory = errors.New("is a directory: gitwave reads generator, transformer and validator configurations only from files or inline, where it can check the paths they read")
