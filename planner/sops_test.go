package planner

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/sopsage"
)

const dbSecretYAML = `apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
stringData:
  password: hunter2-directory-pw
  note_unencrypted: visible in Git
`

// TestSOPSDirectorySource checks that a SOPS-encrypted Secret in a
// directory source renders with its plaintext, and that the render records
// the decrypted values (never the identity fields) for masking.
func TestSOPSDirectorySource(t *testing.T) {
	id, keys := testAgeKey(t)
	repo := fstest.MapFS{
		"apps/db/secret.yaml": {Data: encryptSOPS(t, sopsYAML, []byte(dbSecretYAML), id.Recipient().String())},
		"apps/db/cm.yaml":     {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  k: v\n")},
	}
	r := &Renderer{Options: RenderOptions{Decrypter: keys}}
	objs := mustRender(t, r, repo, testApp(ApplicationSource{Path: "apps/db"}))
	sec := find(t, objs, "Secret", "db")
	if got, _, _ := unstructured.NestedString(sec.Object.Object, "stringData", "password"); got != "hunter2-directory-pw" {
		t.Fatalf("password = %q, want the plaintext", got)
	}
	if _, found := sec.Object.Object["sops"]; found {
		t.Errorf("the sops metadata block is left in the object")
	}
	s := sec.Secrets
	if !s.Holds("hunter2-directory-pw") || s.Holds("visible in Git") || s.Holds("Secret") || s.Holds("Opaque") {
		t.Errorf("recorded secrets wrong: holds password %v, unencrypted note %v, kind %v, type %v",
			s.Holds("hunter2-directory-pw"), s.Holds("visible in Git"), s.Holds("Secret"), s.Holds("Opaque"))
	}
	if cm := find(t, objs, "ConfigMap", "plain"); cm.Secrets != s {
		t.Errorf("objects of one render carry different secret sets")
	}
}

// TestSOPSKustomize checks Kustomize resources and generators' envs and
// files read decrypted.
func TestSOPSKustomize(t *testing.T) {
	id, keys := testAgeKey(t)
	rcpt := id.Recipient().String()
	repo := fstest.MapFS{
		"k/kustomization.yaml": {Data: []byte(`resources: [secret.enc.yaml]
generatorOptions: {disableNameSuffixHash: true}
secretGenerator:
- name: gen
  envs: [creds.env]
configMapGenerator:
- name: cfg
  files: [config.json]
`)},
		"k/secret.enc.yaml": {Data: encryptSOPS(t, sopsYAML, []byte(dbSecretYAML), rcpt)},
		"k/creds.env":       {Data: encryptSOPS(t, sopsDotenv, []byte("API_TOKEN=tok-from-dotenv-123\n"), rcpt)},
		"k/config.json":     {Data: encryptSOPS(t, sopsJSON, []byte(`{"apiKey": "key-from-json-456"}`), rcpt)},
	}
	r := &Renderer{Options: RenderOptions{Decrypter: keys}}
	objs := mustRender(t, r, repo, testApp(ApplicationSource{Path: "k"}))
	if got, _, _ := unstructured.NestedString(find(t, objs, "Secret", "db").Object.Object, "stringData", "password"); got != "hunter2-directory-pw" {
		t.Errorf("resource password = %q", got)
	}
	enc, _, _ := unstructured.NestedString(find(t, objs, "Secret", "gen").Object.Object, "data", "API_TOKEN")
	if dec, _ := base64.StdEncoding.DecodeString(enc); string(dec) != "tok-from-dotenv-123" {
		t.Errorf("generated Secret API_TOKEN = %q, want the dotenv plaintext", dec)
	}
	cfg := find(t, objs, "ConfigMap", "cfg")
	if got, _, _ := unstructured.NestedString(cfg.Object.Object, "data", "config.json"); !strings.Contains(got, "key-from-json-456") || strings.Contains(got, "ENC[") {
		t.Errorf("generated ConfigMap config.json = %q, want the decrypted JSON", got)
	}
	for _, v := range []string{"tok-from-dotenv-123", "key-from-json-456", "hunter2-directory-pw"} {
		if !cfg.Secrets.Holds(v) {
			t.Errorf("%s is not recorded as a secret", v)
		}
	}
}

// TestSOPSFailures checks that a SOPS file that does not decrypt fails its
// app, naming the file and the reason, and never renders ciphertext.
func TestSOPSFailures(t *testing.T) {
	id, keys := testAgeKey(t)
	_, otherKeys := testAgeKey(t)
	enc := encryptSOPS(t, sopsYAML, []byte(dbSecretYAML), id.Recipient().String())
	tampered := []byte(strings.Replace(string(enc), "visible in Git", "changed in Git", 1))
	tests := []struct {
		name string
		dec  Decrypter
		data []byte
		want string
	}{
		{"no key configured", (*sopsage.Keys)(nil), enc, "no age key is configured"},
		{"no decrypter", nil, enc, "no age key is configured"},
		{"another key", otherKeys, enc, "no matching key"},
		{"tampered", keys, tampered, "MAC mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := fstest.MapFS{"apps/db/secret.yaml": {Data: tt.data}}
			r := &Renderer{Options: RenderOptions{Decrypter: tt.dec}}
			re := renderErr(t, r, repo, testApp(ApplicationSource{Path: "apps/db"}))
			checkErr(t, re, "apps/db/secret.yaml", -1, tt.want, "decrypt SOPS file")
			if strings.Contains(re.Error(), "ENC[") || strings.Contains(re.Error(), "AGE-SECRET-KEY") {
				t.Errorf("error quotes key or ciphertext: %v", re)
			}
		})
	}
}

// TestSOPSPlainLookalike checks that a file mentioning SOPS words without
// a metadata block stays a plain file.
func TestSOPSPlainLookalike(t *testing.T) {
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: docs\ndata:\n  how: 'values look like ENC[AES256_GCM,data:...]'\n"
	repo := fstest.MapFS{"apps/docs/cm.yaml": {Data: []byte(doc)}}
	objs := mustRender(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "apps/docs"}))
	if o := find(t, objs, "ConfigMap", "docs"); o.Secrets != nil {
		t.Errorf("a plain file recorded secrets")
	}
}

func planOf(t *testing.T, p *Planner, repo fstest.MapFS, app *App) *AppPlan {
	t.Helper()
	plan, err := p.Plan(context.Background(), nil, repo, app)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return plan
}
