package applier

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// HealthStatus is how ready an object is.
type HealthStatus string

// The health statuses, as Argo CD names them.
const (
	// Healthy: the object does what it was asked to.
	Healthy HealthStatus = "Healthy"
	// Progressing: not there yet, and it may get there.
	Progressing HealthStatus = "Progressing"
	// Degraded: it failed, or will not get there without a change.
	Degraded HealthStatus = "Degraded"
	// Suspended: paused on purpose (a paused rollout, a suspended CronJob).
	Suspended HealthStatus = "Suspended"
	// Missing: the object does not exist.
	Missing HealthStatus = "Missing"
	// Unknown: its status cannot be read.
	Unknown HealthStatus = "Unknown"
)

// Health is an object's status with a message a person can act on.
type Health struct {
	Status  HealthStatus `json:"status"`
	Message string       `json:"message,omitempty"`
}

// assessor assesses one kind.
type assessor func(u *unstructured.Unstructured) Health

// assessors maps "group/Kind" to its assessor.
var assessors = map[string]assessor{
	"apps/Deployment":           deploymentHealth,
	"apps/StatefulSet":          statefulSetHealth,
	"apps/DaemonSet":            daemonSetHealth,
	"apps/ReplicaSet":           replicaSetHealth,
	"/Pod":                      podHealth,
	"batch/Job":                 jobHealth,
	"batch/CronJob":             cronJobHealth,
	"/PersistentVolumeClaim":    pvcHealth,
	"/Service":                  serviceHealth,
	"networking.k8s.io/Ingress": ingressHealth,
	"apiextensions.k8s.io/CustomResourceDefinition": crdHealth,
	"apiregistration.k8s.io/APIService":             apiServiceHealth,
	"autoscaling/HorizontalPodAutoscaler":           hpaHealth,
}

// Assess returns the health of a live object. A nil object is Missing; a
// kind gitwave knows is judged by its own rules; any other object by its
// status.conditions (Ready, Available), and Healthy when it has none.
func Assess(u *unstructured.Unstructured) Health {
	if u == nil {
		return Health{Status: Missing, Message: "object does not exist"}
	}
	if u.GetDeletionTimestamp() != nil {
		return Health{Status: Progressing, Message: "being deleted"}
	}
	gvk := u.GroupVersionKind()
	if a, ok := assessors[gvk.Group+"/"+gvk.Kind]; ok {
		return a(u)
	}
	return conditionsHealth(u)
}

// condition is one entry of status.conditions.
type condition struct {
	Type, Status, Reason, Message string
}

// conditions reads status.conditions.
func conditions(u *unstructured.Unstructured) []condition {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	out := make([]condition, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		c := condition{}
		c.Type, _ = m["type"].(string)
		c.Status, _ = m["status"].(string)
		c.Reason, _ = m["reason"].(string)
		c.Message, _ = m["message"].(string)
		out = append(out, c)
	}
	return out
}

// findCondition returns the condition of type t.
func findCondition(u *unstructured.Unstructured, t string) (condition, bool) {
	for _, c := range conditions(u) {
		if c.Type == t {
			return c, true
		}
	}
	return condition{}, false
}

// conditionsHealth judges an object by a Ready or Available condition; a
// Stalled condition that is True is Degraded; no such condition is Healthy.
func conditionsHealth(u *unstructured.Unstructured) Health {
	if c, ok := findCondition(u, "Stalled"); ok && c.Status == "True" {
		return Health{Status: Degraded, Message: conditionMessage(c)}
	}
	for _, t := range []string{"Ready", "Available"} {
		c, ok := findCondition(u, t)
		if !ok {
			continue
		}
		switch c.Status {
		case "True":
			return Health{Status: Healthy, Message: c.Message}
		case "False":
			if observedStale(u) {
				return Health{Status: Progressing, Message: "waiting for the controller to observe the latest spec"}
			}
			if strings.Contains(strings.ToLower(c.Reason), "progress") || strings.Contains(strings.ToLower(c.Reason), "reconcil") {
				return Health{Status: Progressing, Message: conditionMessage(c)}
			}
			return Health{Status: Degraded, Message: conditionMessage(c)}
		default:
			return Health{Status: Progressing, Message: conditionMessage(c)}
		}
	}
	return Health{Status: Healthy}
}

// observedStale reports whether status.observedGeneration is behind
// metadata.generation.
func observedStale(u *unstructured.Unstructured) bool {
	og, found, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	return found && og < u.GetGeneration()
}

// conditionMessage renders a condition as "Type=Status: Reason: message".
func conditionMessage(c condition) string {
	s := fmt.Sprintf("%s=%s", c.Type, c.Status)
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}
