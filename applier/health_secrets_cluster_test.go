package applier

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const sealedSecretCRD = `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: sealedsecrets.bitnami.com},
	spec: {group: bitnami.com, scope: Namespaced, names: {plural: sealedsecrets, singular: sealedsecret, kind: SealedSecret},
	versions: [{name: v1alpha1, served: true, storage: true, subresources: {status: {}},
	schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]}}`

// TestSealedSecretGatesNextWave checks that a sync waits for a SealedSecret
// to be unsealed (Synced=True) before the next wave: without a controller
// the wait fails at its deadline and the next wave is not applied; once the
// status says Synced, the sync goes through.
func TestSealedSecretGatesNextWave(t *testing.T) {
	m, _ := newManager(t, "c1", Options{WaitTimeout: 3 * time.Second})
	createNamespace(t, m, "sealed")
	app := testApp("sealed", "c1", "sealed")
	objs := objects(t, sealedSecretCRD,
		`{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {name: db}, spec: {encryptedData: {password: AgBy3i4OJSWK}}}`,
		configMap("after", 1))
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	shown, _ := json.Marshal(res)
	if err == nil || !strings.Contains(err.Error(), "Waiting for Sealed Secret to be decrypted") {
		t.Fatalf("sync: %v, want it to fail waiting for the SealedSecret:\n%s", err, shown)
	}
	if _, err := m.client.Resource(configMapsGVR).Namespace("sealed").Get(t.Context(), "after", metav1.GetOptions{}); err == nil {
		t.Fatalf("wave 1 was applied before the SealedSecret was unsealed")
	}

	gvr := schema.GroupVersionResource{Group: "bitnami.com", Version: "v1alpha1", Resource: "sealedsecrets"}
	ss, err := m.client.Resource(gvr).Namespace("sealed").Get(t.Context(), "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ss.Object["status"] = map[string]any{"observedGeneration": ss.GetGeneration(),
		"conditions": []any{map[string]any{"type": "Synced", "status": "True"}}}
	if _, err := m.client.Resource(gvr).Namespace("sealed").UpdateStatus(t.Context(), ss, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	if err != nil || res.Phase != SyncSucceeded {
		t.Fatalf("sync after unsealing: %v, %s", err, res.Phase)
	}
	if _, err := m.client.Resource(configMapsGVR).Namespace("sealed").Get(t.Context(), "after", metav1.GetOptions{}); err != nil {
		t.Errorf("wave 1 not applied after the SealedSecret was unsealed: %v", err)
	}
}
