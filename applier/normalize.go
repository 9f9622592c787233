package applier

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// annotationLastApplied is kubectl's client-side apply record.
const annotationLastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// serverSetMetadata are metadata fields the API server owns.
var serverSetMetadata = []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"}

// normalize returns a copy of u without what the API server sets and
// gitwave's own tracking, so that two objects compare equal when a person
// would call them the same: no status, no server-set metadata, no
// last-applied annotation.
func normalize(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	n := u.DeepCopy()
	delete(n.Object, "status")
	for _, f := range serverSetMetadata {
		unstructured.RemoveNestedField(n.Object, "metadata", f)
	}
	ann := n.GetAnnotations()
	delete(ann, AnnotationTrackingID)
	delete(ann, annotationLastApplied)
	if len(ann) == 0 {
		unstructured.RemoveNestedField(n.Object, "metadata", "annotations")
	} else {
		n.SetAnnotations(ann)
	}
	labels := n.GetLabels()
	delete(labels, LabelApp)
	if len(labels) == 0 {
		unstructured.RemoveNestedField(n.Object, "metadata", "labels")
	} else {
		n.SetLabels(labels)
	}
	return n
}

// ignoreRuleMatches reports whether an ignoreDifferences rule applies to key.
func ignoreRuleMatches(r planner.ResourceIgnoreRule, key planner.ResourceKey) bool {
	return r.Group == key.Group && r.Kind == key.Kind &&
		(r.Name == "" || r.Name == key.Name) && (r.Namespace == "" || r.Namespace == key.Namespace)
}

// applyIgnoreRules removes from each of objs (normalized copies) the fields
// the app's ignoreDifferences rules name for key: JSON pointers, and the
// fields that the listed managers own in live. jqPathExpressions are not
// supported and are left alone.
func applyIgnoreRules(rules []planner.ResourceIgnoreRule, key planner.ResourceKey, live *unstructured.Unstructured, objs ...*unstructured.Unstructured) {
	for _, r := range rules {
		if !ignoreRuleMatches(r, key) {
			continue
		}
		for _, p := range r.JSONPointers {
			for _, u := range objs {
				if u != nil {
					removePointer(u.Object, p)
				}
			}
		}
		if live == nil || len(r.ManagedFieldsManagers) == 0 {
			continue
		}
		for _, mf := range live.GetManagedFields() {
			if !slices.Contains(r.ManagedFieldsManagers, mf.Manager) || mf.FieldsV1 == nil {
				continue
			}
			var owned map[string]any
			if json.Unmarshal(mf.FieldsV1.Raw, &owned) != nil {
				continue
			}
			for _, u := range objs {
				if u != nil {
					removeOwned(u.Object, owned)
				}
			}
		}
	}
}

// removePointer deletes the field a JSON pointer (RFC 6901) names; a
// pointer to nothing changes nothing.
func removePointer(obj map[string]any, pointer string) {
	if pointer == "" || pointer == "/" {
		return
	}
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[i])
	}
	var cur any = obj
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				delete(c, p)
				return
			}
			cur = c[p]
		case []any:
			idx, err := strconv.Atoi(p)
			if err != nil || idx < 0 || idx >= len(c) {
				return
			}
			if last {
				c[idx] = nil // keep the other indexes stable
				return
			}
			cur = c[idx]
		default:
			return
		}
	}
}

// removeOwned deletes from obj the fields a managedFields FieldsV1 set
// names: "f:name" a field, "k:{...}" a list item by its keys, "v:value" a
// set item, "." the node itself.
func removeOwned(obj map[string]any, owned map[string]any) {
	for k, sub := range owned {
		name, isField := strings.CutPrefix(k, "f:")
		if !isField {
			continue
		}
		child, ok := obj[name]
		if !ok {
			continue
		}
		subSet, _ := sub.(map[string]any)
		if len(subSet) == 0 || hasSelf(subSet) {
			delete(obj, name)
			continue
		}
		switch c := child.(type) {
		case map[string]any:
			removeOwned(c, subSet)
		case []any:
			obj[name] = removeOwnedItems(c, subSet)
		default:
			delete(obj, name)
		}
	}
}

func hasSelf(set map[string]any) bool {
	_, ok := set["."]
	return ok
}

// removeOwnedItems handles the "k:" and "v:" entries of a list.
func removeOwnedItems(list []any, owned map[string]any) []any {
	out := make([]any, 0, len(list))
	for _, item := range list {
		drop := false
		for k, sub := range owned {
			subSet, _ := sub.(map[string]any)
			switch {
			case strings.HasPrefix(k, "k:") && itemMatchesKeys(item, k[2:]):
				m, isMap := item.(map[string]any)
				if !isMap || len(subSet) == 0 || hasSelf(subSet) {
					drop = true
				} else {
					removeOwned(m, subSet)
				}
			case strings.HasPrefix(k, "v:") && jsonEqual(item, k[2:]):
				drop = true
			}
		}
		if !drop {
			out = append(out, item)
		}
	}
	return out
}

// itemMatchesKeys reports whether a list item has every key of keysJSON.
func itemMatchesKeys(item any, keysJSON string) bool {
	m, ok := item.(map[string]any)
	var keys map[string]any
	if !ok || json.Unmarshal([]byte(keysJSON), &keys) != nil {
		return false
	}
	for k, v := range keys {
		if !jsonEqual(m[k], mustJSON(v)) {
			return false
		}
	}
	return true
}

func jsonEqual(v any, js string) bool { return mustJSON(v) == normalizeJSON(js) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return normalizeJSON(string(b))
}

// normalizeJSON re-encodes js so that numbers and spacing compare equal.
func normalizeJSON(js string) string {
	var v any
	if json.Unmarshal([]byte(js), &v) != nil {
		return js
	}
	b, _ := json.Marshal(v)
	return string(b)
}
