package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gitwave.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaultsEnvAndRelativePaths(t *testing.T) {
	t.Setenv("GW_DSN", "postgres://gitwave@db/gitwave")
	p := write(t, `
state: {driver: postgres, dsn: "${GW_DSN}"}
github: {appID: 7, privateKeyFile: key.pem, webhookSecretFile: secret}
repos: [{name: acme/k8s-gitops, host: github, url: https://github.com/acme/k8s-gitops.git}]
clusters: [{name: staging, kubeconfig: kube/config, context: staging, labels: {env: staging}}]
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.State.DSN != "postgres://gitwave@db/gitwave" {
		t.Errorf("dsn = %q; ${GW_DSN} not expanded", c.State.DSN)
	}
	if c.Listen != ":8080" || c.DataDir != "./data" || c.Reconcile.Interval != Duration(3*time.Minute) || c.Policy.Default != "role:readonly" || c.Repos[0].DefaultBranch != "main" {
		t.Errorf("defaults not applied: %+v", c)
	}
	if got := c.Path(c.Clusters[0].Kubeconfig); got != filepath.Join(filepath.Dir(p), "kube/config") {
		t.Errorf("relative path resolves to %s, want it beside the file", got)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "secret"), []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := c.ReadSecret("secret"); err != nil || s != "s3cr3t" {
		t.Errorf("secret = %q, %v; want the file without its newline", s, err)
	}
}

func TestLoadRefusesBadConfigs(t *testing.T) {
	cases := []struct{ text, want string }{
		{`state: {driver: "${GW_UNSET_FOR_TEST}"}`, "GW_UNSET_FOR_TEST"},
		{`state: {driver: mysql}`, `state.driver "mysql"`},
		{`state: {driver: postgres}`, "state.dsn is required"},
		{`clusters: [{name: a, server: https://a}, {name: a, server: https://b}]`, `cluster "a" is listed twice`},
		{`clusters: [{name: a}]`, "set kubeconfig (and context) or server"},
		{`repos: [{name: x, url: u, host: bitbucket}]`, "github or gitlab"},
		{`listen: ":80"\nunknownField: 1`, "unknownField"},
	}
	for _, tc := range cases {
		_, err := Load(write(t, strings.ReplaceAll(tc.text, `\n`, "\n")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.text, err, tc.want)
		}
	}
}

func TestReadSecretNamesAMissingFile(t *testing.T) {
	c := &Config{dir: t.TempDir()}
	_, err := c.ReadSecret("missing-file")
	if err == nil || !strings.Contains(err.Error(), "missing-file") {
		t.Errorf("error %v should name the missing file", err)
	}
}

// TestReconcileInterval: reconcile.interval is read; selfHeal.schedule
// still sets it when it is absent; a bad schedule or a zero interval is
// refused.
func TestReconcileInterval(t *testing.T) {
	for _, tt := range []struct {
		text string
		want time.Duration
		err  string
	}{
		{"reconcile: {interval: 45s}\n", 45 * time.Second, ""},
		{"selfHeal: {schedule: '@every 2m'}\n", 2 * time.Minute, ""},
		{"reconcile: {interval: 1m}\nselfHeal: {schedule: '@every 2m'}\n", time.Minute, ""},
		{"selfHeal: {schedule: 'not cron'}\n", 0, "selfHeal.schedule"},
		{"reconcile: {interval: 10ms}\n", 0, "reconcile.interval"},
	} {
		c, err := Load(write(t, tt.text))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v; want one naming %s", tt.text, err, tt.err)
		case tt.err == "" && (err != nil || time.Duration(c.Reconcile.Interval) != tt.want):
			t.Errorf("%q: interval %v, %v; want %s", tt.text, c, err, tt.want)
		}
	}
}
