package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// renderKustomize builds a Kustomize source in-process, as `kustomize
// build` would, over a read-only view of the repository: no exec or KRM
// function plugins, no Helm inflation, and nothing but paths inside the
// repository (kustomizeSandbox), so that no Git or HTTP fetch ever runs. The app's kustomize overrides are applied
// to an in-memory copy of the kustomization file, as Argo CD edits a copy.
func (r *Renderer) renderKustomize(ctx context.Context, repo fs.FS, rs renderSource) ([]Rendered, error) {
	kfile := kustomizationFile(repo, rs.path)
	if kfile == "" {
		return nil, fileErr(rs.path, 0, errors.New("no kustomization.yaml, kustomization.yml or Kustomization in the source directory"))
	}
	overlay := map[string][]byte{}
	if rs.src.Kustomize != nil {
		data, err := fs.ReadFile(repo, kfile)
		if err != nil {
			return nil, fileErr(kfile, 0, fmt.Errorf("read kustomization: %w", err))
		}
		edited, err := applyKustomizeOverrides(data, rs.src.Kustomize)
		if err != nil {
			return nil, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("kustomize overrides for %s: %w", kfile, err))
		}
		overlay[kfile] = edited
	}
	kfs := newKustomizeFS(repo, overlay)
	if err := newKustomizeSandbox(kfs).check(rs.path); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // as the kustomize CLI
	opts.PluginConfig = types.DisabledPluginConfig()
	resMap, err := krusty.MakeKustomizer(opts).Run(kfs, mountPath(rs.path))
	if err != nil {
		if esc := kfs.Escaped(); esc != "" {
			return nil, fileErr(kfile, 0, fmt.Errorf("kustomize base %s escapes the repository", esc))
		}
		msg := strings.ReplaceAll(err.Error(), kustomizeMount+"/", "")
		return nil, fileErr(kfile, 0, fmt.Errorf("kustomize build: %s", msg))
	}
	out := make([]Rendered, 0, resMap.Size())
	for _, res := range resMap.Resources() {
		js, err := res.MarshalJSON()
		if err != nil {
			return nil, fileErr(kfile, 0, fmt.Errorf("kustomize output %s: %w", res.CurId(), err))
		}
		if err := rs.budget.addBytes(int64(len(js)), kfile); err != nil {
			return nil, err
		}
		objs, err := decodeObject(js)
		if err != nil {
			return nil, fileErr(kfile, 0, fmt.Errorf("kustomize output %s: %w", res.CurId(), err))
		}
		for _, o := range objs {
			out = append(out, Rendered{Object: o, File: rs.path})
		}
	}
	return out, nil
}

// kustomizationRefs are the fields of a kustomization that name other
// files or directories, as the dependency index reads them.
type kustomizationRefs struct {
	Resources             []string          `json:"resources"`
	Bases                 []string          `json:"bases"`
	Components            []string          `json:"components"`
	Crds                  []string          `json:"crds"`
	Configurations        []string          `json:"configurations"`
	PatchesStrategicMerge []string          `json:"patchesStrategicMerge"`
	Generators            []string          `json:"generators"`
	Transformers          []string          `json:"transformers"`
	Validators            []string          `json:"validators"`
	Patches               []pathRef         `json:"patches"`
	PatchesJSON6902       []pathRef         `json:"patchesJson6902"`
	Replacements          []pathRef         `json:"replacements"`
	ConfigMapGenerator    []generatorRef    `json:"configMapGenerator"`
	SecretGenerator       []generatorRef    `json:"secretGenerator"`
	OpenAPI               map[string]string `json:"openapi"`
	HelmCharts            []any             `json:"helmCharts"`
}

type pathRef struct {
	Path string `json:"path"`
}

type generatorRef struct {
	Files []string `json:"files"`
	Envs  []string `json:"envs"`
	Env   string   `json:"env"`
}

// dirRefs are the references that may be directories holding their own
// kustomization.
func (k *kustomizationRefs) dirRefs() []string {
	var out []string
	out = append(out, k.Resources...)
	out = append(out, k.Bases...)
	return append(out, k.Components...)
}

// fileRefs are the references to files; inline documents are skipped.
func (k *kustomizationRefs) fileRefs() []string {
	var out []string
	add := func(refs ...string) {
		for _, r := range refs {
			if r != "" && !strings.ContainsAny(r, "\n:") || isRemoteRef(r) {
				out = append(out, r)
			}
		}
	}
	add(k.Crds...)
	add(k.Configurations...)
	add(k.PatchesStrategicMerge...)
	add(k.Generators...)
	add(k.Transformers...)
	add(k.Validators...)
	for _, lists := range [][]pathRef{k.Patches, k.PatchesJSON6902, k.Replacements} {
		for _, p := range lists {
			add(p.Path)
		}
	}
	for _, g := range append(append([]generatorRef{}, k.ConfigMapGenerator...), k.SecretGenerator...) {
		for _, f := range g.Files {
			if i := strings.Index(f, "="); i >= 0 {
				f = f[i+1:]
			}
			add(f)
		}
		add(g.Envs...)
		add(g.Env)
	}
	add(k.OpenAPI["path"])
	return out
}

// lineOf returns the 1-based line of the first occurrence of s in data, or
// 0.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// applyKustomizeOverrides edits a kustomization file with an app's
// kustomize block as Argo CD does with `kustomize edit`: prefix, suffix and
// namespace replace; images and replicas replace the entry of the same name
// or are appended; labels and annotations are merged, a different value
// for a key already set being an error unless forced; components and
// patches are appended.
func applyKustomizeOverrides(data []byte, o *ApplicationSourceKustomize) ([]byte, error) {
	k := map[string]any{}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("parse kustomization: %w", err)
	}
	if o.NamePrefix != "" {
		k["namePrefix"] = o.NamePrefix
	}
	if o.NameSuffix != "" {
		k["nameSuffix"] = o.NameSuffix
	}
	if o.Namespace != "" {
		k["namespace"] = o.Namespace
	}
	for _, img := range o.Images {
		entry, err := parseKustomizeImage(img)
		if err != nil {
			return nil, err
		}
		k["images"] = upsertByName(k["images"], entry)
	}
	for _, rep := range o.Replicas {
		count, err := replicaCount(rep)
		if err != nil {
			return nil, err
		}
		k["replicas"] = upsertByName(k["replicas"], map[string]any{"name": rep.Name, "count": count})
	}
	var err error
	if k["commonLabels"], err = mergeStringMap(k["commonLabels"], o.CommonLabels, "label", o.ForceCommonLabels); err != nil {
		return nil, err
	}
	if k["commonAnnotations"], err = mergeStringMap(k["commonAnnotations"], o.CommonAnnotations, "annotation", o.ForceCommonAnnotations); err != nil {
		return nil, err
	}
	for _, c := range o.Components {
		k["components"] = appendUnique(k["components"], c)
	}
	for _, p := range o.Patches {
		list, _ := k["patches"].([]any)
		k["patches"] = append(list, p)
	}
	for key, v := range k {
		if v == nil {
			delete(k, key)
		}
	}
	return yaml.Marshal(k)
}

// parseKustomizeImage reads an image override as `kustomize edit set
// image` does: "name=newName:tag", "name=newName@digest", "name:tag",
// "name@digest" or "name=newName".
func parseKustomizeImage(s string) (map[string]any, error) {
	name, ref, renamed := strings.Cut(s, "=")
	if !renamed {
		ref = s
	}
	img, tag, digest := ref, "", ""
	if i := strings.Index(ref, "@"); i >= 0 {
		img, digest = ref[:i], ref[i+1:]
	} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		img, tag = ref[:i], ref[i+1:]
	}
	if !renamed {
		name = img
	}
	if name == "" || img == "" {
		return nil, fmt.Errorf("image override %q: want name[=newName][:tag|@digest]", s)
	}
	entry := map[string]any{"name": name}
	if img != name {
		entry["newName"] = img
	}
	if tag != "" {
		entry["newTag"] = tag
	}
	if digest != "" {
		entry["digest"] = digest
	}
	return entry, nil
}

// replicaCount reads a replicas override's count, a number or a string
// holding one.
func replicaCount(r KustomizeReplica) (int64, error) {
	switch c := r.Count.(type) {
	case int:
		return int64(c), nil
	case int64:
		return c, nil
	case float64:
		if c == float64(int64(c)) {
			return int64(c), nil
		}
	case string:
		var n int64
		if _, err := fmt.Sscanf(c, "%d", &n); err == nil && fmt.Sprint(n) == c {
			return n, nil
		}
	}
	return 0, fmt.Errorf("replicas override %s: count %v is not a whole number", r.Name, r.Count)
}

// upsertByName replaces the entry of list whose "name" matches entry's, or
// appends entry.
func upsertByName(list any, entry map[string]any) []any {
	items, _ := list.([]any)
	for i, it := range items {
		if m, ok := it.(map[string]any); ok && m["name"] == entry["name"] {
			items[i] = entry
			return items
		}
	}
	return append(items, entry)
}

// mergeStringMap merges add into the map held in cur.
func mergeStringMap(cur any, add map[string]string, what string, force bool) (any, error) {
	if len(add) == 0 {
		return cur, nil
	}
	m, _ := cur.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for key, v := range add {
		if old, ok := m[key]; ok && old != v && !force {
			return nil, fmt.Errorf("%s %s is already %v in the kustomization: set force to override it", what, key, old)
		}
		m[key] = v
	}
	return m, nil
}

func appendUnique(list any, s string) []any {
	items, _ := list.([]any)
	for _, it := range items {
		if it == s {
			return items
		}
	}
	return append(items, s)
}
