package applier

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Secrets kept in Git by a controller's resource are judged as Argo CD's
// built-in health checks judge them: a SealedSecret by its Synced
// condition, an ExternalSecret by its Ready condition. Without them a
// SealedSecret (no Ready condition) would be Healthy before its Secret
// exists, and a sync would go on to the next wave too early.
func init() {
	assessors["bitnami.com/SealedSecret"] = sealedSecretHealth
	assessors["external-secrets.io/ExternalSecret"] = externalSecretHealth
}

// sealedSecretHealth: Synced=True is Healthy, Synced=False (the
// controller could not unseal it) Degraded, anything else Progressing. A
// status that describes an earlier generation is Progressing.
func sealedSecretHealth(u *unstructured.Unstructured) Health {
	waiting := Health{Status: Progressing, Message: "Waiting for Sealed Secret to be decrypted"}
	if observedStale(u) {
		return waiting
	}
	c, ok := findCondition(u, "Synced")
	switch {
	case !ok:
		return waiting
	case c.Status == "True":
		return Health{Status: Healthy, Message: c.Message}
	case c.Status == "False":
		return Health{Status: Degraded, Message: orReason(c)}
	}
	return waiting
}

// externalSecretHealth: Ready=True (reason SecretSynced) is Healthy,
// Ready=False (reason SecretSyncedError) Degraded, anything else
// Progressing. With refreshPolicy OnChange, a Ready condition older than
// the last refresh is not yet the answer.
func externalSecretHealth(u *unstructured.Unstructured) Health {
	waiting := Health{Status: Progressing, Message: "Waiting for ExternalSecret"}
	c, ok := findCondition(u, "Ready")
	if !ok {
		return waiting
	}
	if str(u, "spec", "refreshPolicy") == "OnChange" && readyTransition(u) < str(u, "status", "refreshTime") {
		return waiting
	}
	switch c.Status {
	case "True":
		return Health{Status: Healthy, Message: orReason(c)}
	case "False":
		return Health{Status: Degraded, Message: orReason(c)}
	}
	return waiting
}

// readyTransition is the Ready condition's lastTransitionTime (RFC 3339
// strings compare in time order, as Argo CD's check compares them).
func readyTransition(u *unstructured.Unstructured) string {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, item := range list {
		if m, ok := item.(map[string]any); ok && m["type"] == "Ready" {
			s, _ := m["lastTransitionTime"].(string)
			return s
		}
	}
	return ""
}

// orReason is the condition's message, or its reason when it has none.
func orReason(c condition) string {
	if c.Message != "" {
		return c.Message
	}
	return c.Reason
}
