package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
)

// helmValues merges an app's Helm values in Argo CD's order, later winning:
// valueFiles in order, then valuesObject (or, when it is unset, the values
// string), then parameters and fileParameters. The chart's own values.yaml
// sits below all of them and is merged by Helm.
func helmValues(repo fs.FS, rs renderSource, h *ApplicationSourceHelm) (map[string]any, error) {
	vals := map[string]any{}
	for _, vf := range h.ValueFiles {
		fileVals, err := readValueFile(repo, rs, h, vf)
		if err != nil {
			return nil, err
		}
		vals = mergeValues(vals, fileVals)
	}
	inline, err := inlineValues(h)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, err)
	}
	vals = mergeValues(vals, inline)
	for _, p := range h.Parameters {
		var err error
		if p.ForceString {
			err = strvals.ParseIntoString(p.Name+"="+escapeSetValue(p.Value), vals)
		} else {
			err = strvals.ParseInto(p.Name+"="+escapeSetValue(p.Value), vals)
		}
		if err != nil {
			return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("helm parameter %s: %w", p.Name, err))
		}
	}
	for _, fp := range h.FileParameters {
		fsys, p, err := valueFilePath(repo, rs, fp.Path)
		if err != nil {
			return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("helm file parameter %s: %w", fp.Name, err))
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("helm file parameter %s: read %s: %w", fp.Name, p, err))
		}
		reader := func([]rune) (any, error) { return string(data), nil }
		if err := strvals.ParseIntoFile(fp.Name+"=_", vals, reader); err != nil {
			return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("helm file parameter %s: %w", fp.Name, err))
		}
	}
	return vals, nil
}

// readValueFile reads one valueFiles entry, or returns nil when it is
// missing and the app ignores missing value files.
func readValueFile(repo fs.FS, rs renderSource, h *ApplicationSourceHelm, vf string) (map[string]any, error) {
	fsys, p, err := valueFilePath(repo, rs, vf)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("value file %s: %w", vf, err))
	}
	data, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) && h.IgnoreMissingValueFiles {
		return nil, nil
	}
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("value file %s: %w", vf, err))
	}
	vals, err := chartutil.ReadValues(data)
	if err != nil {
		return nil, yamlSyntaxError(p, 1, err)
	}
	return vals, nil
}

// valueFilePath resolves a value file as Argo CD does: relative to the
// source path in the source's own tree, or to the root of a ref source's
// tree (its repository at its targetRevision) after a `$ref/` prefix. The
// `secrets://` prefix of helm-secrets is accepted. Absolute paths, URLs,
// paths leaving the repository and symbolic links leaving it are refused.
// It returns the tree to read the path from.
func valueFilePath(repo fs.FS, rs renderSource, vf string) (fs.FS, string, error) {
	vf = strings.TrimPrefix(vf, helmSecretsPrefix)
	if strings.Contains(vf, "://") {
		return nil, "", errors.New("remote value files are not supported: put the file in the repository")
	}
	base, fsys := rs.path, repo
	if strings.HasPrefix(vf, "$") {
		ref, rest, _ := strings.Cut(vf, "/")
		root, ok := rs.refs[ref]
		if !ok {
			return nil, "", fmt.Errorf("no source has ref %q", strings.TrimPrefix(ref, "$"))
		}
		if rest == "" {
			return nil, "", fmt.Errorf("%s names no file", ref)
		}
		base, vf = ".", rest
		if root.fsys != nil {
			fsys = root.fsys
		}
	}
	p, err := repoFile(fsys, base, vf)
	return fsys, p, err
}

// inlineValues returns valuesObject when set, else the parsed values
// string: Argo CD uses valuesObject in place of values.
func inlineValues(h *ApplicationSourceHelm) (map[string]any, error) {
	if h.ValuesObject != nil {
		return deepCopyMap(h.ValuesObject), nil
	}
	if strings.TrimSpace(h.Values) == "" {
		return nil, nil
	}
	vals, err := chartutil.ReadValues([]byte(h.Values))
	if err != nil {
		return nil, fmt.Errorf("helm.values: %w", err)
	}
	return vals, nil
}

// mergeValues merges src into dst as `helm -f` does: maps merge key by
// key, anything else in src replaces what dst holds.
func mergeValues(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// escapeSetValue escapes the commas of a parameter value, as Argo CD does,
// so that "a,b" stays one string; a "{a,b}" list is left alone.
func escapeSetValue(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == ',' && (i == 0 || v[i-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
