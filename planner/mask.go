package planner

import (
	"encoding/base64"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Masks shown in place of Secret values.
const (
	MaskUnchanged = "++++++++"
	MaskChanged   = "++++++++ (changed)"
)

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// MaskSecrets returns copies of a pair of objects (either may be nil) in
// which every value of a Secret's data and stringData is replaced by a
// mask. Any object of kind Secret is masked, whatever its apiVersion says
// ("v1", "core/v1", "/v1" or another group): the API server reads several
// spellings as the core group, and masking a look-alike costs nothing. A value that differs between the two is masked as changed on the
// "after" side, so a diff still shows which keys changed and never what
// they hold. Annotations that can carry a copy of the values are dropped.
// Objects that are not Secrets are returned as they are.
func MaskSecrets(before, after *unstructured.Unstructured) (*unstructured.Unstructured, *unstructured.Unstructured) {
	if !IsSecret(before) && !IsSecret(after) {
		return before, after
	}
	bv, av := secretValues(before), secretValues(after)
	return maskOne(before, bv, nil), maskOne(after, av, bv)
}

// IsSecret reports whether u is of kind Secret, whatever the spelling of
// its group: every such object is masked, everywhere. The kind is read as
// written, not through the apiVersion, which may not parse ("/v1").
func IsSecret(u *unstructured.Unstructured) bool {
	return u != nil && strings.EqualFold(u.GetKind(), "Secret")
}

// secretValues flattens data and stringData into one map of key to value.
// stringData wins, as the API server merges it over data.
func secretValues(u *unstructured.Unstructured) map[string]string {
	if u == nil {
		return nil
	}
	out := map[string]string{}
	for _, field := range []string{"data", "stringData"} {
		m, _, _ := unstructured.NestedMap(u.Object, field)
		for k, v := range m {
			s, _ := v.(string)
			if field == "data" {
				out[k] = "b64:" + s
			} else {
				out[k] = "b64:" + base64.StdEncoding.EncodeToString([]byte(s))
			}
		}
	}
	return out
}

// maskOne masks u's values; where other is given, a value that differs
// from other's (or is missing there) gets the changed mask.
func maskOne(u *unstructured.Unstructured, own, other map[string]string) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	c := u.DeepCopy()
	ann := c.GetAnnotations()
	if _, ok := ann[lastAppliedAnnotation]; ok {
		delete(ann, lastAppliedAnnotation)
		c.SetAnnotations(ann)
	}
	for _, field := range []string{"data", "stringData"} {
		m, found, _ := unstructured.NestedMap(c.Object, field)
		if !found {
			continue
		}
		for k := range m {
			mask := MaskUnchanged
			if other != nil && other[k] != own[k] {
				mask = MaskChanged
			}
			m[k] = mask
		}
		_ = unstructured.SetNestedMap(c.Object, m, field)
	}
	return c
}
