package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"sigs.k8s.io/kustomize/api/resource"
)

// pluginPathFields names, for each built-in Kustomize plugin that reads
// files, the fields of its configuration that hold paths. Kustomize reads
// them relative to the kustomization that lists the plugin, and downloads
// one that has an http or https scheme.
var pluginPathFields = map[string][]string{
	"PatchTransformer":               {"path"},
	"PatchJson6902Transformer":       {"path"},
	"PatchStrategicMergeTransformer": {"paths"},
	"ReplacementTransformer":         {"replacements[].path"},
	"ValueAddTransformer":            {"targetFilePath"},
	"ConfigMapGenerator":             {"files", "envs", "env"},
	"SecretGenerator":                {"files", "envs", "env"},
}

// plugin accepts a generator, transformer or validator: inline
// configurations, or a file of them, whose paths are checked.
func (kf *kustFile) plugin(ref string) (string, error) {
	if rm, err := kf.s.rmf.NewResMapFromBytes([]byte(ref)); err == nil {
		return ref, kf.pluginConfigs(rm.Resources(), kf.path, kf.data)
	}
	out, resolved, isDir, err := kf.local("plugin configuration", ref)
	if err != nil {
		return "", err
	}
	if isDir {
		return "", fileErr(kf.path, lineOf(kf.data, ref), fmt.Errorf("kustomize plugin configuration %s %w", ref, errPluginDirectory))
	}
	data, err := fs.ReadFile(kf.s.fs.repo, resolved)
	if err != nil {
		return "", fileErr(resolved, 0, fmt.Errorf("read kustomize plugin configuration: %w", err))
	}
	rm, err := kf.s.rmf.NewResMapFromBytes(data)
	if err != nil {
		return out, nil // not configurations; Kustomize reports it
	}
	return out, kf.pluginConfigs(rm.Resources(), resolved, data)
}

// pluginConfigs checks every path the configurations give Kustomize to
// read. src and data locate them for errors: the kustomization for inline
// ones, else their file.
func (kf *kustFile) pluginConfigs(configs []*resource.Resource, src string, data []byte) error {
	for _, r := range configs {
		kind := r.GetKind()
		if kind == "HelmChartInflationGenerator" {
			return fileErr(src, lineOf(data, kind), fmt.Errorf("kustomize %s is not supported: point the app at the chart as a Helm source", kind))
		}
		obj, err := r.Map()
		if err != nil {
			return fileErr(src, 0, fmt.Errorf("kustomize %s configuration: %w", kind, err))
		}
		for _, field := range pluginPathFields[kind] {
			for _, p := range pluginPaths(obj, field) {
				if _, err := kf.s.rf.SliceFromBytes([]byte(p)); field == "paths" && err == nil {
					continue // an inline patch, as PatchStrategicMergeTransformer reads it first
				}
				if err := kf.pluginPath(kind, p, src, data); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pluginPaths returns the strings at field of obj: a string, a list of
// strings, or "list[].key" for a key of each object in a list. File
// sources lose their "key=" and inline patches are left out.
func pluginPaths(obj map[string]any, field string) []string {
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" && !strings.Contains(s, "\n") {
			if field == "files" {
				if _, p, found := strings.Cut(s, "="); found {
					s = p
				}
			}
			out = append(out, s)
		}
	}
	if list, key, ok := strings.Cut(field, "[]."); ok {
		items, _ := obj[list].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				add(m[key])
			}
		}
		return out
	}
	switch v := obj[field].(type) {
	case []any:
		for _, it := range v {
			add(it)
		}
	default:
		add(v)
	}
	return out
}

// pluginPath accepts a path a plugin configuration gives Kustomize to
// read: a file in the repository, written so that it cannot carry a URL
// scheme (no ":" before its first "/").
func (kf *kustFile) pluginPath(kind, p, src string, data []byte) error {
	line := lineOf(data, p)
	first, _, _ := strings.Cut(p, "/")
	if strings.Contains(first, ":") {
		return fileErr(src, line, fmt.Errorf("kustomize %s reads %s, which is not a path in the repository: "+
			"gitwave renders from the repository alone and never fetches an HTTP address; vendor it into the repository", kind, p))
	}
	_, _, isDir, err := kf.local(kind+" file", p)
	if err != nil {
		var re *RenderError
		if errors.As(err, &re) {
			re.File, re.Line = src, line
		}
		return err
	}
	if isDir {
		return fileErr(src, line, fmt.Errorf("kustomize %s file %s is a directory", kind, p))
	}
	return nil
}
