package planner

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// paramSelector is a compiled metav1.LabelSelector. Unlike
// metav1.LabelSelectorAsSelector it puts no syntax limits on values, as
// Argo CD does for generator selectors, so that a selector can match a
// server URL or a path.
type paramSelector struct {
	reqs []selectorRequirement
}

type selectorRequirement struct {
	key    string
	op     metav1.LabelSelectorOperator
	values []string
}

// compileSelector checks s and compiles it. A nil or empty selector matches
// everything.
func compileSelector(s *metav1.LabelSelector) (*paramSelector, error) {
	sel := &paramSelector{}
	if s == nil {
		return sel, nil
	}
	for _, k := range sortedMapKeys(s.MatchLabels) {
		sel.reqs = append(sel.reqs, selectorRequirement{key: k, op: metav1.LabelSelectorOpIn, values: []string{s.MatchLabels[k]}})
	}
	for i, e := range s.MatchExpressions {
		if e.Key == "" {
			return nil, fmt.Errorf("matchExpressions[%d]: key is empty", i)
		}
		switch e.Operator {
		case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
			if len(e.Values) == 0 {
				return nil, fmt.Errorf("matchExpressions[%d] (%s): operator %s needs values", i, e.Key, e.Operator)
			}
		case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			if len(e.Values) > 0 {
				return nil, fmt.Errorf("matchExpressions[%d] (%s): operator %s takes no values", i, e.Key, e.Operator)
			}
		default:
			return nil, fmt.Errorf("matchExpressions[%d] (%s): unknown operator %q (want In, NotIn, Exists or DoesNotExist)", i, e.Key, e.Operator)
		}
		sel.reqs = append(sel.reqs, selectorRequirement{key: e.Key, op: e.Operator, values: e.Values})
	}
	return sel, nil
}

// empty reports whether the selector has no selectorRequirement.
func (s *paramSelector) empty() bool { return len(s.reqs) == 0 }

// matches reports whether labels satisfy every selectorRequirement. NotIn matches
// a missing key, as in Kubernetes.
func (s *paramSelector) matches(labels map[string]string) bool {
	for _, r := range s.reqs {
		v, ok := labels[r.key]
		switch r.op {
		case metav1.LabelSelectorOpIn:
			if !ok || !slices.Contains(r.values, v) {
				return false
			}
		case metav1.LabelSelectorOpNotIn:
			if ok && slices.Contains(r.values, v) {
				return false
			}
		case metav1.LabelSelectorOpExists:
			if !ok {
				return false
			}
		case metav1.LabelSelectorOpDoesNotExist:
			if ok {
				return false
			}
		}
	}
	return true
}
