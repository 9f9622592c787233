package applier

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func mustObject(t testing.TB, doc string) *unstructured.Unstructured {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return u
}

func TestAssess(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		status  HealthStatus
		message string // substring
	}{
		{"deployment rolled out", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a, generation: 2}, spec: {replicas: 3},
			status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}}`, Healthy, "3 of 3"},
		{"deployment not observed", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a, generation: 2}, spec: {replicas: 3},
			status: {observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3}}`, Progressing, "observe generation 2"},
		{"deployment updating", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a, generation: 1}, spec: {replicas: 3},
			status: {observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 3}}`, Progressing, "1 of 3 new replicas"},
		{"deployment old replicas", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a, generation: 1}, spec: {replicas: 2},
			status: {observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2}}`, Progressing, "1 old replicas"},
		{"deployment paused", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {paused: true}}`, Suspended, "paused"},
		{"deployment deadline", `{apiVersion: apps/v1, kind: Deployment, metadata: {name: a, generation: 1}, status: {observedGeneration: 1,
			conditions: [{type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: "ReplicaSet a-1 has timed out"}]}}`, Degraded, "timed out"},
		{"statefulset waiting", `{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s, generation: 1}, spec: {replicas: 2},
			status: {observedGeneration: 1, readyReplicas: 1}}`, Progressing, "1 pods to be ready"},
		{"statefulset done", `{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s, generation: 1}, spec: {replicas: 2},
			status: {observedGeneration: 1, readyReplicas: 2, currentRevision: r1, updateRevision: r1}}`, Healthy, "2 of 2"},
		{"statefulset revision", `{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s, generation: 1}, spec: {replicas: 2},
			status: {observedGeneration: 1, readyReplicas: 2, currentRevision: r1, updateRevision: r2}}`, Progressing, "revision r2"},
		{"daemonset updating", `{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: d, generation: 1},
			status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 2}}`, Progressing, "2 of 3 pods updated"},
		{"daemonset ready", `{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: d, generation: 1},
			status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}}`, Healthy, "3 pods"},
		{"replicaset failure", `{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: r, generation: 1}, status: {observedGeneration: 1,
			conditions: [{type: ReplicaFailure, status: "True", reason: FailedCreate, message: "quota exceeded"}]}}`, Degraded, "quota exceeded"},
		{"pod crashloop", `{apiVersion: v1, kind: Pod, metadata: {name: p}, status: {phase: Running,
			containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff, message: "back-off 5m"}}}]}}`, Degraded, "CrashLoopBackOff"},
		{"pod ready", `{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {restartPolicy: Always}, status: {phase: Running,
			conditions: [{type: Ready, status: "True"}]}}`, Healthy, "ready"},
		{"pod unschedulable", `{apiVersion: v1, kind: Pod, metadata: {name: p}, status: {phase: Pending,
			conditions: [{type: PodScheduled, status: "False", message: "0/1 nodes are available"}]}}`, Progressing, "0/1 nodes"},
		{"pod failed", `{apiVersion: v1, kind: Pod, metadata: {name: p}, status: {phase: Failed, reason: Evicted}}`, Degraded, "Evicted"},
		{"job complete", `{apiVersion: batch/v1, kind: Job, metadata: {name: j}, status: {conditions: [{type: Complete, status: "True"}]}}`, Healthy, "completed"},
		{"job failed", `{apiVersion: batch/v1, kind: Job, metadata: {name: j}, status: {conditions: [{type: Failed, status: "True",
			reason: DeadlineExceeded, message: "Job was active longer than specified deadline"}]}}`, Degraded, "DeadlineExceeded"},
		{"job running", `{apiVersion: batch/v1, kind: Job, metadata: {name: j}, status: {active: 1}}`, Progressing, "1 active"},
		{"job suspended", `{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {suspend: true}}`, Suspended, "suspended"},
		{"cronjob suspended", `{apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, spec: {suspend: true}}`, Suspended, "suspended"},
		{"cronjob active", `{apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, status: {lastScheduleTime: "2026-01-02T03:04:05Z"}}`, Healthy, "2026-01-02"},
		{"pvc pending", `{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: v}, status: {phase: Pending}}`, Progressing, "bind"},
		{"pvc bound", `{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: v}, status: {phase: Bound}}`, Healthy, "bound"},
		{"pvc lost", `{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: v}, status: {phase: Lost}}`, Degraded, "lost"},
		{"service clusterip", `{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {type: ClusterIP}}`, Healthy, ""},
		{"service lb waiting", `{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {type: LoadBalancer}}`, Progressing, "load balancer"},
		{"service lb ready", `{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {type: LoadBalancer},
			status: {loadBalancer: {ingress: [{ip: 10.0.0.1}]}}}`, Healthy, "address"},
		{"ingress waiting", `{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i}}`, Progressing, "ingress controller"},
		{"crd established", `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: a.b},
			status: {conditions: [{type: Established, status: "True"}]}}`, Healthy, "established"},
		{"crd names rejected", `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: a.b},
			status: {conditions: [{type: NamesAccepted, status: "False", reason: MultipleNamesConflict}]}}`, Degraded, "MultipleNamesConflict"},
		{"apiservice unavailable", `{apiVersion: apiregistration.k8s.io/v1, kind: APIService, metadata: {name: v1.x},
			status: {conditions: [{type: Available, status: "False", reason: MissingEndpoints}]}}`, Progressing, "MissingEndpoints"},
		{"hpa cannot scale", `{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h},
			status: {conditions: [{type: ScalingActive, status: "False", reason: FailedGetResourceMetric}]}}`, Degraded, "FailedGetResourceMetric"},
		{"hpa ok", `{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h},
			status: {currentReplicas: 2, conditions: [{type: AbleToScale, status: "True"}, {type: ScalingActive, status: "True"}]}}`, Healthy, "2 current"},
		{"custom ready false", `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w},
			status: {conditions: [{type: Ready, status: "False", reason: BadConfig, message: "port missing"}]}}`, Degraded, "port missing"},
		{"custom reconciling", `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w},
			status: {conditions: [{type: Ready, status: "False", reason: Progressing}]}}`, Progressing, "Ready=False"},
		{"custom available", `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w},
			status: {conditions: [{type: Available, status: "True"}]}}`, Healthy, ""},
		{"configmap", `{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}`, Healthy, ""},
		{"being deleted", `{apiVersion: v1, kind: ConfigMap, metadata: {name: c, deletionTimestamp: "2026-01-02T03:04:05Z"}}`, Progressing, "deleted"},
		{"sealedsecret unsealed", `{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {name: s, generation: 1},
			status: {observedGeneration: 1, conditions: [{type: Synced, status: "True"}]}}`, Healthy, ""},
		{"sealedsecret no key", `{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {name: s, generation: 1},
			status: {observedGeneration: 1, conditions: [{type: Synced, status: "False", message: "no key could decrypt secret (password)"}]}}`, Degraded, "no key could decrypt"},
		{"sealedsecret not yet unsealed", `{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {name: s}}`, Progressing, "Waiting for Sealed Secret"},
		{"sealedsecret status of an older generation", `{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {name: s, generation: 2},
			status: {observedGeneration: 1, conditions: [{type: Synced, status: "True"}]}}`, Progressing, "Waiting for Sealed Secret"},
		{"externalsecret synced", `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, metadata: {name: e},
			status: {conditions: [{type: Ready, status: "True", reason: SecretSynced, message: "Secret was synced"}]}}`, Healthy, "Secret was synced"},
		{"externalsecret sync error", `{apiVersion: external-secrets.io/v1beta1, kind: ExternalSecret, metadata: {name: e},
			status: {conditions: [{type: Ready, status: "False", reason: SecretSyncedError, message: "could not get secret data from provider"}]}}`, Degraded, "could not get secret data"},
		{"externalsecret error without message", `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, metadata: {name: e},
			status: {conditions: [{type: Ready, status: "False", reason: SecretSyncedError}]}}`, Degraded, "SecretSyncedError"},
		{"externalsecret waiting", `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, metadata: {name: e}}`, Progressing, "Waiting for ExternalSecret"},
		{"externalsecret onchange before refresh", `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, metadata: {name: e}, spec: {refreshPolicy: OnChange},
			status: {refreshTime: "2026-01-02T03:05:00Z", conditions: [{type: Ready, status: "True", reason: SecretSynced, lastTransitionTime: "2026-01-02T03:04:00Z"}]}}`, Progressing, "Waiting for ExternalSecret"},
		{"externalsecret onchange after refresh", `{apiVersion: external-secrets.io/v1, kind: ExternalSecret, metadata: {name: e}, spec: {refreshPolicy: OnChange},
			status: {refreshTime: "2026-01-02T03:04:00Z", conditions: [{type: Ready, status: "True", reason: SecretSynced, message: "Secret was synced", lastTransitionTime: "2026-01-02T03:04:00Z"}]}}`, Healthy, "Secret was synced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Assess(mustObject(t, tt.doc))
			if h.Status != tt.status || !strings.Contains(h.Message, tt.message) {
				t.Errorf("Assess = %s %q, want %s containing %q", h.Status, h.Message, tt.status, tt.message)
			}
		})
	}
	if h := Assess(nil); h.Status != Missing {
		t.Errorf("Assess(nil) = %s, want Missing", h.Status)
	}
}
