package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNotifyTestSendsTheTriggersTemplateNow(t *testing.T) {
	r := example(t)
	var bodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		bodies = append(bodies, req.Method+" "+req.URL.Path+" "+string(b))
	}))
	defer hook.Close()
	dir := t.TempDir()
	cm := `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.webhook.hook: |
    url: ` + hook.URL + `
  template.app-sync-failed: |
    message: "{{.app.metadata.name}} on {{.app.spec.destination.server}}"
    webhook:
      hook: {method: POST, path: /alerts, body: "{{.app.metadata.name}} {{.app.status.sync.status}}"}
`
	os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte(cm), 0o600)
	cfg := filepath.Join(dir, "gitwave.yaml")
	os.WriteFile(cfg, []byte("dataDir: "+filepath.Join(dir, "data")+"\nnotifications: {configMap: cm.yaml}\n"), 0o600)

	out, errOut, code := run(t, "notify", "test", "on-sync-failed", "payment-service-staging", "--repo", r.Dir,
		"--revision", "main", "--config", cfg, "--recipient", "hook:", "--sync", "OutOfSync")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "on-sync-failed[0] holds=false -> hook:: sent") || !strings.Contains(out, "payment-service-staging on https://") {
		t.Errorf("output:\n%s", out)
	}
	if len(bodies) != 1 || bodies[0] != "POST /alerts payment-service-staging OutOfSync" {
		t.Errorf("webhook got %q", bodies)
	}

	_, errOut, code = run(t, "notify", "test", "on-sync-failed", "payment-service", "--repo", r.Dir, "--revision", "main", "--config", cfg)
	if code != 2 || !strings.Contains(errOut, "no app payment-service") {
		t.Errorf("unknown app: exit %d, %s", code, errOut)
	}
}
