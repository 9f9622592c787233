package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeBuildsNotificationsFromTheConfig: serve builds the
// notifications engine from gitwave.yaml before it serves, so a ConfigMap
// that does not load stops it with the reason.
func TestServeBuildsNotificationsFromTheConfig(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("key.pem", string(pemKey))
	write("secret", "webhook-secret")
	write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-notifications-cm}\n"+
		"data:\n  service.webhook.hook: |\n    url: https://hooks.example\n    password: $missing-key\n")
	write("gitwave.yaml", "dataDir: "+filepath.Join(dir, "data")+"\nlisten: 127.0.0.1:0\n"+
		"github: {appID: 1, privateKeyFile: key.pem, webhookSecretFile: secret}\n"+
		"notifications: {configMap: cm.yaml}\n")

	// Without notifications wired, serve would run until the deadline.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err = runServe(ctx, options{}, filepath.Join(dir, "gitwave.yaml"))
	if err == nil || !strings.Contains(err.Error(), "notifications") || !strings.Contains(err.Error(), "missing-key") {
		t.Fatalf("serve with a ConfigMap naming a missing secret: %v; want it refused, naming the reference", err)
	}
}
