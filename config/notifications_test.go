package config

import (
	"strings"
	"testing"
)

func TestNotificationsSource(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, wantErr string
	}{
		{"file", `notifications: {configMap: argocd-notifications-cm.yaml, secret: secret.yaml}`, ""},
		{"repo path", `notifications: {repoPath: argocd/notifications-cm.yaml, argocdUrl: "https://gitwave.example"}`, ""},
		{"none", `notifications: {secret: secret.yaml}`, "set configMap (a file) or repoPath"},
		{"both", `notifications: {configMap: a.yaml, repoPath: b.yaml}`, "not both"},
		{"escapes the repo", `notifications: {repoPath: ../other/cm.yaml}`, "inside the roots repository"},
		{"absolute", `notifications: {repoPath: /etc/cm.yaml}`, "inside the roots repository"},
		{"bad url", `notifications: {configMap: a.yaml, argocdUrl: "gitwave.example"}`, "http(s) URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(write(t, tc.yaml))
			if tc.wantErr == "" {
				if err != nil || c.Notifications == nil {
					t.Fatalf("Load = %v, %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load error = %v; want one saying %q", err, tc.wantErr)
			}
		})
	}
}
