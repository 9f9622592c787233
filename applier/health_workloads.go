package applier

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// num reads an integer field, zero when absent.
func num(u *unstructured.Unstructured, fields ...string) int64 {
	n, _, _ := unstructured.NestedInt64(u.Object, fields...)
	return n
}

// str reads a string field, "" when absent.
func str(u *unstructured.Unstructured, fields ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, fields...)
	return s
}

// flag reads a bool field, false when absent.
func flag(u *unstructured.Unstructured, fields ...string) bool {
	b, _, _ := unstructured.NestedBool(u.Object, fields...)
	return b
}

// specReplicas reads spec.replicas, defaulting to 1 as the API server does.
func specReplicas(u *unstructured.Unstructured) int64 {
	n, found, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
	if !found {
		return 1
	}
	return n
}

// generationObserved reports Progressing when the controller has not yet
// seen the latest spec.
func generationObserved(u *unstructured.Unstructured) (Health, bool) {
	og, found, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	if !found || og < u.GetGeneration() {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for the %s controller to observe generation %d", u.GetKind(), u.GetGeneration())}, false
	}
	return Health{}, true
}

func deploymentHealth(u *unstructured.Unstructured) Health {
	if flag(u, "spec", "paused") {
		return Health{Status: Suspended, Message: "Deployment is paused"}
	}
	if h, ok := generationObserved(u); !ok {
		return h
	}
	if c, ok := findCondition(u, "Progressing"); ok && c.Reason == "ProgressDeadlineExceeded" {
		return Health{Status: Degraded, Message: fmt.Sprintf("Deployment %q exceeded its progress deadline: %s", u.GetName(), c.Message)}
	}
	want, updated := specReplicas(u), num(u, "status", "updatedReplicas")
	total, available := num(u, "status", "replicas"), num(u, "status", "availableReplicas")
	switch {
	case updated < want:
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout: %d of %d new replicas updated", updated, want)}
	case total > updated:
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout: %d old replicas pending termination", total-updated)}
	case available < updated:
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout: %d of %d updated replicas available", available, updated)}
	}
	return Health{Status: Healthy, Message: fmt.Sprintf("%d of %d replicas available", available, want)}
}

func statefulSetHealth(u *unstructured.Unstructured) Health {
	if h, ok := generationObserved(u); !ok {
		return h
	}
	want, ready := specReplicas(u), num(u, "status", "readyReplicas")
	if ready < want {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for %d pods to be ready (%d of %d)", want-ready, ready, want)}
	}
	if str(u, "spec", "updateStrategy", "type") == "OnDelete" {
		return Health{Status: Healthy, Message: "updateStrategy OnDelete: pods update when deleted"}
	}
	partition := num(u, "spec", "updateStrategy", "rollingUpdate", "partition")
	if updated := num(u, "status", "updatedReplicas"); partition > 0 && updated < want-partition {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for partitioned rollout: %d of %d pods updated", updated, want-partition)}
	}
	if partition == 0 && str(u, "status", "currentRevision") != str(u, "status", "updateRevision") {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout to revision %s", str(u, "status", "updateRevision"))}
	}
	return Health{Status: Healthy, Message: fmt.Sprintf("%d of %d pods ready", ready, want)}
}

func daemonSetHealth(u *unstructured.Unstructured) Health {
	if h, ok := generationObserved(u); !ok {
		return h
	}
	if str(u, "spec", "updateStrategy", "type") == "OnDelete" {
		return Health{Status: Healthy, Message: "updateStrategy OnDelete: pods update when deleted"}
	}
	desired := num(u, "status", "desiredNumberScheduled")
	if updated := num(u, "status", "updatedNumberScheduled"); updated < desired {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout: %d of %d pods updated", updated, desired)}
	}
	if avail := num(u, "status", "numberAvailable"); avail < desired {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for rollout: %d of %d updated pods available", avail, desired)}
	}
	return Health{Status: Healthy, Message: fmt.Sprintf("%d pods available", desired)}
}

func replicaSetHealth(u *unstructured.Unstructured) Health {
	if h, ok := generationObserved(u); !ok {
		return h
	}
	if c, ok := findCondition(u, "ReplicaFailure"); ok && c.Status == "True" {
		return Health{Status: Degraded, Message: conditionMessage(c)}
	}
	want, avail := specReplicas(u), num(u, "status", "availableReplicas")
	if avail < want {
		return Health{Status: Progressing, Message: fmt.Sprintf("waiting for %d of %d replicas to be available", want-avail, want)}
	}
	return Health{Status: Healthy, Message: fmt.Sprintf("%d of %d replicas available", avail, want)}
}

// podFatalWaiting are container waiting reasons that will not clear alone.
var podFatalWaiting = map[string]bool{
	"CrashLoopBackOff": true, "ImagePullBackOff": true, "ErrImagePull": true,
	"InvalidImageName": true, "CreateContainerConfigError": true, "CreateContainerError": true,
}

// podWaitingProblem returns the first fatal waiting reason of a container.
func podWaitingProblem(u *unstructured.Unstructured) (string, bool) {
	for _, field := range []string{"initContainerStatuses", "containerStatuses"} {
		list, _, _ := unstructured.NestedSlice(u.Object, "status", field)
		for _, item := range list {
			cs, _ := item.(map[string]any)
			reason, _, _ := unstructured.NestedString(cs, "state", "waiting", "reason")
			if podFatalWaiting[reason] {
				msg, _, _ := unstructured.NestedString(cs, "state", "waiting", "message")
				name, _ := cs["name"].(string)
				return fmt.Sprintf("container %s: %s: %s", name, reason, msg), true
			}
		}
	}
	return "", false
}

func podHealth(u *unstructured.Unstructured) Health {
	phase := str(u, "status", "phase")
	switch phase {
	case "Succeeded":
		return Health{Status: Healthy, Message: "pod completed"}
	case "Failed":
		return Health{Status: Degraded, Message: fmt.Sprintf("pod failed: %s %s", str(u, "status", "reason"), str(u, "status", "message"))}
	}
	if msg, bad := podWaitingProblem(u); bad {
		return Health{Status: Degraded, Message: msg}
	}
	if phase == "Running" {
		if rp := str(u, "spec", "restartPolicy"); rp == "OnFailure" || rp == "Never" {
			return Health{Status: Progressing, Message: "pod running to completion"}
		}
		if c, ok := findCondition(u, "Ready"); ok && c.Status == "True" {
			return Health{Status: Healthy, Message: "pod ready"}
		}
		return Health{Status: Progressing, Message: "pod running, not ready"}
	}
	if c, ok := findCondition(u, "PodScheduled"); ok && c.Status == "False" {
		return Health{Status: Progressing, Message: "pod not scheduled: " + c.Message}
	}
	return Health{Status: Progressing, Message: "pod " + phase}
}

func jobHealth(u *unstructured.Unstructured) Health {
	if c, ok := findCondition(u, "Failed"); ok && c.Status == "True" {
		return Health{Status: Degraded, Message: fmt.Sprintf("Job failed: %s: %s", c.Reason, c.Message)}
	}
	if c, ok := findCondition(u, "Complete"); ok && c.Status == "True" {
		return Health{Status: Healthy, Message: "Job completed"}
	}
	if flag(u, "spec", "suspend") {
		return Health{Status: Suspended, Message: "Job is suspended"}
	}
	return Health{Status: Progressing, Message: fmt.Sprintf("Job running: %d active, %d succeeded, %d failed",
		num(u, "status", "active"), num(u, "status", "succeeded"), num(u, "status", "failed"))}
}

func cronJobHealth(u *unstructured.Unstructured) Health {
	if flag(u, "spec", "suspend") {
		return Health{Status: Suspended, Message: "CronJob is suspended"}
	}
	if last := str(u, "status", "lastScheduleTime"); last != "" {
		return Health{Status: Healthy, Message: "last scheduled at " + last}
	}
	return Health{Status: Healthy, Message: "not scheduled yet"}
}
