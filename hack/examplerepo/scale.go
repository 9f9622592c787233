package examplerepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// ScaleRepoURL is the URL the Applications of a scaled repository name it
// by.
const ScaleRepoURL = "https://github.com/acme/k8s-gitops-scale.git"

// AppsPerSet is how many apps one ApplicationSet of a scaled repository
// lists.
const AppsPerSet = 100

// ScaleChangedApp is the app whose values file ScaleChange edits: a Helm
// app, the first of the first ApplicationSet.
const ScaleChangedApp = "svc-0000"

// scaleTime is the date of Scale's commit; ScaleChange's commits follow it
// a minute apart.
var scaleTime = time.Date(2025, 2, 3, 8, 0, 0, 0, time.UTC)

// Scale writes a repository of apps apps on clusters clusters into dir,
// which must be empty or not exist, and commits it on MainBranch. Its
// layout, for benchmarks that render it with other tools too:
//
//	.gitwave.yaml                   apps: [appsets], clusters: [clusters]
//	clusters/cluster-NN.yaml        one Argo CD cluster Secret per cluster, env=production
//	appsets/services-NN.yaml        one ApplicationSet per AppsPerSet apps: clusters x list matrix
//	services/svc-NNNN/              even apps: a Helm chart (Chart.yaml, values.yaml, 3 templates)
//	services/svc-NNNN/              odd apps: a Kustomize overlay of bases/web
//	bases/web/                      the Kustomize base: ConfigMap, Deployment, Service
//
// Every app deploys a ConfigMap, a Deployment and a Service to every
// cluster, so the repository yields apps x clusters apps.
func Scale(dir string, apps, clusters int) error {
	if apps < 1 || clusters < 1 {
		return fmt.Errorf("scale repository %s: want at least one app and one cluster, got %d apps and %d clusters", dir, apps, clusters)
	}
	if err := prepareDir(dir); err != nil {
		return fmt.Errorf("scale repository: %w", err)
	}
	ctx := context.Background()
	g := gitDir{dir: dir}
	if err := g.initRepo(ctx); err != nil {
		return fmt.Errorf("scale repository: %w", err)
	}
	for rel, data := range scaledFiles(apps, clusters) {
		if err := writeFile(dir, rel, []byte(data)); err != nil {
			return fmt.Errorf("scale repository %s: %w", dir, err)
		}
	}
	msg := fmt.Sprintf("Add %d apps on %d clusters", apps, clusters)
	if _, err := g.commitAll(ctx, msg, scaleTime); err != nil {
		return fmt.Errorf("scale repository %s: %w", dir, err)
	}
	return nil
}

// revisionLine is the line of a scaled Helm app's values file that
// ScaleChange bumps.
var revisionLine = regexp.MustCompile(`(?m)^revision: (\d+)$`)

// ScaleChange edits exactly one app of a repository written by Scale (the
// revision in ScaleChangedApp's values.yaml, which its ConfigMap shows),
// commits the edit on the checked-out branch and returns the changed
// repository paths. Each call makes a new commit.
func ScaleChange(dir string) ([]string, error) {
	rel := "services/" + ScaleChangedApp + "/values.yaml"
	file := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("change one app in %s (a repository written by Scale?): %w", dir, err)
	}
	m := revisionLine.FindSubmatchIndex(data)
	if m == nil {
		return nil, fmt.Errorf("change one app: %s has no %q line", rel, "revision: N")
	}
	rev, err := strconv.Atoi(string(data[m[2]:m[3]]))
	if err != nil {
		return nil, fmt.Errorf("change one app: %s: revision: %w", rel, err)
	}
	rev++
	edited := append(append(append([]byte{}, data[:m[2]]...), strconv.Itoa(rev)...), data[m[3]:]...)
	if err := writeFile(dir, rel, edited); err != nil {
		return nil, fmt.Errorf("change one app: %w", err)
	}
	ctx := context.Background()
	g := gitDir{dir: dir}
	when := scaleTime.Add(time.Duration(rev) * time.Minute)
	if _, err := g.commitAll(ctx, fmt.Sprintf("%s: revision %d", ScaleChangedApp, rev), when); err != nil {
		return nil, fmt.Errorf("change one app in %s: %w", dir, err)
	}
	return []string{rel}, nil
}
