package applier

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func pvcHealth(u *unstructured.Unstructured) Health {
	switch phase := str(u, "status", "phase"); phase {
	case "Bound":
		return Health{Status: Healthy, Message: "volume bound"}
	case "Lost":
		return Health{Status: Degraded, Message: "the bound volume was lost"}
	default:
		return Health{Status: Progressing, Message: "waiting for a volume to bind (phase " + orUnset(phase) + ")"}
	}
}

// lbIngress reports whether status.loadBalancer.ingress has an address.
func lbIngress(u *unstructured.Unstructured) bool {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "loadBalancer", "ingress")
	return len(list) > 0
}

func serviceHealth(u *unstructured.Unstructured) Health {
	if str(u, "spec", "type") != "LoadBalancer" {
		return Health{Status: Healthy}
	}
	if lbIngress(u) {
		return Health{Status: Healthy, Message: "load balancer address assigned"}
	}
	return Health{Status: Progressing, Message: "waiting for the load balancer to get an address"}
}

func ingressHealth(u *unstructured.Unstructured) Health {
	if lbIngress(u) {
		return Health{Status: Healthy, Message: "ingress address assigned"}
	}
	return Health{Status: Progressing, Message: "waiting for the ingress controller to assign an address"}
}

func crdHealth(u *unstructured.Unstructured) Health {
	if c, ok := findCondition(u, "NamesAccepted"); ok && c.Status == "False" {
		return Health{Status: Degraded, Message: conditionMessage(c)}
	}
	if c, ok := findCondition(u, "Established"); ok && c.Status == "True" {
		return Health{Status: Healthy, Message: "CRD established"}
	}
	return Health{Status: Progressing, Message: "waiting for the CRD to be established"}
}

func apiServiceHealth(u *unstructured.Unstructured) Health {
	c, ok := findCondition(u, "Available")
	switch {
	case !ok:
		return Health{Status: Progressing, Message: "waiting for the APIService to report availability"}
	case c.Status == "True":
		return Health{Status: Healthy, Message: "APIService available"}
	default:
		return Health{Status: Progressing, Message: conditionMessage(c)}
	}
}

func hpaHealth(u *unstructured.Unstructured) Health {
	conds := conditions(u)
	if len(conds) == 0 {
		return Health{Status: Progressing, Message: "waiting for the autoscaler to report"}
	}
	for _, c := range conds {
		if (c.Type == "AbleToScale" || c.Type == "ScalingActive") && c.Status == "False" && c.Reason != "ScalingDisabled" {
			return Health{Status: Degraded, Message: conditionMessage(c)}
		}
	}
	return Health{Status: Healthy, Message: fmt.Sprintf("%d current replicas", num(u, "status", "currentReplicas"))}
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}
