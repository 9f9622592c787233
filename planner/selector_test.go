package planner

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestSelectorMatches checks matchLabels and the four matchExpressions
// operators, including values (URLs) that label syntax would refuse.
func TestSelectorMatches(t *testing.T) {
	labels := map[string]string{"env": "production", "region": "us-east-1", "server": "https://a.example:6443"}
	expr := func(key string, op metav1.LabelSelectorOperator, values ...string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: values}
	}
	tests := []struct {
		name string
		sel  *metav1.LabelSelector
		want bool
	}{
		{"nil selects all", nil, true},
		{"matchLabels", &metav1.LabelSelector{MatchLabels: map[string]string{"env": "production"}}, true},
		{"matchLabels other value", &metav1.LabelSelector{MatchLabels: map[string]string{"env": "staging"}}, false},
		{"matchLabels URL value", &metav1.LabelSelector{MatchLabels: map[string]string{"server": "https://a.example:6443"}}, true},
		{"In", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("region", "In", "eu-west-1", "us-east-1")}}, true},
		{"NotIn", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("region", "NotIn", "us-east-1")}}, false},
		{"NotIn missing key", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", "NotIn", "gold")}}, true},
		{"Exists", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("env", "Exists")}}, true},
		{"DoesNotExist", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("env", "DoesNotExist")}}, false},
		{"all must hold", &metav1.LabelSelector{
			MatchLabels:      map[string]string{"env": "production"},
			MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", "Exists")},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := compileSelector(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.matches(labels); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSelectorErrors checks that malformed expressions are refused.
func TestSelectorErrors(t *testing.T) {
	tests := []struct {
		name string
		req  metav1.LabelSelectorRequirement
	}{
		{"In without values", metav1.LabelSelectorRequirement{Key: "a", Operator: "In"}},
		{"Exists with values", metav1.LabelSelectorRequirement{Key: "a", Operator: "Exists", Values: []string{"x"}}},
		{"unknown operator", metav1.LabelSelectorRequirement{Key: "a", Operator: "Gt", Values: []string{"1"}}},
		{"empty key", metav1.LabelSelectorRequirement{Operator: "Exists"}},
	}
	for _, tt := range tests {
		if _, err := compileSelector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{tt.req}}); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
