package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// git returns the parameter sets of a git generator, read from its
// repository at its revision: one per matching directory, or one per
// object in each matching JSON or YAML file.
func (x *expander) git(g *GitGenerator) ([]paramSet, error) {
	t, err := x.gitTree(g)
	if err != nil {
		return nil, err
	}
	var sets []paramSet
	switch {
	case len(g.Directories) > 0 && len(g.Files) > 0:
		return nil, errors.New("directories and files are both set; use one git generator for each")
	case len(g.Directories) > 0:
		sets, err = x.gitDirectories(g, t)
	case len(g.Files) > 0:
		sets, err = x.gitFiles(g, t)
	default:
		return nil, errors.New("neither directories nor files is set")
	}
	if err != nil {
		return nil, fmt.Errorf("repoURL %s: %w", g.RepoURL, err)
	}
	return sets, nil
}

// gitTree returns the tree the generator reads: the served repository at
// the served revision, or its repository at its revision through
// Repositories, never the served repository for another one.
func (x *expander) gitTree(g *GitGenerator) (gitTree, error) {
	if strings.TrimSpace(g.RepoURL) == "" {
		return gitTree{}, errors.New("repoURL is empty")
	}
	t, err := x.reader.tree(x.ctx, g.RepoURL, g.Revision)
	if err != nil {
		return gitTree{}, fmt.Errorf("repoURL %s: %w", g.RepoURL, err)
	}
	return t, nil
}

// repoURLKey reduces a Git URL to host and path so that
// https://GitHub.com/org/repo.git/, https://github.com/org/repo and
// git@github.com:org/repo.git compare equal.
func repoURLKey(raw string) string {
	s := strings.TrimSpace(raw)
	host, p := "", s
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		host, p = u.Host, u.Path
	} else if at := strings.Index(s, "@"); at >= 0 && strings.Contains(s[at:], ":") {
		rest := s[at+1:]
		i := strings.Index(rest, ":")
		host, p = rest[:i], rest[i+1:]
	}
	p = strings.TrimSuffix(strings.Trim(p, "/"), ".git")
	return strings.ToLower(host) + "/" + strings.Trim(p, "/")
}

// gitDirectories keeps the repository's directories that match an included
// pattern and no excluded one, in lexical order, as Argo CD does.
func (x *expander) gitDirectories(g *GitGenerator, t gitTree) ([]paramSet, error) {
	for i, d := range g.Directories {
		if _, err := path.Match(d.Path, ""); err != nil {
			return nil, fmt.Errorf("directories[%d]: bad pattern %q: %w", i, d.Path, err)
		}
	}
	dirs, err := gitListDirectories(t.fsys)
	if err != nil {
		return nil, err
	}
	var sets []paramSet
	for _, dir := range dirs {
		include, exclude := false, false
		for _, d := range g.Directories {
			if ok, _ := path.Match(d.Path, dir); ok {
				include = include || !d.Exclude
				exclude = exclude || d.Exclude
			}
		}
		if !include || exclude {
			continue
		}
		p := paramSet{}
		x.addPathParams(p, g.PathParamPrefix, dir, "", t.revision)
		if err := x.addValues(p, g.Values); err != nil {
			return nil, fmt.Errorf("directory %s: %w", dir, err)
		}
		sets = append(sets, p)
	}
	return sets, nil
}

// gitListDirectories lists every directory of repo below the root, skipping
// those whose name starts with ".".
func gitListDirectories(repo fs.FS) ([]string, error) {
	var dirs []string
	err := fs.WalkDir(repo, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case !d.IsDir() || p == ".":
			return nil
		case strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		}
		dirs = append(dirs, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list repository directories: %w", err)
	}
	return dirs, nil
}

// gitFiles reads the files matching an included pattern and no excluded
// one, sorted by path. A file holds one object or a list of objects. Each
// file is resolved inside the repository before it is read.
func (x *expander) gitFiles(g *GitGenerator, t gitTree) ([]paramSet, error) {
	files, err := gitMatchFiles(t.fsys, g.Files, x.opts.GitFileGlobbing)
	if err != nil {
		return nil, err
	}
	var sets []paramSet
	for _, file := range files {
		data, err := x.readGitFile(t.fsys, file)
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		objects, err := parseParamFile(data)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", file, err)
		}
		for _, obj := range objects {
			p := paramSet{}
			if x.r.goTemplate {
				for k, v := range obj {
					p[k] = v
				}
			} else {
				for k, v := range flattenParams(obj) {
					p[k] = v
				}
			}
			x.addPathParams(p, g.PathParamPrefix, path.Dir(file), file, t.revision)
			if err := x.addValues(p, g.Values); err != nil {
				return nil, fmt.Errorf("file %s: %w", file, err)
			}
			sets = append(sets, p)
		}
	}
	return sets, nil
}

// readGitFile reads a matched file after resolving its symbolic links
// inside the repository. A link that leaves the repository is an error
// with Argo CD's default matching, and skipped with a note with the strict
// matching, which Argo CD also skips it in; nil data means skipped.
func (x *expander) readGitFile(repo fs.FS, file string) ([]byte, error) {
	resolved, err := ResolveRepoPath(repo, file)
	if err != nil {
		if x.opts.GitFileGlobbing == GitFileGlobbingStrict {
			x.note("git generator file %s ignored: %v", file, err)
			return nil, nil
		}
		return nil, fmt.Errorf("file %s: %w", file, err)
	}
	data, err := fs.ReadFile(repo, resolved)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return data, nil
}

// parseParamFile decodes a JSON or YAML file holding an object or a list of
// objects.
func parseParamFile(data []byte) ([]map[string]any, error) {
	var list []map[string]any
	if err := yaml.Unmarshal(data, &list); err == nil {
		return list, nil
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("want a JSON or YAML object or list of objects: %w", err)
	}
	return []map[string]any{obj}, nil
}

// addPathParams adds the path parameters of a directory (file empty) or of
// a file in dir, under prefix when set, as Argo CD names them; sha is the
// commit the generator read.
func (x *expander) addPathParams(p paramSet, prefix, dir, file, sha string) {
	segments := strings.Split(dir, "/")
	if x.r.goTemplate {
		pp := map[string]any{
			"path":               dir,
			"basename":           path.Base(dir),
			"basenameNormalized": normalizeName(path.Base(dir)),
			"segments":           stringsToAny(segments),
		}
		if file != "" {
			pp["filename"] = path.Base(file)
			pp["filenameNormalized"] = normalizeName(path.Base(file))
		}
		if prefix != "" {
			p[prefix] = map[string]any{"path": pp, "commitSHA": sha}
		} else {
			p["path"] = pp
			p["commitSHA"] = sha
		}
		return
	}
	name, shaName := "path", "commitSHA"
	if prefix != "" {
		name, shaName = prefix+".path", prefix+".commitSHA"
	}
	p[shaName] = sha
	p[name] = dir
	p[name+".basename"] = path.Base(dir)
	p[name+".basenameNormalized"] = normalizeName(path.Base(dir))
	if file != "" {
		p[name+".filename"] = path.Base(file)
		p[name+".filenameNormalized"] = normalizeName(path.Base(file))
	}
	for i, s := range segments {
		if s != "" {
			p[name+"["+strconv.Itoa(i)+"]"] = s
		}
	}
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
