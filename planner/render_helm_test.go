package planner

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// prodWeb is the payment app rendering the web chart with its prod values.
func prodWeb() *App {
	app := testApp(ApplicationSource{Path: "charts/web", Helm: &ApplicationSourceHelm{
		ValueFiles: []string{"../../apps/payment/values-common.yaml", "../../apps/payment/values-prod.yaml"},
	}})
	app.Cluster.KubeVersion = "1.31.4"
	return app
}

func TestRenderHelmGolden(t *testing.T) {
	objs := mustRender(t, &Renderer{}, renderRepo, prodWeb())
	goldenYAML(t, "helm-web-prod.yaml", objs)
}

func TestRenderHelmOutput(t *testing.T) {
	objs := mustRender(t, &Renderer{}, renderRepo, prodWeb())
	want := []string{
		"CustomResourceDefinition/widgets.example.com",                                                    // crds/ first
		"ConfigMap/payment-cache", "Service/payment-web", "Deployment/payment-web", "Ingress/payment-web", // install order
		"Job/payment-web-migrate", // hooks last; the test hook and NOTES.txt are dropped
	}
	if got := ids(objs); !reflect.DeepEqual(got, want) {
		t.Fatalf("objects %v, want %v", got, want)
	}
	origins := map[string]string{
		"CustomResourceDefinition/widgets.example.com": "charts/web/crds/widgets.yaml",
		"ConfigMap/payment-cache":                      "charts/web/charts/cache/templates/configmap.yaml",
		"Deployment/payment-web":                       "charts/web/templates/deployment.yaml",
		"Job/payment-web-migrate":                      "charts/web/templates/migrate-job.yaml",
	}
	for _, o := range objs {
		id := o.Object.GetKind() + "/" + o.Object.GetName()
		if want, ok := origins[id]; ok && o.File != want {
			t.Errorf("%s from %s, want %s", id, o.File, want)
		}
	}
	job := find(t, objs, "Job", "payment-web-migrate")
	if got := job.Object.GetAnnotations()["helm.sh/hook"]; got != "pre-install,pre-upgrade" {
		t.Errorf("hook annotation %q, want it kept for the ordering code", got)
	}
	ing := find(t, objs, "Ingress", "payment-web")
	if ing.Object.GetAPIVersion() != "networking.k8s.io/v1" || ing.Object.GetAnnotations()["gitwave.test/kube-version"] != "v1.31.4" {
		t.Errorf("ingress %s with kube version %q, want networking.k8s.io/v1 and the cluster's v1.31.4",
			ing.Object.GetAPIVersion(), ing.Object.GetAnnotations()["gitwave.test/kube-version"])
	}
}

func TestRenderHelmValuesPrecedence(t *testing.T) {
	base := func() *ApplicationSourceHelm {
		return &ApplicationSourceHelm{ValueFiles: []string{"../../apps/payment/values-common.yaml", "../../apps/payment/values-prod.yaml"}}
	}
	tests := []struct {
		name      string
		edit      func(h *ApplicationSourceHelm)
		replicas  int64
		region    string
		imageTail string
	}{
		{"chart values.yaml only", func(h *ApplicationSourceHelm) { h.ValueFiles = nil }, 1, "", ":2.3.1"},
		{"later value files win", func(*ApplicationSourceHelm) {}, 3, "ap-northeast-2", ":2.4.0"},
		{"values string beats value files", func(h *ApplicationSourceHelm) { h.Values = "replicaCount: 5\nenv:\n  REGION: eu\n" }, 5, "eu", ":2.4.0"},
		{"valuesObject replaces the values string", func(h *ApplicationSourceHelm) {
			h.Values = "replicaCount: 5\n"
			h.ValuesObject = map[string]any{"env": map[string]any{"REGION": "us"}}
		}, 3, "us", ":2.4.0"},
		{"parameters beat everything", func(h *ApplicationSourceHelm) {
			h.ValuesObject = map[string]any{"replicaCount": 7}
			h.Parameters = []HelmParameter{{Name: "replicaCount", Value: "9"}, {Name: "image.tag", Value: "1,2", ForceString: true}}
		}, 9, "ap-northeast-2", ":1,2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base()
			tt.edit(h)
			objs := mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "charts/web", Helm: h}))
			dep := find(t, objs, "Deployment", "payment-web").Object
			if n, _, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas"); n != tt.replicas {
				t.Errorf("replicas %d, want %d", n, tt.replicas)
			}
			c, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
			ctr := c[0].(map[string]any)
			if img := ctr["image"].(string); !strings.HasSuffix(img, tt.imageTail) {
				t.Errorf("image %s, want tag %s", img, tt.imageTail)
			}
			region := ""
			env, _ := ctr["env"].([]any)
			for _, e := range env {
				if m := e.(map[string]any); m["name"] == "REGION" {
					region = m["value"].(string)
				}
			}
			if region != tt.region {
				t.Errorf("REGION %q, want %q", region, tt.region)
			}
		})
	}
}

func TestRenderHelmOptions(t *testing.T) {
	tests := []struct {
		name  string
		helm  *ApplicationSourceHelm
		check func(t *testing.T, objs []Rendered)
	}{
		{"release name and namespace", &ApplicationSourceHelm{ReleaseName: "pay", Namespace: "billing"}, func(t *testing.T, objs []Rendered) {
			if ns := find(t, objs, "Deployment", "pay-web").Object.GetNamespace(); ns != "billing" {
				t.Errorf("namespace %q, want billing", ns)
			}
		}},
		{"destination namespace by default", &ApplicationSourceHelm{}, func(t *testing.T, objs []Rendered) {
			if ns := find(t, objs, "Deployment", "payment-web").Object.GetNamespace(); ns != "payment" {
				t.Errorf("namespace %q, want the destination's payment", ns)
			}
		}},
		{"skipCrds", &ApplicationSourceHelm{SkipCrds: true}, func(t *testing.T, objs []Rendered) {
			for _, id := range ids(objs) {
				if strings.HasPrefix(id, "CustomResourceDefinition/") {
					t.Errorf("skipCrds rendered %s", id)
				}
			}
		}},
		{"subchart condition", &ApplicationSourceHelm{Values: "cache:\n  enabled: false\n"}, func(t *testing.T, objs []Rendered) {
			for _, id := range ids(objs) {
				if id == "ConfigMap/payment-cache" {
					t.Error("disabled subchart rendered")
				}
			}
		}},
		{"missing value files ignored", &ApplicationSourceHelm{ValueFiles: []string{"nope.yaml"}, IgnoreMissingValueFiles: true}, func(t *testing.T, objs []Rendered) {
			find(t, objs, "Deployment", "payment-web")
		}},
		{"source kubeVersion and apiVersions beat the cluster's", &ApplicationSourceHelm{Values: "ingress:\n  enabled: true\n  host: a\n", KubeVersion: "1.18.3", APIVersions: []string{"example.com/v1"}},
			func(t *testing.T, objs []Rendered) {
				ing := find(t, objs, "Ingress", "payment-web").Object
				if v := ing.GetAPIVersion(); v != "networking.k8s.io/v1beta1" {
					t.Errorf("ingress %s, want v1beta1 on Kubernetes 1.18", v)
				}
				if got := ing.GetAnnotations()["gitwave.test/has-widgets"]; got != "true" {
					t.Errorf("Capabilities.APIVersions.Has example.com/v1 = %s, want true", got)
				}
			}},
		{"file parameter", &ApplicationSourceHelm{FileParameters: []HelmFileParam{{Name: "env.NOTE", Path: "../../apps/payment/values-common.yaml"}}},
			func(t *testing.T, objs []Rendered) {
				c, _, _ := unstructured.NestedSlice(find(t, objs, "Deployment", "payment-web").Object.Object, "spec", "template", "spec", "containers")
				if !strings.Contains(c[0].(map[string]any)["env"].([]any)[0].(map[string]any)["value"].(string), "tag:") {
					t.Errorf("env NOTE does not hold the file: %v", c[0])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "charts/web", Helm: tt.helm})))
		})
	}
}

func TestRenderHelmErrors(t *testing.T) {
	repo := func() map[string]string {
		m := map[string]string{}
		for _, f := range []string{"Chart.yaml", "values.yaml", "templates/deployment.yaml", "templates/_helpers.tpl",
			"charts/cache/Chart.yaml", "charts/cache/values.yaml", "charts/cache/templates/configmap.yaml"} {
			data, err := readFixture("charts/web/" + f)
			if err != nil {
				t.Fatal(err)
			}
			m["c/"+f] = data
		}
		m["c/values-bad.yaml"] = "replicaCount: 2\nimage:\n  tag: [1\n"
		m["c/templates/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {{ required \"the secret name is required\" .Values.secretName }}\n"
		return m
	}
	tests := []struct {
		name     string
		helm     *ApplicationSourceHelm
		opts     RenderOptions
		links    map[string]string
		files    map[string]string
		cluster  string
		wantFile string
		wantLine int
		want     []string
	}{
		{"required value", &ApplicationSourceHelm{}, RenderOptions{}, nil, nil, "", "c/templates/cm.yaml", 6,
			[]string{"the secret name is required"}},
		{"missing key in strict mode", &ApplicationSourceHelm{Values: "secretName: s\n"}, RenderOptions{HelmStrict: true}, nil,
			map[string]string{"c/templates/cm2.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.nope.deeper }}\n"},
			"", "c/templates/cm2.yaml", 4, []string{"nope"}},
		{"template syntax error", &ApplicationSourceHelm{Values: "secretName: s\n"}, RenderOptions{}, nil,
			map[string]string{"c/templates/bad.yaml": "a: b\nc: {{ .Values.x \n"}, "", "c/templates/bad.yaml", 3, []string{"parse error", "unclosed action"}},
		{"value file absolute", &ApplicationSourceHelm{ValueFiles: []string{"/etc/passwd"}}, RenderOptions{}, nil, nil, "",
			"apps/payment.yaml", 3, []string{"value file /etc/passwd", "absolute"}},
		{"value file escapes", &ApplicationSourceHelm{ValueFiles: []string{"../../etc/passwd"}}, RenderOptions{}, nil, nil, "",
			"apps/payment.yaml", 3, []string{"value file ../../etc/passwd", "escapes the repository"}},
		{"value file through a symlink leaving the repo", &ApplicationSourceHelm{ValueFiles: []string{"../secrets/values.yaml"}}, RenderOptions{},
			map[string]string{"secrets": "../etc"}, nil, "", "apps/payment.yaml", 3,
			[]string{"value file ../secrets/values.yaml", "symbolic link secrets -> ../etc leaves the repository"}},
		{"chart file through a symlink leaving the repo", &ApplicationSourceHelm{}, RenderOptions{},
			map[string]string{"c/templates/secret.yaml": "/etc/shadow"}, nil, "", "c/templates/secret.yaml", 0,
			[]string{"symbolic link c/templates/secret.yaml -> /etc/shadow leaves the repository"}},
		{"value file missing", &ApplicationSourceHelm{ValueFiles: []string{"values-nope.yaml"}}, RenderOptions{}, nil, nil, "",
			"apps/payment.yaml", 3, []string{"value file values-nope.yaml", "not exist"}},
		{"remote value file", &ApplicationSourceHelm{ValueFiles: []string{"https://example.com/v.yaml"}}, RenderOptions{}, nil, nil, "",
			"apps/payment.yaml", 3, []string{"remote value files are not supported"}},
		{"value file YAML error", &ApplicationSourceHelm{ValueFiles: []string{"values-bad.yaml"}}, RenderOptions{}, nil, nil, "",
			"c/values-bad.yaml", -1, []string{"YAML syntax error"}},
		{"bad parameter", &ApplicationSourceHelm{Parameters: []HelmParameter{{Name: "a[", Value: "1"}}}, RenderOptions{}, nil, nil, "",
			"apps/payment.yaml", 3, []string{"helm parameter a["}},
		{"incompatible kubeVersion", &ApplicationSourceHelm{Values: "secretName: s\n"}, RenderOptions{}, nil, nil, "1.15.0",
			"c/Chart.yaml", 6, []string{"chart requires kubeVersion >=1.16.0-0", "1.15.0"}},
		{"template without a name", &ApplicationSourceHelm{Values: "secretName: s\n"}, RenderOptions{}, nil,
			map[string]string{"c/templates/noname.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {}\n"}, "",
			"c/templates/noname.yaml", 0, []string{"has no metadata.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := repo()
			for p, c := range tt.files {
				files[p] = c
			}
			m := mapRepo(files)
			for p, target := range tt.links {
				m[p] = symlink(target)
			}
			app := testApp(ApplicationSource{Path: "c", Helm: tt.helm})
			app.Cluster.KubeVersion = tt.cluster
			re := renderErr(t, &Renderer{Options: tt.opts}, m, app)
			checkErr(t, re, tt.wantFile, tt.wantLine, tt.want...)
		})
	}
}

func TestRenderHelmChartCache(t *testing.T) {
	r := &Renderer{}
	first := mustRender(t, r, renderRepo, prodWeb())
	// A render with other values must not see the first render's values.
	other := testApp(ApplicationSource{Path: "charts/web", Helm: &ApplicationSourceHelm{Values: "cache:\n  enabled: false\n"}})
	if got := ids(mustRender(t, r, renderRepo, other)); reflect.DeepEqual(got, ids(first)) {
		t.Errorf("second render with the subchart disabled gave the first's objects %v", got)
	}
	again := mustRender(t, r, renderRepo, prodWeb())
	if !reflect.DeepEqual(ids(again), ids(first)) {
		t.Errorf("cached render %v differs from the first %v", ids(again), ids(first))
	}
	n := 0
	r.charts.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d cached charts, want 1", n)
	}
}

func readFixture(p string) (string, error) {
	data, err := fs.ReadFile(renderRepo, p)
	return string(data), err
}

func BenchmarkRenderHelm(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts RenderOptions
	}{{"cached", RenderOptions{}}, {"uncached", RenderOptions{DisableChartCache: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			r := &Renderer{Options: bc.opts}
			app := prodWeb()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(context.Background(), renderRepo, app); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderKustomize(b *testing.B) {
	r := &Renderer{}
	app := testApp(ApplicationSource{Path: "kustomize/overlays/prod"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(context.Background(), renderRepo, app); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRenderHelmDependencyNeedsListedRepository checks that a chart
// dependency from a chart repository is fetched only through
// Repositories: one vendored in charts/ is rendered, one that is not, with
// no Repositories, is an error naming Chart.yaml, the dependency and the
// unlisted repository, and the repository receives no request.
func TestRenderHelmDependencyNeedsListedRepository(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	chart := "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: " + srv.URL + "\n" +
		"- name: redis\n  version: 1.0.0\n  repository: " + srv.URL + "\n  condition: redis.enabled\n"
	files := map[string]string{
		"c/Chart.yaml":                  chart,
		"c/values.yaml":                 "redis:\n  enabled: false\n",
		"c/charts/sub/Chart.yaml":       "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
		"c/charts/sub/templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-sub\n",
	}
	re := renderErr(t, &Renderer{}, mapRepo(files), testApp(ApplicationSource{Path: "c"}))
	checkErr(t, re, "c/Chart.yaml", 8, "chart dependency redis", "chart repository "+srv.URL+" is not in helmRepos[]")
	files["c/charts/redis/Chart.yaml"] = "apiVersion: v2\nname: redis\nversion: 1.0.0\n"
	objs := mustRender(t, &Renderer{}, mapRepo(files), testApp(ApplicationSource{Path: "c"}))
	find(t, objs, "ConfigMap", "from-sub")
	if n := hits.Load(); n > 0 {
		t.Errorf("rendering made %d requests to the chart repository", n)
	}
}
