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
		{`repos: [{name: x, url: u, host: bitbucket}]`, `repos[0] (x): host "bitbucket": want github, gitlab or none`},
		{`repos: [{name: a, host: none, url: "https://h/o/a"}, {name: b, host: none, url: "git@H:o/a.git"}]`, "repos[1] (b): url git@H:o/a.git is the same repository as repos[0]"},
		{`repos: [{name: a, host: none, url: "https://h/o/a"}, {name: a, host: none, url: "https://h/o/b"}]`, "repos[1] (a): name is already used by repos[0]"},
		{`repos: [{name: a, host: none, url: "git@h:o/a", sshKeyFile: k}]`, "repos[0] (a): sshKeyFile needs knownHostsFile"},
		{`repos: [{name: a, host: none, url: "https://h/o/a", sshKeyFile: k, knownHostsFile: kh}]`, "sshKeyFile needs an ssh url"},
		{`repos: [{name: a, host: none, url: "git@h:o/a", tokenFile: t}]`, "repos[0] (a): tokenFile needs an https url"},
		{`repos: [{name: a, host: none, url: "https://h/o/a", tokenFile: t, sshKeyFile: k}]`, "not both"},
		{`repos: [{name: a, host: none, url: "https://me:hunter2@h/o/a"}]`, "credentials do not belong in the url"},
		{`helmRepos: [{url: "charts.example/x"}]`, `helmRepos[0] (charts.example/x): url: want https://host/path or oci://host/path`},
		{`helmRepos: [{url: "s3://bucket/charts"}]`, `helmRepos[0] (s3://bucket/charts): scheme "s3": want https or oci`},
		{`helmRepos: [{url: "https://charts.example", usernameFile: u}]`, "helmRepos[0] (https://charts.example): set usernameFile and passwordFile together"},
		{`helmRepos: [{url: "http://charts.example", usernameFile: u, passwordFile: p}]`, "never sent over plain http"},
		{`helmRepos: [{url: "https://Charts.example/"}, {url: "https://charts.example"}]`, "helmRepos[1] (https://charts.example): the same repository as helmRepos[0]"},
		{`helmIndexTTL: -1s`, "must be positive"},
		{`listen: ":80"\nunknownField: 1`, "unknownField"},
	}
	for _, tc := range cases {
		_, err := Load(write(t, strings.ReplaceAll(tc.text, `\n`, "\n")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.text, err, tc.want)
		}
	}
}

func TestLoadReadOnlyReposAndChartRepositories(t *testing.T) {
	p := write(t, `
repos:
  - {name: acme/k8s-gitops, host: github, url: https://github.com/acme/k8s-gitops.git}
  - {name: apps, host: none, url: "git@gitlab.example:acme/k8s-apps.git", sshKeyFile: id, knownHostsFile: kh, defaultBranch: trunk}
  - {name: infra, host: none, url: https://git.example/acme/k8s-infrastructure, tokenFile: token}
helmRepos:
  - {url: https://charts.jetstack.io}
  - {url: oci://registry.example/charts, usernameFile: user, passwordFile: pass, caFile: ca.pem}
helmIndexTTL: 1m
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Repos[1].DefaultBranch != "trunk" || c.Repos[2].DefaultBranch != "main" || c.Repos[2].TokenFile != "token" {
		t.Errorf("repos = %+v", c.Repos)
	}
	if len(c.HelmRepos) != 2 || c.HelmRepos[1].CAFile != "ca.pem" {
		t.Errorf("helmRepos = %+v", c.HelmRepos)
	}
	if served := c.ServedRepos(); len(served) != 1 || served[0].Name != "acme/k8s-gitops" {
		t.Errorf("served repos = %+v, want only the github one", served)
	}
	if c.HelmIndexTTL.String() != "1m0s" || c.FetchInterval.String() != "30s" {
		t.Errorf("helmIndexTTL %v, fetchInterval %v; want 1m and the default 30s", c.HelmIndexTTL, c.FetchInterval)
	}
}

func TestRepoKeyMatchesSpellingsOfOneRepository(t *testing.T) {
	same := []string{
		"https://github.com/acme/apps", "https://GitHub.com/Acme/apps.git/", "http://github.com/acme/apps/",
		"git@github.com:acme/apps.git", "ssh://git@github.com/acme/apps", "ssh://git@github.com:22/acme/apps.git",
	}
	for _, u := range same {
		if RepoKey(u) != RepoKey(same[0]) {
			t.Errorf("RepoKey(%s) = %s, want %s", u, RepoKey(u), RepoKey(same[0]))
		}
	}
	for _, u := range []string{"https://github.com/acme/apps2", "https://gitlab.com/acme/apps", "https://github.com/acme/apps/sub", "file:///github.com/acme/apps", "https://github.com:8443/acme/apps"} {
		if RepoKey(u) == RepoKey(same[0]) {
			t.Errorf("RepoKey(%s) matches %s", u, same[0])
		}
	}
	if HelmRepoKey("oci://reg.example/charts/") != HelmRepoKey("OCI://Reg.example/charts") || HelmRepoKey("oci://reg.example/charts") == HelmRepoKey("https://reg.example/charts") {
		t.Error("HelmRepoKey: oci and https must differ, case of the host and a trailing slash must not")
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
