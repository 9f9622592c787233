package gitlab_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
)

func TestVerify(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{})
	event, body := fake.Webhook(t, hostfake.GitLabWebhook{Example: "merge_request", Repo: project})
	tests := []struct {
		name    string
		token   func(string) string
		wantErr string
	}{
		{name: "right token", token: func(s string) string { return s }},
		{name: "missing token", token: func(string) string { return "" }, wantErr: "no X-Gitlab-Token header"},
		{name: "wrong token", token: func(string) string { return "guess" }, wantErr: "does not match"},
		{name: "token with a suffix", token: func(s string) string { return s + "x" }, wantErr: "does not match"},
		{name: "token prefix", token: func(s string) string { return s[:len(s)-1] }, wantErr: "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fake.SignedRequest(event, body)
			r.Header.Set("X-Gitlab-Token", tt.token(r.Header.Get("X-Gitlab-Token")))
			d, err := h.Verify(r, body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, gitlab.ErrBadToken) {
					t.Fatalf("Verify = %+v, %v; want ErrBadToken mentioning %q", d, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), string(fake.WebhookSecret)) {
					t.Errorf("error %q quotes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if d.Host != "gitlab" || d.Event != "Merge Request Hook" || d.ID != r.Header.Get("X-Gitlab-Event-UUID") {
				t.Errorf("Verify = %+v; want gitlab Merge Request Hook %s", d, r.Header.Get("X-Gitlab-Event-UUID"))
			}
		})
	}
}

func TestVerifyDeliveryIDFallback(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{})
	event, body := fake.Webhook(t, hostfake.GitLabWebhook{Example: "push"})
	r := fake.SignedRequest(event, body)
	r.Header.Del("X-Gitlab-Event-UUID")
	d, err := h.Verify(r, body)
	sum := sha256.Sum256(body)
	if err != nil || d.ID != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Fatalf("Verify without X-Gitlab-Event-UUID = %+v, %v; want the body's sha256 as id", d, err)
	}
	again, _ := h.Verify(fake.SignedRequest(event, body), body)
	r2 := fake.SignedRequest(event, body)
	r2.Header.Del("X-Gitlab-Event-UUID")
	redelivered, _ := h.Verify(r2, body)
	if redelivered.ID != d.ID || again.ID == d.ID {
		t.Errorf("fallback ids: first %s, redelivered %s, with uuid %s; want the same body to give the same id", d.ID, redelivered.ID, again.ID)
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name    string
		opts    gitlab.Options
		wantErr string
	}{
		{"empty webhook secret", gitlab.Options{Token: []byte("t")}, "webhook secret is required"},
		{"no token", gitlab.Options{WebhookSecret: []byte("s")}, "token is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := gitlab.New(tt.opts); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New = %v; want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckHeaders(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{})
	event, body := fake.Webhook(t, hostfake.GitLabWebhook{Example: "push"})
	tests := []struct {
		name    string
		edit    func(http.Header)
		wantErr string
	}{
		{"delivery with a token", func(http.Header) {}, ""},
		{"without X-Gitlab-Event-UUID (older GitLab)", func(h http.Header) { h.Del("X-Gitlab-Event-UUID") }, ""},
		{"no token", func(h http.Header) { h.Del("X-Gitlab-Token") }, "no X-Gitlab-Token header"},
		{"no event", func(h http.Header) { h.Del("X-Gitlab-Event") }, "no X-Gitlab-Event header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fake.SignedRequest(event, body)
			tt.edit(r.Header)
			err := h.CheckHeaders(r.Header)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("CheckHeaders = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
