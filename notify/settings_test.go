package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitwave/gitwave/config"
)

func TestFromSettingsReadsFileOrDefaultBranch(t *testing.T) {
	dir := t.TempDir()
	cm := mustRead(t, "testdata/argocd-notifications-cm.yaml")
	os.WriteFile(filepath.Join(dir, "cm.yaml"), cm, 0o600)
	os.MkdirAll(filepath.Join(dir, "secret"), 0o700)
	os.WriteFile(filepath.Join(dir, "secret", "slack-token"), []byte(slackToken), 0o600)
	write := func(yaml string) *config.Config {
		p := filepath.Join(dir, "gitwave.yaml")
		os.WriteFile(p, []byte(yaml), 0o600)
		c, err := config.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	cfg, err := FromSettings(write("notifications: {configMap: cm.yaml, secret: secret}\n"), nil)
	if err != nil || !strings.Contains(string(cfg.Services["slack"].Options), slackToken) {
		t.Fatalf("configMap file: %v", err)
	}
	tree := fstest.MapFS{"argocd/notifications-cm.yaml": {Data: cm}}
	cfg, err = FromSettings(write("notifications: {repoPath: argocd/notifications-cm.yaml, secret: secret}\n"), tree)
	if err != nil || len(cfg.Triggers["on-sync-failed"]) != 1 || cfg.Triggers["on-sync-failed"][0].Send[0] != "slack-deploy-alert" {
		t.Fatalf("repoPath: %v", err)
	}
	if cfg, err := FromSettings(write("listen: ':8080'\n"), nil); cfg != nil || err != nil {
		t.Fatalf("no notifications = %v, %v; want nil, nil", cfg, err)
	}
}
