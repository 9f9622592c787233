package applier

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// DiffOptions limits what a live diff reads. The zero value shows every
// live object the app renders, as Argo CD does for an app whose project
// allows every destination.
type DiffOptions struct {
	// MayRead reports whether the diff may show a live object that the app
	// does not own (no tracking id of the app). key carries the namespace
	// the object would be applied in, "" for a cluster-scoped object. Nil
	// allows every object. An object the app owns is always shown; an
	// object refused is not shown (a dry run of it is discarded): the diff compares the
	// rendered object with a placeholder and its note says the object
	// exists and is not the app's.
	MayRead func(key planner.ResourceKey) bool
}

func (o DiffOptions) mayRead(key planner.ResourceKey) bool {
	return o.MayRead == nil || o.MayRead(key)
}

// blindedValue replaces each value of a Secret the app does not own before
// it is compared: it is not base64, so it equals no real value, and every
// key shows as changed whatever the live value is. A pull request cannot
// learn whether it guessed a value of someone else's Secret.
const blindedValue = "(not compared: the Secret is not owned by this app)"

// blindSecretValues replaces the values of a live Secret (u may be nil or
// another kind) with blindedValue.
func blindSecretValues(u *unstructured.Unstructured) {
	if !planner.IsSecret(u) {
		return
	}
	data, _, _ := unstructured.NestedMap(u.Object, "data")
	for k := range data {
		data[k] = blindedValue
	}
	if data != nil {
		_ = unstructured.SetNestedMap(u.Object, data, "data")
	}
	unstructured.RemoveNestedField(u.Object, "stringData")
}

// placeholder stands for a live object whose content the diff may not
// show: only its kind and name.
func placeholder(u *unstructured.Unstructured) *unstructured.Unstructured {
	p := &unstructured.Unstructured{Object: map[string]any{}}
	p.SetAPIVersion(u.GetAPIVersion())
	p.SetKind(u.GetKind())
	p.SetName(u.GetName())
	p.SetNamespace(u.GetNamespace())
	return p
}

// hiddenNote says which objects exist live, are not the app's, and are
// not shown.
func hiddenNote(app *planner.App, keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return fmt.Sprintf("live content not shown: %s already exist(s) on the cluster and is not owned by app %s; the diff shows only what the app would apply",
		strings.Join(keys, ", "), app.Name)
}
