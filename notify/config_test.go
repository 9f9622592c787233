package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigErrorsNameWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name, cm string
		sec      Secrets
		want     []string
	}{
		{"bad expression", `
trigger.on-broken: |
  - when: app.status.sync.status ==
    send: [app-sync-failed]`, nil, []string{"trigger on-broken"}},
		{"bad oncePer", `
trigger.on-broken-once: |
  - when: "true"
    oncePer: app.metadata.name +
    send: [app-sync-failed]`, nil, []string{"trigger on-broken-once"}},
		{"unknown template", `
trigger.on-x: |
  - when: "true"
    send: [nope]`, nil, []string{"trigger on-x", `"nope"`}},
		{"bad template", `
template.broken: |
  message: "{{.app.metadata.name"`, nil, []string{"template broken"}},
		{"missing secret key", `
service.slack: |
  token: $slack-tokn`, Secrets{"slack-token": slackToken}, []string{"service.slack", "$slack-tokn not in the notifications secret"}},
		{"not a ConfigMap", "kind: Secret\ndata: {}", nil, []string{`kind is "Secret"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.cm), tc.sec)
			if err == nil {
				t.Fatal("ParseConfig succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), slackToken) {
				t.Errorf("error %q holds a secret value", err)
			}
		})
	}
}

func TestConfigMapOverridesTheCatalog(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
trigger.on-sync-failed: |
  - when: app.status.operationState.phase == 'Failed'
    send: [mine]
template.mine: |
  message: mine
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Triggers["on-sync-failed"][0].Send; len(got) != 1 || got[0] != "mine" {
		t.Errorf("on-sync-failed sends %v; want the ConfigMap's [mine]", got)
	}
	for _, name := range []string{"on-created", "on-deleted", "on-deployed", "on-health-degraded", "on-sync-running", "on-sync-status-unknown", "on-sync-succeeded"} {
		if len(cfg.Triggers[name]) != 1 || cfg.Triggers[name][0].OncePer == "" {
			t.Errorf("catalog trigger %s = %+v", name, cfg.Triggers[name])
		}
	}
}

func TestSecretsFromManifestAndDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slack-token"), []byte(slackToken+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "..data"), []byte("x"), 0o600)
	sec, err := LoadSecrets(dir)
	if err != nil || sec["slack-token"] != slackToken || len(sec) != 1 {
		t.Fatalf("directory secrets = %v, %v", len(sec), err)
	}
	sec, err = ParseSecret([]byte("kind: Secret\ndata: {a: aGVsbG8=}\nstringData: {b: world}\n"))
	if err != nil || sec["a"] != "hello" || sec["b"] != "world" {
		t.Fatalf("manifest secrets = %v, %v", sec, err)
	}
	if _, err := ParseSecret([]byte("kind: Secret\ndata: {a: '" + slackToken + "!'}\n")); err == nil || strings.Contains(err.Error(), slackToken) {
		t.Fatalf("bad base64: %v", err)
	}
}

func TestCatalogOnDeployedUsesTimeFunctions(t *testing.T) {
	api := newSlackAPI(t)
	cfg, err := ParseConfig([]byte("service.slack: |\n  token: $slack-token\n"), Secrets{"slack-token": slackToken})
	if err != nil {
		t.Fatal(err)
	}
	pointAt(t, cfg, "slack", "apiURL", api.URL+"/api/")
	e := testEngine(t, cfg, openStore(t), nil, nil)
	st := paymentService(subscribe("on-deployed.slack", "deploys"))
	st.LastSync.Result, st.Sync, st.Health = "Succeeded", "Synced", "Healthy"
	// Healthy since a minute into a five-minute sync: Argo CD's on-deployed
	// waits for health that came with the sync's end or predates it.
	st.LastSync.FinishedAt = st.LastSync.StartedAt.Add(5 * time.Minute)
	st.HealthSince = st.LastSync.StartedAt.Add(time.Minute)
	e.Observe(t.Context(), AppState{}, st)
	drain(t, e)
	if n := len(api.requests()); n != 0 {
		t.Fatalf("on-deployed fired for health reached mid-sync: %d messages", n)
	}
	st.HealthSince = st.LastSync.FinishedAt
	e.Observe(t.Context(), AppState{}, st)
	drain(t, e)
	if n := len(api.requests()); n != 1 {
		t.Fatalf("on-deployed sent %d messages; want 1", n)
	}
	form, atts := postMessage(t, api.requests()[0])
	if !strings.HasPrefix(form.Get("text"), ":white_check_mark: Application payment-service is now running new version") ||
		atts[0].Fields[2].Value != "4f2c9e1" || atts[0].TitleLink != "https://gitwave.example/status/applications/payment-service" {
		t.Errorf("text %q, attachment %+v", form.Get("text"), atts[0])
	}
}
