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

// git returns the parameter sets of a git generator, read from the served
// repository: one per matching directory, or one per object in each
// matching JSON or YAML file.
func (x *expander) git(g *GitGenerator) ([]paramSet, error) {
	if err := x.checkRepo(g); err != nil {
		return nil, err
	}
	switch {
	case len(g.Directories) > 0 && len(g.Files) > 0:
		return nil, errors.New("directories and files are both set; use one git generator for each")
	case len(g.Directories) > 0:
		return x.gitDirectories(g)
	case len(g.Files) > 0:
		return x.gitFiles(g)
	}
	return nil, errors.New("neither directories nor files is set")
}

// checkRepo makes sure the generator reads the served repository.
func (x *expander) checkRepo(g *GitGenerator) error {
	switch {
	case x.opts.Repo == nil:
		return fmt.Errorf("repoURL %s: no repository to read", g.RepoURL)
	case g.RepoURL == "":
		return errors.New("repoURL is empty")
	case x.opts.RepoURL == "":
		x.note("served repository URL unknown; git generator repoURL %s is read from the served repository", g.RepoURL)
	case repoURLKey(g.RepoURL) != repoURLKey(x.opts.RepoURL):
		return fmt.Errorf("repoURL %s is not the served repository %s: the planner reads only the served repository, at one revision",
			g.RepoURL, x.opts.RepoURL)
	}
	if g.Revision != "" && g.Revision != "HEAD" {
		x.note("git generator revision %q ignored: the planner reads the revision being planned", g.Revision)
	}
	return nil
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
func (x *expander) gitDirectories(g *GitGenerator) ([]paramSet, error) {
	for i, d := range g.Directories {
		if _, err := path.Match(d.Path, ""); err != nil {
			return nil, fmt.Errorf("directories[%d]: bad pattern %q: %w", i, d.Path, err)
		}
	}
	dirs, err := gitListDirectories(x.opts.Repo)
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
		x.addPathParams(p, g.PathParamPrefix, dir, "")
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
func (x *expander) gitFiles(g *GitGenerator) ([]paramSet, error) {
	files, err := gitMatchFiles(x.opts.Repo, g.Files, x.opts.GitFileGlobbing)
	if err != nil {
		return nil, err
	}
	var sets []paramSet
	for _, file := range files {
		data, err := x.readGitFile(file)
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
			x.addPathParams(p, g.PathParamPrefix, path.Dir(file), file)
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
func (x *expander) readGitFile(file string) ([]byte, error) {
	resolved, err := ResolveRepoPath(x.opts.Repo, file)
	if err != nil {
		if x.opts.GitFileGlobbing == GitFileGlobbingStrict {
			x.note("git generator file %s ignored: %v", file, err)
			return nil, nil
		}
		return nil, fmt.Errorf("file %s: %w", file, err)
	}
	data, err := fs.ReadFile(x.opts.Repo, resolved)
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
// a file in dir, under prefix when set, as Argo CD names them.
func (x *expander) addPathParams(p paramSet, prefix, dir, file string) {
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
			p[prefix] = map[string]any{"path": pp, "commitSHA": x.opts.Revision}
		} else {
			p["path"] = pp
			p["commitSHA"] = x.opts.Revision
		}
		return
	}
	name, sha := "path", "commitSHA"
	if prefix != "" {
		name, sha = prefix+".path", prefix+".commitSHA"
	}
	p[sha] = x.opts.Revision
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
