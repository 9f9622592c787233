package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleProjects restricts the example: project applications may not
// deploy to the namespace payment-service (a "!" entry) nor run Jobs;
// platform may deploy redis to production clusters only, by name, and
// create Namespaces; infrastructure is not defined.
const exampleProjects = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: applications, namespace: argocd}
spec:
  sourceRepos: ['https://github.com/acme/*']
  destinations:
    - {server: '*', namespace: '*'}
    - {server: '*', namespace: '!payment-service'}
  namespaceResourceBlacklist:
    - {group: batch, kind: Job}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: platform, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{name: 'production-*', namespace: redis}]
  clusterResourceWhitelist: [{group: '', kind: Namespace}]
`

// TestValidateListsProjectViolations: validate lists every violation with
// its file, line, app, cluster, project and rule, and exits 1; an app
// naming a project the repository does not define is one of them.
func TestValidateListsProjectViolations(t *testing.T) {
	dir := copyExample(t)
	if err := os.MkdirAll(filepath.Join(dir, "projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "projects/projects.yaml"), []byte(exampleProjects), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "validate", "--repo", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"infrastructure/monitoring-agent.yaml:3: app monitoring-agent-production-use1 on cluster production-use1: project infrastructure: no AppProject of that name is defined (defined: applications, default, platform)",
		"platform/redis.yaml:3: app redis-staging on cluster staging: project platform: destination cluster staging (https://kubernetes.staging.internal:6443) namespace redis is not permitted by destinations (matches no entry)",
		"applications/microservices.yaml:4: app payment-service-staging on cluster staging: project applications: destination cluster staging (https://kubernetes.staging.internal:6443) namespace payment-service is not permitted by destinations (denied by entry {name: -, server: *, namespace: !payment-service})",
		"apps/payment-service/templates/namespace.yaml: app payment-service-staging on cluster staging: project applications: Namespace/payment-service is not in clusterResourceWhitelist",
		"apps/payment-service/templates/db-migration-job.yaml: app payment-service-staging on cluster staging: project applications: Job/db-migration (batch) in namespace payment-service is in namespaceResourceBlacklist",
		"17 apps on 4 clusters, 54 objects, 30 problem(s)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("validate output lacks line %q:\n%s", want, out)
		}
	}
	for _, allowed := range []string{"redis-production-use1", "order-service-staging", "root-applications"} {
		if strings.Contains(out, "app "+allowed+" ") {
			t.Errorf("validate refuses %s, which its project permits:\n%s", allowed, out)
		}
	}
	if strings.Contains(out, "not enforced") {
		t.Errorf("validate says projects are not enforced in a repository that defines some:\n%s", out)
	}
}

// TestValidateSaysOnceThatProjectsAreNotEnforced: the example defines no
// AppProject; validate passes and says so once.
func TestValidateSaysOnceThatProjectsAreNotEnforced(t *testing.T) {
	out, _, code := run(t, "validate", "--repo", copyExample(t))
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	if n := strings.Count(out, "no AppProject is defined: projects are not enforced\n"); n != 1 {
		t.Errorf("the not-enforced line appears %d times; want once:\n%s", n, out)
	}
}
