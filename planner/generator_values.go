package planner

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
)

// valuesGenerators are the generator kinds whose values map a nested
// generator resolves in two steps, as Argo CD does.
var valuesGenerators = []string{"clusters", "git"}

// takeValues removes the values maps of the generator kinds in generic, a
// generator decoded from JSON, and returns them by kind, so that they are
// not templated with the first generator's params in one go.
func takeValues(generic map[string]any) map[string]map[string]any {
	taken := map[string]map[string]any{}
	for _, kind := range valuesGenerators {
		spec, ok := generic[kind].(map[string]any)
		if !ok {
			continue
		}
		if values, ok := spec["values"].(map[string]any); ok {
			taken[kind] = values
			delete(spec, "values")
		}
	}
	return taken
}

// preResolveValues templates each value of a nested generator's values map
// with the first generator's params, as Argo CD does before the generator
// runs: a value that refers to a key those params lack keeps its template,
// which the generator's own params resolve later.
func (x *expander) preResolveValues(kind string, values map[string]any, params paramSet) (map[string]any, error) {
	options := slices.DeleteFunc(slices.Clone(x.r.options), func(o string) bool { return strings.HasPrefix(o, "missingkey=") })
	strict := &paramTemplater{goTemplate: x.r.goTemplate, options: append(options, "missingkey=error"),
		parsed: map[string]*template.Template{}, funcs: x.r.funcs, limits: x.r.limits}
	out := make(map[string]any, len(values))
	for _, k := range sortedMapKeys(values) {
		s, ok := values[k].(string)
		if !ok {
			out[k] = values[k]
			continue
		}
		resolved, err := strict.renderString(fieldPath(kind+".values", k), s, params)
		switch {
		case isMissingKey(err):
			out[k] = s
		case err != nil:
			return nil, fmt.Errorf("%s.values.%s: %w", kind, k, err)
		default:
			out[k] = resolved
		}
	}
	return out, nil
}

// isMissingKey reports whether err is a template's reference to a
// parameter that the params lack, as Argo CD recognises one.
func isMissingKey(err error) bool {
	var te *TemplateError
	if !errors.As(err, &te) {
		return false
	}
	return te.Key != "" || strings.Contains(te.Err.Error(), "can't evaluate field")
}
