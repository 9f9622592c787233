package config

import (
	"strings"
	"testing"
)

func TestUIIsOffByDefaultAndLoadsItsFields(t *testing.T) {
	c, err := Load(write(t, `listen: ":8080"`))
	if err != nil {
		t.Fatal(err)
	}
	if c.UI.Enabled() {
		t.Errorf("ui enabled without ui.listen: %+v", c.UI)
	}
	c, err = Load(write(t, `ui: {listen: "127.0.0.1:8081", externalURL: "https://gw.example/", basicAuth: {usernameFile: u, passwordFile: p}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.UI.Enabled() || c.UI.ExternalBase() != "https://gw.example" || c.UI.BasicAuth.PasswordFile != "p" {
		t.Errorf("ui = %+v, want it enabled with its fields", c.UI)
	}
}

func TestUIRefusesBadSettings(t *testing.T) {
	cases := []struct{ text, want string }{
		{`ui: {listen: "8081"}`, `ui.listen "8081": want host:port`},
		{`listen: ":9000"\nui: {listen: ":9000"}`, "the status page needs its own"},
		{`ui: {listen: ":8081", externalURL: "javascript:alert(1)"}`, "ui.externalURL"},
		{`ui: {listen: ":8081", externalURL: "/relative"}`, "ui.externalURL"},
		{`ui: {listen: ":8081", basicAuth: {usernameFile: u}}`, "usernameFile and passwordFile are both required"},
		{`ui: {listen: ":8081", basicAuth: {usernameFile: u, passwordFile: p}, bearerTokenFile: t}`, "not both"},
		{`ui: {listen: ":8081", password: x}`, "password"},
	}
	for _, tc := range cases {
		_, err := Load(write(t, strings.ReplaceAll(tc.text, `\n`, "\n")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.text, err, tc.want)
		}
	}
}
