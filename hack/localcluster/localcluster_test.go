package localcluster_test

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitwave/gitwave/hack/localcluster"
)

// TestTwoClusters starts two real clusters, runs a Deployment and a Job to
// completion in one, then stops the other and checks only it went away.
func TestTwoClusters(t *testing.T) {
	bin := localcluster.RequireBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	began := time.Now()
	env, err := localcluster.Start(ctx, localcluster.Options{
		Names: []string{"east", "west"}, BinDir: bin, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	t.Logf("2 clusters ready in %s", time.Since(began).Round(time.Millisecond))

	east := kubernetes.NewForConfigOrDie(env.RESTConfig("east"))
	west := clientFromKubeconfig(t, env.Kubeconfig(), "west")
	if _, err := west.Discovery().ServerVersion(); err != nil {
		t.Fatalf("west via kubeconfig context: %v", err)
	}

	t.Run("deployment reaches 3 ready replicas", func(t *testing.T) {
		createDeployment(ctx, t, east, 3)
		waitFor(ctx, t, "deployment web 3/3 ready", func(ctx context.Context) (bool, error) {
			d, err := east.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			return d.Status.ReadyReplicas == 3 && d.Status.AvailableReplicas == 3, nil
		})
	})

	t.Run("job completes", func(t *testing.T) {
		createJob(ctx, t, east)
		waitFor(ctx, t, "job once Complete", func(ctx context.Context) (bool, error) {
			j, err := east.BatchV1().Jobs("default").Get(ctx, "once", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			for _, c := range j.Status.Conditions {
				if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
	})

	t.Run("stop one cluster", func(t *testing.T) {
		if err := env.Stop("west"); err != nil {
			t.Fatal(err)
		}
		cfg := env.RESTConfig("west")
		cfg.Timeout = 3 * time.Second
		if _, err := kubernetes.NewForConfigOrDie(cfg).Discovery().ServerVersion(); err == nil {
			t.Fatal("west still answers after Stop")
		}
		if _, err := east.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
			t.Fatalf("east stopped answering after west was stopped: %v", err)
		}
	})
}

// clientFromKubeconfig builds a clientset from one context of a kubeconfig.
func clientFromKubeconfig(t *testing.T, kubeconfig []byte, context string) kubernetes.Interface {
	t.Helper()
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, context, nil, nil).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return kubernetes.NewForConfigOrDie(cfg)
}

func createDeployment(ctx context.Context, t *testing.T, cs kubernetes.Interface, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": "web"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "example.invalid/web:1"}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createJob(ctx context.Context, t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "once"},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "once", Image: "example.invalid/once:1"}},
				},
			},
		},
	}
	if _, err := cs.BatchV1().Jobs("default").Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to a minute, failing the test on timeout.
func waitFor(ctx context.Context, t *testing.T, what string, cond wait.ConditionWithContextFunc) {
	t.Helper()
	began := time.Now()
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			ok, err := cond(ctx)
			lastErr = err
			return ok && err == nil, nil
		})
	if err != nil {
		t.Fatalf("%s: %v (last error: %v)", what, err, lastErr)
	}
	t.Logf("%s after %s", what, time.Since(began).Round(time.Millisecond))
}
