package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if c.Listen != ":8080" || c.DataDir != "./data" || c.SelfHeal.Schedule != "@every 3m" || c.Policy.Default != "role:readonly" || c.Repos[0].DefaultBranch != "main" {
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
