package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitwave/gitwave/planner"
)

// The shape of the generated app: every wave starts with a few Deployments
// and one Service for each, the rest are ConfigMaps.
const (
	waveCount        = 5
	deploymentsAWave = 2
	deployReplicas   = 2
	configLines      = 64 // of about 64 bytes: a 4 KB ConfigMap
)

// manifestSet is one version of the desired state, as the files kubectl
// reads and the objects gitwave parsed from the same files.
type manifestSet struct {
	// waves are the wave-N.yaml paths, by wave.
	waves []string
	// all is all.yaml, every wave in one file.
	all string
	// deployments tells, by wave, whether the wave holds Deployments, after
	// which kubectl waits for them.
	deployments []bool
	// objects are the planner objects of the wave files, in file order.
	objects []*planner.Object
	// edited counts the objects whose data differs from the original set.
	edited int
}

// writeManifests writes the original set into dir/original and a set with
// the data of changedPercent of the objects edited into dir/edited.
func writeManifests(dir string, objects, changedPercent int) (original, edited *manifestSet, err error) {
	docs := generate(objects)
	if original, err = writeSet(filepath.Join(dir, "original"), docs, nil); err != nil {
		return nil, nil, err
	}
	picked := pickConfigMaps(docs, objects*changedPercent/100)
	if edited, err = writeSet(filepath.Join(dir, "edited"), docs, picked); err != nil {
		return nil, nil, err
	}
	return original, edited, nil
}

// doc is one generated object before rendering.
type doc struct {
	kind, name string
	wave       int
	target     string // the Deployment a Service selects
}

// generate lays out n objects over the waves, the remainder in the last.
func generate(n int) [][]doc {
	out := make([][]doc, waveCount)
	cm := 0
	for w := range waveCount {
		size := n / waveCount
		if w == waveCount-1 {
			size += n % waveCount
		}
		for j := range size {
			switch {
			case j < deploymentsAWave:
				out[w] = append(out[w], doc{kind: "Deployment", name: fmt.Sprintf("web-%d-%d", w, j), wave: w})
			case j < 2*deploymentsAWave:
				target := fmt.Sprintf("web-%d-%d", w, j-deploymentsAWave)
				out[w] = append(out[w], doc{kind: "Service", name: target, wave: w, target: target})
			default:
				out[w] = append(out[w], doc{kind: "ConfigMap", name: fmt.Sprintf("config-%04d", cm), wave: w})
				cm++
			}
		}
	}
	return out
}

// pickConfigMaps chooses want ConfigMaps spread evenly over the waves.
func pickConfigMaps(waves [][]doc, want int) map[string]bool {
	var names []string
	for _, ds := range waves {
		for _, d := range ds {
			if d.kind == "ConfigMap" {
				names = append(names, d.name)
			}
		}
	}
	want = min(want, len(names))
	picked := map[string]bool{}
	for i := range want {
		picked[names[i*len(names)/want]] = true
	}
	return picked
}

// writeSet renders the documents, editing the ConfigMaps in edit, writes
// the wave files and all.yaml under dir and parses the wave files back.
func writeSet(dir string, waves [][]doc, edit map[string]bool) (*manifestSet, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	set := &manifestSet{all: filepath.Join(dir, "all.yaml"), edited: len(edit)}
	var all strings.Builder
	for w, ds := range waves {
		var b strings.Builder
		hasDeployments := false
		for _, d := range ds {
			hasDeployments = hasDeployments || d.kind == "Deployment"
			b.WriteString("---\n")
			b.WriteString(render(d, edit[d.name]))
		}
		path := filepath.Join(dir, fmt.Sprintf("wave-%d.yaml", w))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		all.WriteString(b.String())
		set.waves = append(set.waves, path)
		set.deployments = append(set.deployments, hasDeployments)
		objs, err := parseFile(path)
		if err != nil {
			return nil, err
		}
		set.objects = append(set.objects, objs...)
	}
	if err := os.WriteFile(set.all, []byte(all.String()), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", set.all, err)
	}
	return set, nil
}

// parseFile reads a manifest file as the planner reads a directory source.
func parseFile(path string) ([]*planner.Object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	rendered, errs := planner.ParseManifests(path, data)
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse %s: %w", path, errs[0])
	}
	out := make([]*planner.Object, 0, len(rendered))
	for _, r := range rendered {
		o, err := planner.NewObject(r.Object, r.File, r.Line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", r.File, r.Line, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// render writes one object as YAML; edited ConfigMaps carry other values.
func render(d doc, edited bool) string {
	head := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/part-of: applybench\n  annotations:\n    argocd.argoproj.io/sync-wave: %q\n",
		apiVersion(d.kind), d.kind, d.name, fmt.Sprint(d.wave))
	switch d.kind {
	case "Deployment":
		return head + fmt.Sprintf(`spec:
  replicas: %d
  selector:
    matchLabels: {app: %[2]s}
  template:
    metadata:
      labels: {app: %[2]s}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
        ports:
        - containerPort: 8080
`, deployReplicas, d.name)
	case "Service":
		return head + fmt.Sprintf("spec:\n  selector: {app: %s}\n  ports:\n  - port: 80\n    targetPort: 8080\n", d.target)
	}
	version := "1"
	if edited {
		version = "2"
	}
	var b strings.Builder
	b.WriteString(head + "data:\n  revision: \"" + version + "\"\n  app.properties: |\n")
	for i := range configLines {
		fmt.Fprintf(&b, "    %s.setting.%03d = value %03d of revision %s, padded to a realistic line\n", d.name, i, i, version)
	}
	return b.String()
}

func apiVersion(kind string) string {
	if kind == "Deployment" {
		return "apps/v1"
	}
	return "v1"
}
