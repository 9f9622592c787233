package examplerepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitwave/gitwave/planner"
)

// The example's design, written out: what each kind of app deploys.
var (
	rootApp []string // an app of apps deploys no objects of its own
	webApp  = func(ns, name, cm string) []string {
		return []string{"ConfigMap/" + ns + "/" + cm, "Service/" + ns + "/" + name, "apps/Deployment/" + ns + "/" + name}
	}
	agentApp = webApp("monitoring", "monitoring-agent", "monitoring-agent")
	redisApp = webApp("redis", "redis", "redis-config")
	svcApp   = func(svc string) []string { return webApp(svc, svc, svc+"-config") }
	// payApp is in sync order: the PreSync hook, waves -1, 0, 1, 2, the
	// PostSync hook.
	payApp = []string{
		"batch/Job/payment-service/db-migration",
		"Namespace/payment-service",
		"Secret/payment-service/payment-db-credentials",
		"ConfigMap/payment-service/payment-config",
		"apps/Deployment/payment-service/payment-service",
		"Service/payment-service/payment-service",
		"batch/Job/payment-service/smoke-test",
	}
)

// wantApp is one app the example yields on one cluster.
type wantApp struct {
	app, cluster, parent string
	objects              []string
}

// baseApps is every app of the default branch: 17 apps, 54 objects.
var baseApps = []wantApp{
	{"root-infrastructure", "in-cluster", "", rootApp},
	{"root-platform", "in-cluster", "", rootApp},
	{"root-applications", "in-cluster", "", rootApp},
	{"monitoring-agent-production-apne2", "production-apne2", "ApplicationSet/monitoring-agent", agentApp},
	{"monitoring-agent-production-use1", "production-use1", "ApplicationSet/monitoring-agent", agentApp},
	{"redis-staging", "staging", "ApplicationSet/redis", redisApp},
	{"redis-production-apne2", "production-apne2", "ApplicationSet/redis", redisApp},
	{"redis-production-use1", "production-use1", "ApplicationSet/redis", redisApp},
	{"order-service-staging", "staging", "ApplicationSet/microservices", svcApp("order-service")},
	{"order-service-production-apne2", "production-apne2", "ApplicationSet/microservices", svcApp("order-service")},
	{"order-service-production-use1", "production-use1", "ApplicationSet/microservices", svcApp("order-service")},
	{"payment-service-staging", "staging", "ApplicationSet/microservices", payApp},
	{"payment-service-production-apne2", "production-apne2", "ApplicationSet/microservices", payApp},
	{"payment-service-production-use1", "production-use1", "ApplicationSet/microservices", payApp},
	{"notification-service-staging", "staging", "ApplicationSet/microservices", svcApp("notification-service")},
	{"notification-service-production-apne2", "production-apne2", "ApplicationSet/microservices", svcApp("notification-service")},
	{"notification-service-production-use1", "production-use1", "ApplicationSet/microservices", svcApp("notification-service")},
}

// headApps is every app of the pull request: the base's and inventory-service
// on every cluster.
var headApps = append(slices.Clone(baseApps),
	wantApp{"inventory-service-staging", "staging", "ApplicationSet/microservices", svcApp("inventory-service")},
	wantApp{"inventory-service-production-apne2", "production-apne2", "ApplicationSet/microservices", svcApp("inventory-service")},
	wantApp{"inventory-service-production-use1", "production-use1", "ApplicationSet/microservices", svcApp("inventory-service")},
)

// exampleSource reads a working tree as the planner's Source.
func exampleSource(t *testing.T, dir, rev string) planner.Source {
	t.Helper()
	repo := os.DirFS(dir)
	cfg, err := planner.LoadRepoConfig(repo)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	if cfg.RepoURL != RepoURL {
		t.Errorf("%s: .gitwave.yaml repoURL = %q, want %q", dir, cfg.RepoURL, RepoURL)
	}
	return planner.Source{Repo: repo, RepoURL: cfg.RepoURL, Revision: rev, Config: cfg}
}

// planAll discovers and plans every app of src, failing on any error.
func planAll(t *testing.T, src planner.Source) map[planner.AppKey]*planner.AppPlan {
	t.Helper()
	ctx := context.Background()
	p := &planner.Planner{}
	inv, err := p.Discover(ctx, src)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	for _, e := range inv.Errors {
		t.Errorf("Discover: %v", e)
	}
	plans := map[planner.AppKey]*planner.AppPlan{}
	for _, app := range inv.Apps {
		plan, err := p.Plan(ctx, inv, src.Repo, app)
		if err != nil {
			t.Errorf("Plan: %v", err)
			continue
		}
		plans[app.Key()] = plan
	}
	return plans
}

func TestExampleRendersAsDesigned(t *testing.T) {
	repo := buildExample(t)
	head := filepath.Join(t.TempDir(), "head")
	gitOut(t, repo.Dir, "worktree", "add", "-q", head, PRBranch)
	tests := []struct {
		name string
		dir  string
		want []wantApp
	}{
		{"main", repo.Dir, baseApps},
		{PRBranch, head, headApps},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plans := planAll(t, exampleSource(t, tt.dir, tt.name))
			var got, want []string
			for key, plan := range plans {
				got = append(got, fmt.Sprintf("%s parent=%q objects=%q", key, plan.App.Parent, objectKeys(plan)))
			}
			for _, w := range tt.want {
				want = append(want, fmt.Sprintf("%s@%s parent=%q objects=%q", w.app, w.cluster, w.parent, w.objects))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("apps:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
			for _, plan := range plans {
				checkObjects(t, plan)
			}
		})
	}
}

func objectKeys(plan *planner.AppPlan) []string {
	var keys []string
	for _, o := range plan.Objects {
		keys = append(keys, o.Key.String())
	}
	return keys
}

func TestPaymentServiceWavesAndHooks(t *testing.T) {
	src, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	plans := planAll(t, exampleSource(t, filepath.Join(src, repoDir), "main"))
	type step struct {
		key          string
		phase        planner.Phase
		wave         int
		hook         bool
		deletePolicy []string
	}
	want := []step{
		{"batch/Job/payment-service/db-migration", planner.PhasePreSync, -1, true, []string{"BeforeHookCreation"}},
		{"Namespace/payment-service", planner.PhaseSync, -1, false, nil},
		{"Secret/payment-service/payment-db-credentials", planner.PhaseSync, 0, false, nil},
		{"ConfigMap/payment-service/payment-config", planner.PhaseSync, 0, false, nil},
		{"apps/Deployment/payment-service/payment-service", planner.PhaseSync, 1, false, nil},
		{"Service/payment-service/payment-service", planner.PhaseSync, 2, false, nil},
		{"batch/Job/payment-service/smoke-test", planner.PhasePostSync, 0, true, []string{"HookSucceeded"}},
	}
	for _, cluster := range []string{"staging", "production-apne2", "production-use1"} {
		plan := plans[planner.AppKey{App: "payment-service-" + cluster, Cluster: cluster}]
		if plan == nil {
			t.Fatalf("no payment-service on %s", cluster)
		}
		var got []step
		for _, o := range plan.Objects {
			got = append(got, step{o.Key.String(), o.Phase, o.Wave, o.Hook, o.DeletePolicies})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("payment-service on %s in sync order:\n got  %v\n want %v", cluster, got, want)
		}
		dep := typed[appsv1.Deployment](t, find(plan, "apps/Deployment/payment-service/payment-service"))
		c := dep.Spec.Template.Spec.Containers[0]
		if *dep.Spec.Replicas != 2 || c.Resources.Requests.Memory().String() != "1Gi" || c.Image != "registry.internal/payment-service:v2.3.1" {
			t.Errorf("payment-service on %s: replicas %d, memory %s, image %s; want the ApplicationSet's 2 and 1Gi and v2.3.1",
				cluster, *dep.Spec.Replicas, c.Resources.Requests.Memory(), c.Image)
		}
		cm := typed[corev1.ConfigMap](t, find(plan, "ConfigMap/payment-service/payment-config"))
		wantLevel := map[string]string{"staging": "debug"}[cluster]
		if wantLevel == "" {
			wantLevel = "warn"
		}
		if cm.Data["LOG_LEVEL"] != wantLevel {
			t.Errorf("payment-config on %s: LOG_LEVEL %q, want %q from values-<env>.yaml", cluster, cm.Data["LOG_LEVEL"], wantLevel)
		}
	}
}

func find(plan *planner.AppPlan, key string) *unstructured.Unstructured {
	for _, o := range plan.Objects {
		if o.Key.String() == key {
			return o.Manifest
		}
	}
	return nil
}

// typed converts an object to its API type, refusing unknown fields: the
// demo applies every object to a real API server.
func typed[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if u == nil {
		t.Fatalf("no %T object", out)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, out, true); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

// checkObjects checks what an API server and kwok need of every object of
// an app: known fields, the destination namespace, Deployments whose
// selector matches their pods, containers with images and ports, Services
// with ports that select a Deployment's pods, and Jobs that never restart.
func checkObjects(t *testing.T, plan *planner.AppPlan) {
	t.Helper()
	app := plan.App.Key()
	var podLabels []map[string]string
	for _, o := range plan.Objects {
		u := o.Manifest
		if o.Key.Kind != "Namespace" && u.GetNamespace() != plan.App.Namespace {
			t.Errorf("%s: %s is in namespace %q, want the destination %q", app, o.Key, u.GetNamespace(), plan.App.Namespace)
		}
		switch o.Key.Kind {
		case "Deployment":
			d := typed[appsv1.Deployment](t, u)
			sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
			if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				t.Errorf("%s: %s: selector %v does not match its pod labels %v", app, o.Key, d.Spec.Selector, d.Spec.Template.Labels)
			}
			checkPod(t, app, o.Key, d.Spec.Template.Spec, true)
			podLabels = append(podLabels, d.Spec.Template.Labels)
		case "Job":
			j := typed[batchv1.Job](t, u)
			if j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("%s: %s: restartPolicy %q, want Never", app, o.Key, j.Spec.Template.Spec.RestartPolicy)
			}
			checkPod(t, app, o.Key, j.Spec.Template.Spec, false)
		case "Service":
			typed[corev1.Service](t, u)
		case "ConfigMap":
			typed[corev1.ConfigMap](t, u)
		case "Secret":
			typed[corev1.Secret](t, u)
		case "Namespace":
			typed[corev1.Namespace](t, u)
		default:
			t.Errorf("%s: %s: a kind the example does not use", app, o.Key)
		}
	}
	for _, o := range plan.Objects {
		if o.Key.Kind != "Service" {
			continue
		}
		s := typed[corev1.Service](t, o.Manifest)
		if len(s.Spec.Ports) == 0 {
			t.Errorf("%s: %s has no ports", app, o.Key)
		}
		sel := labels.SelectorFromSet(s.Spec.Selector)
		if len(s.Spec.Selector) == 0 || !slices.ContainsFunc(podLabels, func(l map[string]string) bool { return sel.Matches(labels.Set(l)) }) {
			t.Errorf("%s: %s selects %v, which no Deployment's pods carry", app, o.Key, s.Spec.Selector)
		}
	}
}

func checkPod(t *testing.T, app planner.AppKey, key planner.ResourceKey, spec corev1.PodSpec, wantPorts bool) {
	t.Helper()
	if len(spec.Containers) == 0 {
		t.Errorf("%s: %s has no containers", app, key)
	}
	for _, c := range spec.Containers {
		if c.Name == "" || !strings.HasPrefix(c.Image, "registry.internal/") {
			t.Errorf("%s: %s: container %q has image %q, want a registry.internal image", app, key, c.Name, c.Image)
		}
		if wantPorts && len(c.Ports) == 0 {
			t.Errorf("%s: %s: container %q has no ports", app, key, c.Name)
		}
	}
}
