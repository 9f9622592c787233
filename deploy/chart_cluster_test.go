package deploy_test

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
)

// TestChartBecomesAvailable renders the chart with its default values
// (one replica on SQLite with a PVC) and applies it with gitwave's own
// applier to a real cluster, where the sync succeeds only once every
// object is healthy: the PVC bound and the Deployment Available.
func TestChartBecomesAvailable(t *testing.T) {
	bin := localcluster.RequireBinaries(t)
	ctx := context.Background()
	env, err := localcluster.Start(ctx, localcluster.Options{Names: []string{"hub"}, BinDir: bin, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	admin := kubernetes.NewForConfigOrDie(env.RESTConfig("hub"))
	// No provisioner runs here: a volume for the PVC to bind.
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "gitwave-data"}, Spec: corev1.PersistentVolumeSpec{
		Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("5Gi")},
		AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: t.TempDir()}},
	}}
	if _, err := admin.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rendered, err := render(t, map[string]any{"image": map[string]any{"tag": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	var objs []*planner.Object
	for key, u := range rendered {
		o, err := planner.NewObject(u, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	m, err := applier.New(env.RESTConfig("hub"), applier.Options{Cluster: "hub", WaitTimeout: 3 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	app := &planner.App{Name: "gitwave", Project: "default", Namespace: "gitwave", Cluster: planner.Cluster{Name: "hub"},
		Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{SyncOptions: []string{"CreateNamespace=true"}}}}
	res, err := m.Sync(ctx, applier.SyncRequest{App: app, Objects: objs, Revision: "chart", Trigger: "test"}, nil)
	if err != nil {
		t.Fatalf("sync the chart: %v", err)
	}
	if res.Phase != applier.SyncSucceeded {
		t.Fatalf("sync phase %s: %s", res.Phase, res.Message)
	}
	d, err := admin.AppsV1().Deployments("gitwave").Get(ctx, "gitwave", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !available(d) || d.Status.ReadyReplicas != 1 {
		t.Errorf("Deployment gitwave: ready %d, conditions %v; want Available with 1 ready", d.Status.ReadyReplicas, d.Status.Conditions)
	}
}

func available(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
