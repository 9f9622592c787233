package planner

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"dario.cat/mergo"
	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// templateFuncs are the functions of an ApplicationSet goTemplate: sprig's
// generic functions without those that read the environment or the
// network, plus Argo CD's normalize, toYaml, fromYaml and fromYamlArray.
var templateFuncs = func() template.FuncMap {
	funcs := template.FuncMap{}
	for name, fn := range sprig.GenericFuncMap() {
		funcs[name] = fn
	}
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = normalizeName
	funcs["toYaml"] = tmplToYAML
	funcs["fromYaml"] = tmplFromYAML
	funcs["fromYamlArray"] = tmplFromYAMLArray
	return funcs
}()

// TemplateError is a failure to parse or execute the template in one field
// of an ApplicationSet, such as spec.source.path.
type TemplateError struct {
	// Field is the path of the templated field.
	Field string
	// Key is the missing parameter when the template ran with
	// missingkey=error and referred to a key the parameter set lacks.
	Key string
	// Err is the text/template error.
	Err error
}

// Error names the field, the missing key when there is one, and the
// text/template error.
func (e *TemplateError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("template field %s: missing key %q: %v", e.Field, e.Key, e.Err)
	}
	return fmt.Sprintf("template field %s: %v", e.Field, e.Err)
}

// Unwrap returns the text/template error.
func (e *TemplateError) Unwrap() error { return e.Err }

var missingKeyPattern = regexp.MustCompile(`map has no entry for key "([^"]*)"`)

// paramTemplater templates strings with one ApplicationSet's mode and options.
// It caches parsed templates per (field, text); one paramTemplater serves one
// expansion and is not safe for concurrent use.
type paramTemplater struct {
	goTemplate bool
	options    []string
	parsed     map[string]*template.Template
	// funcs are the template functions; templateFuncs unless guarded.
	funcs template.FuncMap
	// limits, when set, stops templates at a deadline and a size.
	limits *templateGuard
}

// newParamTemplater checks the goTemplateOptions (text/template panics on an
// unknown one) and returns a paramTemplater.
func newParamTemplater(goTemplate bool, options []string) (*paramTemplater, error) {
	for _, o := range options {
		switch o {
		case "missingkey=default", "missingkey=invalid", "missingkey=zero", "missingkey=error":
		default:
			return nil, fmt.Errorf("goTemplateOptions: unknown option %q (want missingkey=default|zero|error)", o)
		}
	}
	return &paramTemplater{goTemplate: goTemplate, options: options, parsed: map[string]*template.Template{}, funcs: templateFuncs}, nil
}

// renderString templates one string found at field.
func (r *paramTemplater) renderString(field, text string, params map[string]any) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	if !r.goTemplate {
		out, err := replaceLegacy(text, params)
		if err != nil {
			return "", &TemplateError{Field: field, Err: err}
		}
		return out, nil
	}
	key := field + "\x00" + text
	t, ok := r.parsed[key]
	if !ok {
		var err error
		t, err = template.New(field).Funcs(r.funcs).Option(r.options...).Parse(text)
		if err != nil {
			return "", &TemplateError{Field: field, Err: err}
		}
		r.parsed[key] = t
	}
	b := guardedWriter{g: r.limits}
	if err := t.Execute(&b, params); err != nil {
		te := &TemplateError{Field: field, Err: err}
		if m := missingKeyPattern.FindStringSubmatch(err.Error()); m != nil {
			te.Key = m[1]
		}
		return "", te
	}
	return b.String(), nil
}

// renderValue returns a copy of v, a value decoded from JSON, with every
// string and every map key templated. at is v's field path.
func (r *paramTemplater) renderValue(at string, v any, params map[string]any) (any, error) {
	switch v := v.(type) {
	case string:
		return r.renderString(at, v, params)
	case map[string]any:
		out := make(map[string]any, len(v))
		for _, k := range sortedMapKeys(v) {
			field := fieldPath(at, k)
			rk, err := r.renderString(field, k, params)
			if err != nil {
				return nil, err
			}
			rv, err := r.renderValue(field, v[k], params)
			if err != nil {
				return nil, err
			}
			out[rk] = rv
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			rv, err := r.renderValue(at+"["+strconv.Itoa(i)+"]", item, params)
			if err != nil {
				return nil, err
			}
			out[i] = rv
		}
		return out, nil
	default:
		return v, nil
	}
}

// legacyTagPattern is the test Argo CD applies before legacy replacement:
// a string without "{{...}}" on one line is left alone.
var legacyTagPattern = regexp.MustCompile(`{{.*}}`)

// replaceLegacy performs the legacy (non-goTemplate) replacement: each
// "{{ key }}" whose trimmed key is a string parameter is replaced by it;
// any other tag is left as written.
func replaceLegacy(text string, params map[string]any) (string, error) {
	if !legacyTagPattern.MatchString(text) {
		return text, nil
	}
	var b strings.Builder
	rest := text
	for {
		start := strings.Index(rest, "{{")
		if start < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		end := strings.Index(rest[start+2:], "}}")
		if end < 0 {
			return "", fmt.Errorf("unclosed {{ in %q", text)
		}
		tag := rest[start+2 : start+2+end]
		b.WriteString(rest[:start])
		if v, ok := params[strings.TrimSpace(tag)].(string); ok && strings.TrimSpace(tag) != "" {
			b.WriteString(v)
		} else {
			b.WriteString("{{" + tag + "}}")
		}
		rest = rest[start+2+end+2:]
	}
}

// flattenParams flattens nested maps and lists into dotted keys
// ("metadata.labels.env", "path.segments.0") with values printed by %v,
// as Argo CD does for legacy parameters and for selectors.
func flattenParams(params map[string]any) map[string]string {
	out := make(map[string]string, len(params))
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, item := range v {
				walk(fieldPath(prefix, k), item)
			}
		case []any:
			for i, item := range v {
				walk(fieldPath(prefix, strconv.Itoa(i)), item)
			}
		default:
			out[prefix] = fmt.Sprintf("%v", v)
		}
	}
	for k, v := range params {
		walk(k, v)
	}
	return out
}

var invalidNameChars = regexp.MustCompile(`[^-a-z0-9.]`)

// normalizeName makes a string a valid DNS subdomain as Argo CD's
// normalize function and nameNormalized parameter do: lower case, other
// characters replaced by "-", at most 253 characters, no leading or
// trailing "-" or ".".
func normalizeName(name string) string {
	name = invalidNameChars.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

func tmplToYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("toYaml: %w", err)
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func tmplFromYAML(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("fromYaml: %w", err)
	}
	return m, nil
}

func tmplFromYAMLArray(s string) ([]any, error) {
	var list []any
	if err := yaml.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("fromYamlArray: %w", err)
	}
	return list, nil
}

// jsonMergePatch applies patch to target as RFC 7386 describes: objects merge,
// null deletes, anything else replaces. target is not modified.
func jsonMergePatch(target, patch map[string]any) map[string]any {
	out := make(map[string]any, len(target)+len(patch))
	for k, v := range target {
		out[k] = v
	}
	for k, pv := range patch {
		switch pv := pv.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			tv, _ := out[k].(map[string]any)
			out[k] = jsonMergePatch(tv, pv)
		default:
			out[k] = pv
		}
	}
	return out
}

// mergeTemplates lays a generator's template over the ApplicationSet's as
// Argo CD does, with mergo.Merge and no override: a field the generator's
// template leaves missing or empty ("", false, 0, {}, []) comes from the
// ApplicationSet's template, and maps set in both merge key by key.
func mergeTemplates(gen *ApplicationSetTemplate, base ApplicationSetTemplate) (map[string]any, error) {
	out := map[string]any{"metadata": emptyIfNil(deepCopyMap(base.Metadata)), "spec": emptyIfNil(deepCopyMap(base.Spec))}
	if gen == nil {
		return out, nil
	}
	dst := map[string]any{"metadata": emptyIfNil(deepCopyMap(gen.Metadata)), "spec": emptyIfNil(deepCopyMap(gen.Spec))}
	keepOpaque(dst, out)
	if err := mergo.Merge(&dst, out); err != nil {
		return nil, fmt.Errorf("merge the generator's template into spec.template: %w", err)
	}
	return dst, nil
}

// opaqueTemplateFields are the paths of Application fields that Argo CD
// holds as raw JSON (runtime.RawExtension), which its typed merge takes
// whole from one side instead of merging key by key.
var opaqueTemplateFields = [][]string{
	{"spec", "source", "helm", "valuesObject"},
}

// keepOpaque drops from base each opaque field that dst sets, so that the
// merge keeps dst's value whole.
func keepOpaque(dst, base map[string]any) {
	for _, path := range opaqueTemplateFields {
		if unsetAt(dst, path) {
			continue
		}
		parent := base
		for _, k := range path[:len(path)-1] {
			next, ok := parent[k].(map[string]any)
			if !ok {
				parent = nil
				break
			}
			parent = next
		}
		if parent != nil {
			delete(parent, path[len(path)-1])
		}
	}
}

// unsetAt reports whether the value at path in m is missing or null, as a
// nil RawExtension is; an empty object is set.
func unsetAt(m map[string]any, path []string) bool {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return true
		}
		v = mm[k]
	}
	return v == nil
}

func emptyIfNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// errTemplatePatchNeedsGoTemplate is returned for a templatePatch on an
// ApplicationSet in legacy mode, which Argo CD refuses as well.
var errTemplatePatchNeedsGoTemplate = errors.New("templatePatch needs goTemplate: true")
