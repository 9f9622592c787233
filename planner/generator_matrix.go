package planner

import (
	"context"
	"fmt"
)

// matrix combines every parameter set of the first child with every
// parameter set of the second, which is templated with the first's
// parameters before it generates. In goTemplate mode the two sets are
// deep-merged and the first child wins a conflict; in legacy mode a key
// with two different values is an error, as in Argo CD.
func (x *expander) matrix(ctx context.Context, g *MatrixGenerator, depth int) ([]paramSet, error) {
	if len(g.Generators) != 2 {
		return nil, fmt.Errorf("needs exactly two generators, has %d", len(g.Generators))
	}
	first, err := x.generate(ctx, &g.Generators[0], depth+1, nil)
	if err != nil {
		return nil, fmt.Errorf("generators[0]: %w", err)
	}
	var sets []paramSet
	for _, a := range first {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		second, err := x.generate(ctx, &g.Generators[1], depth+1, a)
		if err != nil {
			return nil, fmt.Errorf("generators[1] (with params %s): %w", describeParams(a), err)
		}
		for _, b := range second {
			if len(sets) >= x.maxApps {
				return nil, errTooManyApps(x.maxApps)
			}
			p, err := x.combine(a, b)
			if err != nil {
				return nil, err
			}
			sets = append(sets, p)
		}
	}
	return sets, nil
}

// combine joins a parameter set of a matrix's first child with one of its
// second.
func (x *expander) combine(a, b paramSet) (paramSet, error) {
	if x.r.goTemplate {
		return mergeParams(b, a)
	}
	out := make(paramSet, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if cur, ok := out[k]; ok && fmt.Sprint(cur) != fmt.Sprint(v) {
			return nil, fmt.Errorf("parameter %q is %q in generators[0] and %q in generators[1]", k, cur, v)
		}
		out[k] = v
	}
	return out, nil
}
