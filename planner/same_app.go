package planner

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
)

// sameApp reports whether an app's definition (spec, cluster, wave) is the
// same at both revisions: the same JSON. It decides without encoding
// where it can: apps of an ApplicationSet's cached expansion share their
// spec's parts at both revisions (sharedSpec), equal values encode alike
// (reflect.DeepEqual), and only values found different, which may still
// encode alike (a nil and an empty list), are encoded.
func sameApp(a, b *App) bool {
	if a.Wave != b.Wave {
		return false
	}
	if sameCluster(&a.Cluster, &b.Cluster) && (sharedSpec(&a.Spec, &b.Spec) || reflect.DeepEqual(a.Spec, b.Spec)) {
		return true
	}
	ja, errA := json.Marshal(struct {
		S ApplicationSpec
		C Cluster
		W int
	}{a.Spec, a.Cluster, a.Wave})
	jb, errB := json.Marshal(struct {
		S ApplicationSpec
		C Cluster
		W int
	}{b.Spec, b.Cluster, b.Wave})
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// sharedSpec reports whether a and b are equal because they hold the same
// values and point at the same parts. TestSharedSpecKnowsEveryField fails
// when ApplicationSpec gains a field this does not compare.
func sharedSpec(a, b *ApplicationSpec) bool {
	return a.Project == b.Project && a.Source == b.Source && sameBacking(a.Sources, b.Sources) &&
		a.Destination == b.Destination && a.SyncPolicy == b.SyncPolicy &&
		sameBacking(a.IgnoreDifferences, b.IgnoreDifferences) && sameBacking(a.Info, b.Info) &&
		a.RevisionHistory == b.RevisionHistory
}

// sameBacking reports whether a and b are the same slice: same length and,
// when not empty, the same first element.
func sameBacking[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) && (a == nil) == (b == nil)
}

// sameCluster reports whether a and b are equal clusters.
// TestSharedSpecKnowsEveryField fails when Cluster gains a field this does
// not compare.
func sameCluster(a, b *Cluster) bool {
	return a.Name == b.Name && a.Server == b.Server && a.KubeVersion == b.KubeVersion && a.Source == b.Source &&
		maps.Equal(a.Labels, b.Labels) && (a.Labels == nil) == (b.Labels == nil) &&
		maps.Equal(a.Annotations, b.Annotations) && (a.Annotations == nil) == (b.Annotations == nil) &&
		slices.Equal(a.APIVersions, b.APIVersions) && (a.APIVersions == nil) == (b.APIVersions == nil) &&
		slices.Equal(a.Aliases, b.Aliases) && (a.Aliases == nil) == (b.Aliases == nil)
}
