package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"dario.cat/mergo"
)

// merge starts from the parameter sets of the first child and, for each
// later child, overrides every set whose mergeKeys values equal those of a
// set of that child. Sets of later children that match no base set are
// dropped. The result keeps the first child's order (Argo CD's order is
// that of a Go map, i.e. unspecified).
func (x *expander) merge(ctx context.Context, g *MergeGenerator, depth int) ([]paramSet, error) {
	if len(g.Generators) < 2 {
		return nil, fmt.Errorf("needs at least two generators, has %d", len(g.Generators))
	}
	if len(g.MergeKeys) == 0 {
		return nil, fmt.Errorf("mergeKeys is empty")
	}
	keys := slices.Compact(slices.Sorted(slices.Values(g.MergeKeys)))
	base, err := x.generate(ctx, &g.Generators[0], depth+1, nil)
	if err != nil {
		return nil, fmt.Errorf("generators[0]: %w", err)
	}
	index, err := indexByMergeKey(keys, base)
	if err != nil {
		return nil, fmt.Errorf("generators[0]: %w", err)
	}
	out := slices.Clone(base)
	for i := 1; i < len(g.Generators); i++ {
		sets, err := x.generate(ctx, &g.Generators[i], depth+1, nil)
		if err != nil {
			return nil, fmt.Errorf("generators[%d]: %w", i, err)
		}
		byKey, err := indexByMergeKey(keys, sets)
		if err != nil {
			return nil, fmt.Errorf("generators[%d]: %w", i, err)
		}
		for key, j := range byKey {
			if at, ok := index[key]; ok {
				merged, err := x.overlay(out[at], sets[j])
				if err != nil {
					return nil, fmt.Errorf("generators[%d]: %w", i, err)
				}
				out[at] = merged
			}
		}
	}
	return out, nil
}

// indexByMergeKey maps the JSON of each set's merge key values to the
// set's index; two sets with the same values are an error.
func indexByMergeKey(keys []string, sets []paramSet) (map[string]int, error) {
	index := make(map[string]int, len(sets))
	for i, p := range sets {
		kv := make(map[string]any, len(keys))
		for _, k := range keys {
			kv[k] = p[k]
		}
		data, err := json.Marshal(kv)
		if err != nil {
			return nil, fmt.Errorf("merge key of params %s: %w", describeParams(p), err)
		}
		if prev, dup := index[string(data)]; dup {
			return nil, fmt.Errorf("two parameter sets have merge key %s: %s and %s",
				data, describeParams(sets[prev]), describeParams(p))
		}
		index[string(data)] = i
	}
	return index, nil
}

// overlay returns base overridden by over: deep-merged in goTemplate mode,
// key by key in legacy mode.
func (x *expander) overlay(base, over paramSet) (paramSet, error) {
	if x.r.goTemplate {
		return mergeParams(base, over)
	}
	out := make(paramSet, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out, nil
}

// mergeParams returns dst deep-merged with src, src winning, as Argo CD's
// merge and matrix generators merge goTemplate parameters: mergo.Merge with
// mergo.WithOverride. Maps present in both merge key by key; any other src
// value, empty ones ("", false, null) included, replaces dst's. Both are
// deep-copied first, since mergo merges nested maps in place and parameter
// sets share them.
func mergeParams(dst, src paramSet) (paramSet, error) {
	out := deepCopyMap(dst)
	if out == nil {
		out = paramSet{}
	}
	if err := mergo.Merge(&out, deepCopyMap(src), mergo.WithOverride); err != nil {
		return nil, fmt.Errorf("merge params %s into %s: %w", describeParams(src), describeParams(dst), err)
	}
	return out, nil
}
