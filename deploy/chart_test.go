package deploy_test

import (
	"fmt"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// chartDir is the chart users install.
const chartDir = "chart/gitwave"

// postgresValues run three replicas on PostgreSQL.
var postgresValues = map[string]any{
	"replicaCount": 3,
	"config":       map[string]any{"state": map[string]any{"driver": "postgres", "dsn": "${GITWAVE_POSTGRES_DSN}"}},
	"postgres":     map[string]any{"existingSecret": "gitwave-postgres"},
	"persistence":  map[string]any{"enabled": false},
}

// render renders the chart as `helm template` would, with vals over
// values.yaml, and returns the objects by "Kind/name", or
// "Kind/namespace/name" for those that name their namespace.
func render(t *testing.T, vals map[string]any) (map[string]*unstructured.Unstructured, error) {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "gitwave", Namespace: "gitwave", IsInstall: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		return nil, err
	}
	out := map[string]*unstructured.Unstructured{}
	for name, text := range files {
		if !strings.HasSuffix(name, ".yaml") || strings.TrimSpace(text) == "" {
			continue
		}
		objs, errs := planner.ParseManifests(name, []byte(text))
		if len(errs) > 0 {
			t.Fatalf("%s does not parse: %v\n%s", name, errs, text)
		}
		for _, o := range objs {
			key := o.Object.GetKind() + "/" + o.Object.GetName()
			if ns := o.Object.GetNamespace(); ns != "" {
				key = o.Object.GetKind() + "/" + ns + "/" + o.Object.GetName()
			}
			out[key] = o.Object
		}
	}
	return out, nil
}

// TestChartLints runs `helm lint` through the SDK, on the default values
// and on PostgreSQL with three replicas, and fails on any warning.
func TestChartLints(t *testing.T) {
	for name, vals := range map[string]map[string]any{"defaults": nil, "postgres": postgresValues} {
		res := lint.AllWithKubeVersion(chartDir, vals, "gitwave", nil)
		for _, m := range res.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("%s: helm lint: %s", name, m)
			}
		}
	}
	// Lint mode lets fail pass (TestChartRefusesReplicasOnSQLite renders
	// for real), but values.schema.json refuses a value of the wrong kind.
	res := lint.AllWithKubeVersion(chartDir, map[string]any{"replicaCount": "two"}, "gitwave", nil)
	if res.HighestSeverity < support.ErrorSev {
		t.Errorf("helm lint passes replicaCount: two; messages %v", res.Messages)
	}
}

// TestChartRefusesReplicasOnSQLite: SQLite is one file on one volume, so
// two replicas on it are refused at install time, and the same count on
// PostgreSQL renders with a rolling update and no PVC.
func TestChartRefusesReplicasOnSQLite(t *testing.T) {
	_, err := render(t, map[string]any{"replicaCount": 2})
	if err == nil || !strings.Contains(err.Error(), "replicaCount 2 needs config.state.driver: postgres") {
		t.Fatalf("render with replicaCount 2 on sqlite: err = %v, want the refusal", err)
	}
	objs, err := render(t, postgresValues)
	if err != nil {
		t.Fatalf("render on postgres: %v", err)
	}
	d := objs["Deployment/gitwave"]
	if n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); n != 3 {
		t.Errorf("replicas = %d, want 3", n)
	}
	if s, _, _ := unstructured.NestedString(d.Object, "spec", "strategy", "type"); s != "RollingUpdate" {
		t.Errorf("strategy on postgres = %q, want RollingUpdate", s)
	}
	if _, ok := objs["PersistentVolumeClaim/gitwave"]; ok {
		t.Error("a PVC is rendered on postgres with persistence off")
	}
}

// TestChartDefaults: one replica on SQLite with a PVC, recreated rather
// than rolled (the volume is ReadWriteOnce), probes on /healthz and
// /readyz, the restricted security context, a PDB, and no Ingress or
// ServiceMonitor unless asked.
func TestChartDefaults(t *testing.T) {
	objs, err := render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Deployment/gitwave", "Service/gitwave", "ServiceAccount/gitwave", "ConfigMap/gitwave",
		"PersistentVolumeClaim/gitwave", "PodDisruptionBudget/gitwave", "Role/gitwave/gitwave", "RoleBinding/gitwave/gitwave"} {
		if objs[k] == nil {
			t.Errorf("%s is not rendered", k)
		}
	}
	for _, k := range []string{"Ingress/gitwave", "ServiceMonitor/gitwave", "ClusterRoleBinding/gitwave-gitwave"} {
		if objs[k] != nil {
			t.Errorf("%s is rendered by default", k)
		}
	}
	d := objs["Deployment/gitwave"].Object
	if s, _, _ := unstructured.NestedString(d, "spec", "strategy", "type"); s != "Recreate" {
		t.Errorf("strategy on sqlite = %q, want Recreate", s)
	}
	c := container(t, d)
	for field, want := range map[string]string{
		"livenessProbe.httpGet.path":               "/healthz",
		"readinessProbe.httpGet.path":              "/readyz",
		"securityContext.runAsNonRoot":             "true",
		"securityContext.readOnlyRootFilesystem":   "true",
		"securityContext.allowPrivilegeEscalation": "false",
		"securityContext.capabilities.drop":        "[ALL]",
		"securityContext.seccompProfile.type":      "RuntimeDefault",
	} {
		v, _, _ := unstructured.NestedFieldNoCopy(c, strings.Split(field, ".")...)
		if got := fmtValue(v); got != want {
			t.Errorf("container %s = %s, want %s", field, got, want)
		}
	}
	if u, _, _ := unstructured.NestedInt64(d, "spec", "template", "spec", "securityContext", "runAsUser"); u != 65532 {
		t.Errorf("pod runAsUser = %d, want 65532", u)
	}
	cfg, _, _ := unstructured.NestedString(objs["ConfigMap/gitwave"].Object, "data", "gitwave.yaml")
	if !strings.Contains(cfg, "dataDir: /data") || !strings.Contains(cfg, "driver: sqlite") {
		t.Errorf("gitwave.yaml in the ConfigMap:\n%s", cfg)
	}
}

// TestChartOptionalParts: Ingress, ServiceMonitor, hub RBAC and a
// clusterSecrets namespace of its own appear when asked for.
func TestChartOptionalParts(t *testing.T) {
	objs, err := render(t, map[string]any{
		"ingress":        map[string]any{"enabled": true, "host": "gitwave.acme.dev"},
		"serviceMonitor": map[string]any{"enabled": true},
		"rbac":           map[string]any{"manageHub": true},
		"config":         map[string]any{"clusterSecrets": map[string]any{"namespace": "argocd"}},
		"secrets":        map[string]any{"github": "gitwave-github"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Ingress/gitwave", "ServiceMonitor/gitwave", "ClusterRoleBinding/gitwave-gitwave"} {
		if objs[k] == nil {
			t.Errorf("%s is not rendered", k)
		}
	}
	if p, _, _ := unstructured.NestedSlice(objs["Ingress/gitwave"].Object, "spec", "rules"); fmtValue(p) == "" || !strings.Contains(fmtValue(p), "/webhooks") || strings.Contains(fmtValue(p), "/metrics") {
		t.Errorf("ingress rules expose %s, want /webhooks only", fmtValue(p))
	}
	if objs["Role/argocd/gitwave"] == nil || objs["RoleBinding/argocd/gitwave"] == nil {
		t.Error("no Role lets gitwave read Secrets in the clusterSecrets namespace argocd")
	}
	if !strings.Contains(fmtValue(container(t, objs["Deployment/gitwave"].Object)["volumeMounts"]), "/etc/gitwave/secrets/github") {
		t.Error("the github Secret is not mounted under /etc/gitwave/secrets/github")
	}
}

// fmtValue prints a field of an object: true, [ALL], /healthz.
func fmtValue(v any) string { return fmt.Sprint(v) }

// container returns the Deployment's gitwave container.
func container(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	cs, _, _ := unstructured.NestedSlice(d, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return cs[0].(map[string]any)
}

// TestChartServesTheStatusPageOnItsOwnPort: with config.ui.listen the pod
// and the Service get a `ui` port, which the Ingress does not route; without
// it neither has one.
func TestChartServesTheStatusPageOnItsOwnPort(t *testing.T) {
	objs, err := render(t, map[string]any{
		"config":  map[string]any{"ui": map[string]any{"listen": ":9090"}},
		"ingress": map[string]any{"enabled": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	ports := fmtValue(container(t, objs["Deployment/gitwave"].Object)["ports"])
	if !strings.Contains(ports, "containerPort:9090") || !strings.Contains(ports, "name:ui") {
		t.Errorf("container ports %s, want ui on 9090", ports)
	}
	sp, _, _ := unstructured.NestedSlice(objs["Service/gitwave"].Object, "spec", "ports")
	if s := fmtValue(sp); !strings.Contains(s, "name:ui") || !strings.Contains(s, "port:8081") {
		t.Errorf("service ports %s, want ui on 8081", s)
	}
	if r := fmtValue(objs["Ingress/gitwave"].Object["spec"]); !strings.Contains(r, "name:http") || strings.Contains(r, "name:ui") {
		t.Errorf("the Ingress routes %s; want the http port only, never ui", r)
	}
	objs, err = render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ports := fmtValue(container(t, objs["Deployment/gitwave"].Object)["ports"]); strings.Contains(ports, "name:ui") {
		t.Errorf("the status page is off by default, yet the pod has a ui port: %s", ports)
	}
}
