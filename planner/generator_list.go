package planner

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// list returns one parameter set per element of elements, then one per
// element of elementsYaml. In goTemplate mode an element is its own
// parameter set; in legacy mode its values must be strings, and a "values"
// map becomes "values.KEY" parameters.
func (x *expander) list(g *ListGenerator) ([]paramSet, error) {
	if len(g.Elements) == 0 && strings.TrimSpace(g.ElementsYaml) == "" {
		return nil, fmt.Errorf("no elements: a list generator needs elements or elementsYaml (Argo CD would silently generate nothing)")
	}
	sets := make([]paramSet, 0, len(g.Elements))
	for i, el := range g.Elements {
		p, err := x.listElement(el)
		if err != nil {
			return nil, fmt.Errorf("elements[%d]: %w", i, err)
		}
		sets = append(sets, p)
	}
	if strings.TrimSpace(g.ElementsYaml) != "" {
		var more []map[string]any
		if err := yaml.Unmarshal([]byte(g.ElementsYaml), &more); err != nil {
			return nil, fmt.Errorf("elementsYaml: want a YAML list of objects: %w", err)
		}
		for _, el := range more {
			sets = append(sets, el)
		}
	}
	return sets, nil
}

func (x *expander) listElement(el map[string]any) (paramSet, error) {
	if x.r.goTemplate {
		return el, nil
	}
	p := make(paramSet, len(el))
	for _, k := range sortedMapKeys(el) {
		if k == "values" {
			values, ok := el[k].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("values: want a map of strings, got %T", el[k])
			}
			for _, vk := range sortedMapKeys(values) {
				s, ok := values[vk].(string)
				if !ok {
					return nil, fmt.Errorf("values.%s: legacy (non-goTemplate) parameters must be strings, got %s", vk, describeJSONType(values[vk]))
				}
				p["values."+vk] = s
			}
			continue
		}
		s, ok := el[k].(string)
		if !ok {
			return nil, fmt.Errorf("%s: legacy (non-goTemplate) parameters must be strings, got %s (quote it, or set goTemplate: true)", k, describeJSONType(el[k]))
		}
		p[k] = s
	}
	return p, nil
}

// describeJSONType names the JSON type of a decoded value for error messages.
func describeJSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
