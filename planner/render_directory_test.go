package planner

import (
	"reflect"
	"testing"
)

func TestRenderDirectory(t *testing.T) {
	tests := []struct {
		name string
		dir  *ApplicationSourceDirectory
		want []string
	}{
		{"top level only, skipping non-objects and non-manifests", nil,
			[]string{"Namespace/plain", "ConfigMap/plain-config", "ServiceAccount/plain-a", "ServiceAccount/plain-b", "Service/plain-svc"}},
		{"recurse", &ApplicationSourceDirectory{Recurse: true},
			[]string{"Namespace/plain", "ConfigMap/plain-config", "ServiceAccount/plain-a", "ServiceAccount/plain-b",
				"Job/plain-job", "ConfigMap/plain-skipped", "Service/plain-svc"}},
		{"include with braces", &ApplicationSourceDirectory{Recurse: true, Include: "{list.yaml,nested/*}"},
			[]string{"ServiceAccount/plain-a", "ServiceAccount/plain-b", "Job/plain-job", "ConfigMap/plain-skipped"}},
		{"exclude across directories", &ApplicationSourceDirectory{Recurse: true, Exclude: "*skip-me.yaml"},
			[]string{"Namespace/plain", "ConfigMap/plain-config", "ServiceAccount/plain-a", "ServiceAccount/plain-b",
				"Job/plain-job", "Service/plain-svc"}},
		{"include and exclude", &ApplicationSourceDirectory{Recurse: true, Include: "*.yaml", Exclude: "{app,list}.yaml"},
			[]string{"Job/plain-job", "ConfigMap/plain-skipped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "manifests/plain", Directory: tt.dir}))
			if got := ids(objs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("objects %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRenderDirectoryOrigin(t *testing.T) {
	objs := mustRender(t, &Renderer{}, renderRepo, testApp(ApplicationSource{Path: "manifests/plain"}))
	tests := []struct {
		kind, name, file string
		line             int
	}{
		{"Namespace", "plain", "manifests/plain/app.yaml", 3},
		{"ConfigMap", "plain-config", "manifests/plain/app.yaml", 9},
		{"ServiceAccount", "plain-b", "manifests/plain/list.yaml", 1},
		{"Service", "plain-svc", "manifests/plain/service.json", 1},
	}
	for _, tt := range tests {
		o := find(t, objs, tt.kind, tt.name)
		if o.File != tt.file || o.Line != tt.line {
			t.Errorf("%s/%s from %s:%d, want %s:%d", tt.kind, tt.name, o.File, o.Line, tt.file, tt.line)
		}
		if o.Object.GetNamespace() != "" {
			t.Errorf("%s/%s got namespace %q; filling namespaces is not the renderer's job", tt.kind, tt.name, o.Object.GetNamespace())
		}
	}
}

func TestRenderDirectoryErrors(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n"
	tests := []struct {
		name     string
		files    map[string]string
		dir      *ApplicationSourceDirectory
		wantFile string
		wantLine int
		want     string
	}{
		{"YAML syntax error in the second document",
			map[string]string{"d/a.yaml": cm + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  labels: [x\n"},
			nil, "d/a.yaml", 10, "YAML syntax error"},
		{"object without a name",
			map[string]string{"d/a.yaml": "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n"},
			nil, "d/a.yaml", 1, "has no metadata.name"},
		{"List item without a name",
			map[string]string{"d/a.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n"},
			nil, "d/a.yaml", 1, "List item 0"},
		{"a non-object next to objects",
			map[string]string{"d/a.yaml": cm + "---\n# values\nfoo: bar\n"},
			nil, "d/a.yaml", 7, "not a Kubernetes object"},
		{"broken manifest that looks like one",
			map[string]string{"d/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n"},
			nil, "d/a.yaml", 4, "YAML syntax error"},
		{"jsonnet",
			map[string]string{"d/a.jsonnet": "{}"}, nil, "d/a.jsonnet", 0, "jsonnet is not supported"},
		{"bad include glob",
			map[string]string{"d/a.yaml": cm}, &ApplicationSourceDirectory{Include: "{a.yaml"},
			"apps/payment.yaml", 3, "unclosed {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := renderErr(t, &Renderer{}, mapRepo(tt.files), testApp(ApplicationSource{Path: "d", Directory: tt.dir}))
			checkErr(t, re, tt.wantFile, tt.wantLine, tt.want)
		})
	}
}

func TestRenderDirectorySymlinks(t *testing.T) {
	repo := mapRepo(map[string]string{
		"shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
	})
	repo["d/linked.yaml"] = symlink("../shared/cm.yaml")
	objs := mustRender(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "d"}))
	if got := ids(objs); !reflect.DeepEqual(got, []string{"ConfigMap/shared"}) {
		t.Errorf("objects %v, want the linked ConfigMap", got)
	}

	for _, target := range []string{"../../etc/passwd.yaml", "/etc/passwd"} {
		repo["d/linked.yaml"] = symlink(target)
		re := renderErr(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "d"}))
		checkErr(t, re, "d/linked.yaml", 0, "leaves the repository", target)
	}
}

func TestCompileGlob(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "sub/a.yaml", true},
		{"{a,b}.yaml", "b.yaml", true},
		{"{a,b}.yaml", "c.yaml", false},
		{"sub/?.json", "sub/x.json", true},
		{"[!a]*.yaml", "a.yaml", false},
		{"[!a]*.yaml", "b.yaml", true},
		{`a\*.yaml`, "ab.yaml", false},
		// Argo CD compiles these with gobwas/glob; the earlier
		// regexp-based engine decided some of them differently.
		{"{*.yaml,*.yml}", "sub/b.yml", true},
		{"{*.yaml,*.yml}", "b.json", false},
		{"*/config.yaml", "x/y/config.yaml", true},
		{"*/config.yaml", "config.yaml", false},
		{"[^a]*.yaml", "a.yaml", true}, // "^" is a member of the class, not a negation
		{"[^a]*.yaml", "b.yaml", false},
		{`[\]].yaml`, "].yaml", true},
		{"*.{yaml,yml}", "a.yml", true},
	}
	for _, tt := range tests {
		re, err := compileGlob(tt.pattern)
		if err != nil {
			t.Fatalf("compileGlob(%q): %v", tt.pattern, err)
		}
		if got := re.Match(tt.path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
