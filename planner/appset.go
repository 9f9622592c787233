package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The types in this file are the Argo CD-compatible subset of the
// argoproj.io/v1alpha1 ApplicationSet that gitwave reads. Field names and
// JSON tags follow Argo CD so that users' manifests decode unchanged.

// ApplicationSet is an Argo CD ApplicationSet manifest as found in the
// repository.
type ApplicationSet struct {
	APIVersion string             `json:"apiVersion,omitempty"`
	Kind       string             `json:"kind,omitempty"`
	Metadata   ObjectMeta         `json:"metadata"`
	Spec       ApplicationSetSpec `json:"spec"`

	// File is the repository path of the manifest, used in errors.
	File string `json:"-"`
	// Line is the 1-based line in File where the manifest starts; 0 when
	// unknown.
	Line int `json:"-"`

	// content is the hash of the manifest the set was decoded from, when
	// the Planner's decode cache gave it (see decodeAppSet): the expansion
	// cache keys on it rather than encoding the set again.
	content [32]byte
}

// ApplicationSetSpec is the desired state of an ApplicationSet.
type ApplicationSetSpec struct {
	// GoTemplate selects text/template with sprig; false selects the legacy
	// "{{name}}" replacement with flattened parameters.
	GoTemplate bool `json:"goTemplate,omitempty"`
	// GoTemplateOptions are text/template options such as
	// "missingkey=error".
	GoTemplateOptions []string                  `json:"goTemplateOptions,omitempty"`
	Generators        []ApplicationSetGenerator `json:"generators"`
	Template          ApplicationSetTemplate    `json:"template"`
	SyncPolicy        *ApplicationSetSyncPolicy `json:"syncPolicy,omitempty"`
	// TemplatePatch is a YAML (or JSON) document, templated with each
	// parameter set and applied to the generated Application as a JSON
	// merge patch (RFC 7386). It needs GoTemplate.
	TemplatePatch *string `json:"templatePatch,omitempty"`
	// ApplyNestedSelectors is accepted for compatibility; gitwave always
	// applies selectors of nested generators, as Argo CD 3 does.
	ApplyNestedSelectors bool `json:"applyNestedSelectors,omitempty"`

	// The fields below steer Argo CD's controller, not what is generated;
	// gitwave accepts and ignores them.
	Strategy                     map[string]any   `json:"strategy,omitempty"`
	PreservedFields              map[string]any   `json:"preservedFields,omitempty"`
	IgnoreApplicationDifferences []map[string]any `json:"ignoreApplicationDifferences,omitempty"`
}

// ApplicationSetSyncPolicy controls what the ApplicationSet does to the
// Applications it generates.
type ApplicationSetSyncPolicy struct {
	// PreserveResourcesOnDeletion, when true, stops gitwave (like Argo CD)
	// from adding the resources finalizer to generated Applications.
	PreserveResourcesOnDeletion bool   `json:"preserveResourcesOnDeletion,omitempty"`
	ApplicationsSync            string `json:"applicationsSync,omitempty"`
}

// ApplicationSetTemplate is the Application template of an ApplicationSet
// or of one generator. Metadata and Spec stay untyped until every string in
// them has been templated; the result is then decoded strictly into an
// Application.
type ApplicationSetTemplate struct {
	Metadata map[string]any `json:"metadata,omitempty"`
	Spec     map[string]any `json:"spec,omitempty"`
}

// ApplicationSetGenerator is one entry of spec.generators, or a child of a
// matrix or merge generator. Exactly one kind is set.
type ApplicationSetGenerator struct {
	List     *ListGenerator    `json:"list,omitempty"`
	Clusters *ClusterGenerator `json:"clusters,omitempty"`
	Git      *GitGenerator     `json:"git,omitempty"`
	Matrix   *MatrixGenerator  `json:"matrix,omitempty"`
	Merge    *MergeGenerator   `json:"merge,omitempty"`
	// Selector keeps only the parameter sets whose flattened parameters
	// match it.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`

	// The generators below need an API or a cluster; gitwave recognises
	// them only to report that they are not supported.
	SCMProvider             map[string]any `json:"scmProvider,omitempty"`
	PullRequest             map[string]any `json:"pullRequest,omitempty"`
	ClusterDecisionResource map[string]any `json:"clusterDecisionResource,omitempty"`
	Plugin                  map[string]any `json:"plugin,omitempty"`
}

// ListGenerator generates one parameter set per element.
type ListGenerator struct {
	Elements []map[string]any `json:"elements,omitempty"`
	// ElementsYaml is a YAML list of further elements, appended after
	// Elements.
	ElementsYaml string                  `json:"elementsYaml,omitempty"`
	Template     *ApplicationSetTemplate `json:"template,omitempty"`
}

// ClusterGenerator generates one parameter set per known cluster that
// matches Selector.
type ClusterGenerator struct {
	Selector metav1.LabelSelector `json:"selector,omitempty"`
	// Values are extra parameters, templated with the cluster's own
	// parameters.
	Values   map[string]string       `json:"values,omitempty"`
	Template *ApplicationSetTemplate `json:"template,omitempty"`
}

// GitGenerator generates parameter sets from the directories or files of
// the served repository.
type GitGenerator struct {
	RepoURL string `json:"repoURL"`
	// Revision is accepted and ignored: the planner reads one revision.
	Revision            string                      `json:"revision,omitempty"`
	Directories         []GitDirectoryGeneratorItem `json:"directories,omitempty"`
	Files               []GitFileGeneratorItem      `json:"files,omitempty"`
	PathParamPrefix     string                      `json:"pathParamPrefix,omitempty"`
	Values              map[string]string           `json:"values,omitempty"`
	RequeueAfterSeconds *int64                      `json:"requeueAfterSeconds,omitempty"`
	Template            *ApplicationSetTemplate     `json:"template,omitempty"`
}

// GitDirectoryGeneratorItem is a path.Match pattern of directories to
// include, or to exclude when Exclude is set.
type GitDirectoryGeneratorItem struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude,omitempty"`
}

// GitFileGeneratorItem is a pattern of JSON or YAML files to read, or to
// skip when Exclude is set, matched as ExpandOptions.GitFileGlobbing says.
type GitFileGeneratorItem struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude,omitempty"`
}

// MatrixGenerator combines every parameter set of its first child with
// every parameter set of its second child.
type MatrixGenerator struct {
	Generators []ApplicationSetGenerator `json:"generators"`
	Template   *ApplicationSetTemplate   `json:"template,omitempty"`
}

// MergeGenerator overrides the parameter sets of its first child with those
// of later children that share the same values of MergeKeys.
type MergeGenerator struct {
	Generators []ApplicationSetGenerator `json:"generators"`
	MergeKeys  []string                  `json:"mergeKeys"`
	Template   *ApplicationSetTemplate   `json:"template,omitempty"`
}

// generatorKinds are the generator kinds gitwave expands.
var generatorKinds = []string{"list", "clusters", "git", "matrix", "merge"}

// kind returns the one kind this generator sets, or an error naming what is
// wrong: no kind, several kinds, or a kind gitwave cannot expand.
func (g *ApplicationSetGenerator) kind() (string, error) {
	var kinds []string
	for _, k := range []struct {
		name string
		set  bool
	}{
		{"list", g.List != nil}, {"clusters", g.Clusters != nil}, {"git", g.Git != nil},
		{"matrix", g.Matrix != nil}, {"merge", g.Merge != nil},
		{"scmProvider", g.SCMProvider != nil}, {"pullRequest", g.PullRequest != nil},
		{"clusterDecisionResource", g.ClusterDecisionResource != nil}, {"plugin", g.Plugin != nil},
	} {
		if k.set {
			kinds = append(kinds, k.name)
		}
	}
	switch {
	case len(kinds) == 0:
		return "", fmt.Errorf("generator sets no kind (want one of %s)", strings.Join(generatorKinds, ", "))
	case len(kinds) > 1:
		return "", fmt.Errorf("generator sets %s; each generator entry takes exactly one kind", strings.Join(kinds, " and "))
	case !slices.Contains(generatorKinds, kinds[0]):
		return "", fmt.Errorf("%s generator is not supported: it needs a Git host API, a cluster or a plugin, and gitwave plans from the repository alone", kinds[0])
	}
	return kinds[0], nil
}

// template returns the generator's own template override, or nil.
func (g *ApplicationSetGenerator) template() *ApplicationSetTemplate {
	switch {
	case g.List != nil:
		return g.List.Template
	case g.Clusters != nil:
		return g.Clusters.Template
	case g.Git != nil:
		return g.Git.Template
	case g.Matrix != nil:
		return g.Matrix.Template
	case g.Merge != nil:
		return g.Merge.Template
	}
	return nil
}

// ParseApplicationSet decodes one YAML or JSON document into an
// ApplicationSet. Unknown fields are errors that name the field; file and
// line locate the document in errors and in later expansion errors.
func ParseApplicationSet(file string, line int, doc []byte) (*ApplicationSet, error) {
	var s ApplicationSet
	if err := decodeStrict(doc, &s); err != nil {
		return nil, fmt.Errorf("%s: decode ApplicationSet: %w", appsetLocation(file, line), err)
	}
	if s.Kind != "" && s.Kind != "ApplicationSet" {
		return nil, fmt.Errorf("%s: kind is %q, want ApplicationSet", appsetLocation(file, line), s.Kind)
	}
	s.File, s.Line = file, line
	return &s, nil
}

// location renders file and line as "file:line", or "file" when the line is
// unknown.
func appsetLocation(file string, line int) string {
	if line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(line)
}

// decodeStrict decodes YAML or JSON into v, refusing duplicate keys and
// fields that v does not have. An unknown field is reported with its full
// path, such as spec.source.helm.valueFile.
func decodeStrict(doc []byte, v any) error {
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	return decodeStrictJSON(data, v)
}

// decodeStrictJSON is decodeStrict for a document already in JSON.
func decodeStrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var generic any
		if json.Unmarshal(data, &generic) == nil {
			if p := firstUnknownField(reflect.TypeOf(v), generic, ""); p != "" {
				return fmt.Errorf("unknown field %s", p)
			}
		}
		return err
	}
	return nil
}

// firstUnknownField returns the path of the first field (in sorted key order)
// of v that type t does not declare, or "".
func firstUnknownField(t reflect.Type, v any, at string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		fields := strictJSONFields(t)
		for _, k := range sortedMapKeys(obj) {
			ft, known := fields[k]
			if !known {
				return fieldPath(at, k)
			}
			if p := firstUnknownField(ft, obj[k], fieldPath(at, k)); p != "" {
				return p
			}
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		for _, k := range sortedMapKeys(obj) {
			if p := firstUnknownField(t.Elem(), obj[k], fieldPath(at, k)); p != "" {
				return p
			}
		}
	case reflect.Slice:
		list, _ := v.([]any)
		for i, item := range list {
			if p := firstUnknownField(t.Elem(), item, at+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// strictJSONFields maps the JSON names of t's exported fields to their types.
func strictJSONFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := bytes.Cut([]byte(f.Tag.Get("json")), []byte(","))
		switch {
		case string(name) == "-" || !f.IsExported():
		case len(name) == 0:
			out[f.Name] = f.Type
		default:
			out[string(name)] = f.Type
		}
	}
	return out
}

func fieldPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
