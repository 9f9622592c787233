package planner

import (
	"strings"
	"testing"
)

// TestReplaceLegacy checks the legacy "{{name}}" form: known string
// parameters are replaced, anything else is left as the user wrote it.
func TestReplaceLegacy(t *testing.T) {
	params := map[string]any{
		"name":                "prod",
		"metadata.labels.env": "production",
		"path[0]":             "apps",
		"count":               3.0,
	}
	tests := []struct{ in, want, err string }{
		{in: "app-{{name}}", want: "app-prod"},
		{in: "{{ name }}/{{metadata.labels.env}}/{{path[0]}}", want: "prod/production/apps"},
		{in: "{{missing}}-{{name}}", want: "{{missing}}-prod"},
		{in: "{{count}}", want: "{{count}}"},
		{in: "{{}}", want: "{{}}"},
		{in: "no tags", want: "no tags"},
		{in: "{{ name\n}}", want: "{{ name\n}}"},
		{in: "{{name}} and {{ open", err: "unclosed {{"},
	}
	for _, tt := range tests {
		got, err := replaceLegacy(tt.in, params)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("replaceLegacy(%q) error = %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("replaceLegacy(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestGoTemplateFunctions checks the functions users of Argo CD's
// goTemplate rely on, and that environment lookups are not available.
func TestGoTemplateFunctions(t *testing.T) {
	r, err := newParamTemplater(true, []string{"missingkey=error"})
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]any{"name": "Prod_Cluster.01", "labels": map[string]any{"env": "prod"}}
	tests := []struct{ in, want, err string }{
		{in: "{{ normalize .name }}", want: "prod-cluster.01"},
		{in: "{{ .labels | toYaml }}", want: "env: prod"},
		{in: `{{ (fromYaml "a: {b: c}").a.b }}`, want: "c"},
		{in: `{{ index (fromYamlArray "[x, z]") 1 }}`, want: "z"},
		{in: `{{ .name | lower | trunc 4 }}`, want: "prod"},
		{in: `{{ env "HOME" }}`, err: `function "env" not defined`},
		{in: `{{ .nope }}`, err: `missing key "nope"`},
	}
	for _, tt := range tests {
		got, err := r.renderString("f", tt.in, params)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error = %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestDescribeParams checks that error messages show parameter sets
// briefly: sorted, long values cut, many keys summarized.
func TestDescribeParams(t *testing.T) {
	long := strings.Repeat("x", 100)
	p := paramSet{"b": "2", "a": map[string]any{"long": long}}
	got := describeParams(p)
	if want := "{a.long=" + strings.Repeat("x", 31) + "… b=2}"; got != want {
		t.Errorf("describeParams = %q, want %q", got, want)
	}
	many := paramSet{}
	for _, k := range strings.Split("a b c d e f g h i j k l m n", " ") {
		many[k] = k
	}
	if got := describeParams(many); !strings.HasSuffix(got, "l=l …+2}") {
		t.Errorf("describeParams of 14 keys = %q, want it to end with %q", got, "l=l …+2}")
	}
}

// TestDescribeParamsHidesLastApplied checks that a cluster Secret's
// last-applied-configuration annotation never reaches an error message.
func TestDescribeParamsHidesLastApplied(t *testing.T) {
	p := paramSet{"metadata": map[string]any{"annotations": map[string]any{
		"kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"config":"{\"bearerToken\":\"s3cr3t\"}"}}`,
	}}}
	got := describeParams(p)
	if strings.Contains(got, "stringData") || !strings.Contains(got, "(hidden)") {
		t.Errorf("describeParams = %q, want the annotation hidden", got)
	}
}
