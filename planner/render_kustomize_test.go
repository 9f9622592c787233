package planner

import (
	"context"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestRenderKustomizeOverlayGolden(t *testing.T) {
	objs := mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "kustomize/overlays/prod"}))
	for _, o := range objs {
		if o.File != "kustomize/overlays/prod" {
			t.Errorf("%s/%s from %q, want the kustomization dir", o.Object.GetKind(), o.Object.GetName(), o.File)
		}
	}
	goldenYAML(t, "kustomize-overlay-prod.yaml", objs)
}

func TestRenderKustomizeOverrides(t *testing.T) {
	app := testApp(ApplicationSource{Path: "kustomize/overlays/prod", Kustomize: &ApplicationSourceKustomize{
		NamePrefix:        "eu-",
		NameSuffix:        "-v2",
		Namespace:         "checkout-eu",
		Images:            []string{"ghcr.io/example/checkout=registry.example.com/checkout:2.0.0"},
		CommonLabels:      map[string]string{"team": "payments"},
		CommonAnnotations: map[string]string{"owner": "payments@example.com"},
		Replicas:          []KustomizeReplica{{Name: "checkout", Count: "6"}},
		Components:        []string{"../../components/monitoring"},
		Patches: []map[string]any{{
			"target": map[string]any{"kind": "Service"},
			"patch":  "- op: replace\n  path: /spec/ports/0/port\n  value: 8443\n",
		}},
	}})
	objs := mustRender(t, &Renderer{}, renderRepo, app)
	dep := find(t, objs, "Deployment", "eu-checkout-v2")
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		fields []string
		want   any
	}{
		{"namespace", dep.Object, []string{"metadata", "namespace"}, "checkout-eu"},
		{"common label", dep.Object, []string{"metadata", "labels", "team"}, "payments"},
		{"base label kept", dep.Object, []string{"metadata", "labels", "app.kubernetes.io/part-of"}, "checkout"},
		{"common annotation", dep.Object, []string{"metadata", "annotations", "owner"}, "payments@example.com"},
		{"replicas", dep.Object, []string{"spec", "replicas"}, int64(6)},
		{"patch", find(t, objs, "Service", "eu-checkout-v2").Object, []string{"spec", "ports"}, []any{map[string]any{"port": int64(8443), "targetPort": int64(8080)}}},
		{"component", find(t, objs, "ServiceMonitor", "eu-checkout-v2").Object, []string{"metadata", "namespace"}, "checkout-eu"},
	}
	for _, tt := range tests {
		got, _, _ := unstructured.NestedFieldNoCopy(tt.obj.Object, tt.fields...)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v = %#v, want %#v", tt.name, tt.fields, got, tt.want)
		}
	}
	containers, _, _ := unstructured.NestedSlice(dep.Object.Object, "spec", "template", "spec", "containers")
	if img := containers[0].(map[string]any)["image"]; img != "registry.example.com/checkout:2.0.0" {
		t.Errorf("image %v, want the override", img)
	}
	// The repository is untouched: rendering without overrides still gives the original.
	plain := mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "kustomize/overlays/prod"}))
	find(t, plain, "Deployment", "checkout")
}

func TestParseKustomizeImage(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]any
	}{
		{"nginx:1.25", map[string]any{"name": "nginx", "newTag": "1.25"}},
		{"nginx=quay.io/nginx:1.25", map[string]any{"name": "nginx", "newName": "quay.io/nginx", "newTag": "1.25"}},
		{"localhost:5000/app@sha256:abc", map[string]any{"name": "localhost:5000/app", "digest": "sha256:abc"}},
		{"app=registry:5000/app", map[string]any{"name": "app", "newName": "registry:5000/app"}},
	}
	for _, tt := range tests {
		got, err := parseKustomizeImage(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseKustomizeImage(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestRenderKustomizeErrors(t *testing.T) {
	const deploy = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	tests := []struct {
		name     string
		files    map[string]string
		links    map[string]string
		opts     *ApplicationSourceKustomize
		wantFile string
		wantLine int
		want     []string
	}{
		{"base escapes the repository",
			map[string]string{"k/kustomization.yaml": "resources:\n- cm.yaml\n- ../..\n", "k/cm.yaml": deploy},
			nil, nil, "k/kustomization.yaml", 3, []string{"kustomize base ../.. escapes the repository"}},
		{"absolute resource",
			map[string]string{"k/kustomization.yaml": "resources:\n- /etc/kubernetes\n"},
			nil, nil, "k/kustomization.yaml", 2, []string{"/etc/kubernetes escapes the repository"}},
		{"patch file escapes",
			map[string]string{"k/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: ../../../p.yaml\n", "k/cm.yaml": deploy},
			nil, nil, "k/kustomization.yaml", 4, []string{"kustomize file ../../../p.yaml escapes the repository"}},
		{"escape in a nested base",
			map[string]string{"k/kustomization.yaml": "resources:\n- ../base\n", "base/kustomization.yaml": "bases:\n- ../../x\n"},
			nil, nil, "base/kustomization.yaml", 2, []string{"kustomize base ../../x escapes the repository"}},
		{"remote base",
			map[string]string{"k/kustomization.yaml": "resources:\n- https://github.com/org/repo//base?ref=v1\n"},
			nil, nil, "k/kustomization.yaml", 2, []string{"kustomize base https://github.com/org/repo//base?ref=v1 is not a file or directory in the repository"}},
		{"remote base without a scheme",
			map[string]string{"k/kustomization.yaml": "resources:\n- github.com/org/repo/base?ref=v1\n"},
			nil, nil, "k/kustomization.yaml", 2, []string{"never fetches a Git or HTTP address"}},
		{"symlinked base leaves the repository",
			map[string]string{"k/kustomization.yaml": "resources:\n- shared\n"},
			map[string]string{"k/shared": "../../../etc"}, nil, "k/kustomization.yaml", 2, []string{"leaves the repository"}},
		{"helm inflation",
			map[string]string{"k/kustomization.yaml": "helmCharts:\n- name: redis\n"},
			nil, nil, "k/kustomization.yaml", 1, []string{"kustomize helmCharts is not supported"}},
		{"missing resource",
			map[string]string{"k/kustomization.yaml": "resources:\n- missing.yaml\n"},
			nil, nil, "k/kustomization.yaml", 2, []string{"kustomize base missing.yaml is not a file or directory in the repository"}},
		{"kustomize build error",
			map[string]string{"k/kustomization.yaml": "resources:\n- cm.yaml\n- ./cm.yaml\n", "k/cm.yaml": deploy},
			nil, nil, "k/kustomization.yaml", 0, []string{"kustomize build", "already registered"}},
		{"label conflict without force",
			map[string]string{"k/kustomization.yaml": "commonLabels:\n  team: a\nresources:\n- cm.yaml\n", "k/cm.yaml": deploy},
			nil, &ApplicationSourceKustomize{CommonLabels: map[string]string{"team": "b"}},
			"apps/payment.yaml", 3, []string{"label team is already a"}},
		{"component escapes",
			map[string]string{"k/kustomization.yaml": "resources:\n- cm.yaml\n", "k/cm.yaml": deploy},
			nil, &ApplicationSourceKustomize{Components: []string{"../../comp"}},
			"k/kustomization.yaml", -1, []string{"kustomize base ../../comp escapes the repository"}},
		{"kustomize set without a kustomization",
			map[string]string{"k/cm.yaml": deploy},
			nil, &ApplicationSourceKustomize{NamePrefix: "x-"}, "k", 0, []string{"no kustomization.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := mapRepo(tt.files)
			for p, target := range tt.links {
				repo[p] = symlink(target)
			}
			re := renderErr(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "k", Kustomize: tt.opts}))
			checkErr(t, re, tt.wantFile, tt.wantLine, tt.want...)
		})
	}
}

func TestRenderKustomizeForcedLabel(t *testing.T) {
	repo := mapRepo(map[string]string{
		"k/kustomization.yaml": "commonLabels:\n  team: a\nresources:\n- cm.yaml\n",
		"k/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	app := testApp(ApplicationSource{Path: "k", Kustomize: &ApplicationSourceKustomize{
		CommonLabels: map[string]string{"team": "b"}, ForceCommonLabels: true,
	}})
	objs := mustRender(t, &Renderer{}, repo, app)
	if got := objs[0].Object.GetLabels()["team"]; got != "b" {
		t.Errorf("label team = %q, want the forced override b", got)
	}
}

func TestKustomizeFSIsReadOnly(t *testing.T) {
	kfs := newKustomizeFS(mapRepo(map[string]string{"a.yaml": "x"}), nil)
	if err := kfs.WriteFile(mountPath("a.yaml"), []byte("y")); err == nil {
		t.Error("WriteFile succeeded on the repository")
	}
	if _, err := kfs.ReadFile("/etc/passwd"); err == nil || kfs.Escaped() != "/etc/passwd" {
		t.Errorf("reading /etc/passwd: %v, escaped %q", err, kfs.Escaped())
	}
	if _, err := (&Renderer{}).Render(context.Background(), renderRepo, testApp(ApplicationSource{Path: "kustomize/base"})); err != nil {
		t.Errorf("render base: %v", err)
	}
}
