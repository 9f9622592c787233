package planner

import (
	"cmp"
	"slices"
)

// kindOrder is the order of kinds within one phase and wave, as DESIGN.md
// "Sync semantics" gives it. Kinds not listed sort after all of these.
var kindOrder = func() map[string]int {
	kinds := []string{
		"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
		"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
		"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
		"ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList",
		"Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
		"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
		"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
	}
	m := make(map[string]int, len(kinds))
	for i, k := range kinds {
		m[k] = i
	}
	return m
}()

// KindRank returns the position of kind in the sync order; unknown kinds
// share the last rank.
func KindRank(kind string) int {
	if r, ok := kindOrder[kind]; ok {
		return r
	}
	return len(kindOrder)
}

// CompareObjects orders objects for a sync: phase, then wave, then kind,
// then namespace and name. It is the one comparator every part of gitwave
// sorts by.
func CompareObjects(a, b *Object) int {
	return cmp.Or(
		cmp.Compare(phaseRank[a.Phase], phaseRank[b.Phase]),
		cmp.Compare(a.Wave, b.Wave),
		cmp.Compare(KindRank(a.Key.Kind), KindRank(b.Key.Kind)),
		cmp.Compare(a.Key.Kind, b.Key.Kind),
		cmp.Compare(a.Key.Group, b.Key.Group),
		cmp.Compare(a.Key.Namespace, b.Key.Namespace),
		cmp.Compare(a.Key.Name, b.Key.Name),
	)
}

// SortObjects sorts objects in sync order, stably.
func SortObjects(objs []*Object) { slices.SortStableFunc(objs, CompareObjects) }

// Step is one group of objects that a sync applies together: one phase and
// one wave. Objects in a step are applied in parallel; the next step starts
// when every object of this one is healthy.
type Step struct {
	Phase   Phase
	Wave    int
	Objects []*Object
}

// Steps groups sorted objects into phase-and-wave steps, leaving out Skip
// objects. It sorts a copy, so the caller's order is kept.
func Steps(objs []*Object) []Step {
	sorted := slices.Clone(objs)
	SortObjects(sorted)
	var steps []Step
	for _, o := range sorted {
		if o.Phase == PhaseSkip {
			continue
		}
		n := len(steps)
		if n == 0 || steps[n-1].Phase != o.Phase || steps[n-1].Wave != o.Wave {
			steps = append(steps, Step{Phase: o.Phase, Wave: o.Wave})
			n++
		}
		steps[n-1].Objects = append(steps[n-1].Objects, o)
	}
	return steps
}

// CompareAppOrder orders apps for deployment by their sync-wave paths
// (App.Order), element by element; a shorter path that is a prefix of a
// longer one sorts first, as a parent deploys before its children.
func CompareAppOrder(a, b *App) int {
	for i := 0; i < len(a.Order) && i < len(b.Order); i++ {
		if c := cmp.Compare(a.Order[i], b.Order[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.Order), len(b.Order))
}
