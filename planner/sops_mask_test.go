package planner

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/yaml"
)

const (
	oldHelmPassword = "old-Tr0ub4dor-pw"
	newHelmPassword = "new-C0rrectHorse-pw"
)

// helmSecretRepo is a chart that plants a value from a SOPS value file in
// a ConfigMap (data, an annotation, base64), a Deployment's env, and, when
// asked, a template error.
func helmSecretRepo(t *testing.T, recipient, password string) fstest.MapFS {
	t.Helper()
	return fstest.MapFS{
		"charts/app/Chart.yaml":  {Data: []byte("apiVersion: v2\nname: app\nversion: 0.1.0\n")},
		"charts/app/values.yaml": {Data: []byte("db:\n  host: db.internal\nfailWith: false\n")},
		"charts/app/templates/cm.yaml": {Data: []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  annotations:
    example.com/dsn: "postgres://app:{{ .Values.db.password }}@{{ .Values.db.host }}/app"
data:
  password: {{ .Values.db.password | quote }}
  encoded: {{ .Values.db.password | b64enc | quote }}
  host: {{ .Values.db.host | quote }}
`)},
		"charts/app/templates/deploy.yaml": {Data: []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: app:1
        env:
        - name: DB_PASSWORD
          value: {{ .Values.db.password | quote }}
`)},
		"charts/app/templates/fail.yaml": {Data: []byte(`{{ if .Values.failWith }}{{ fail (printf "cannot connect with %s" .Values.db.password) }}{{ end }}`)},
		"charts/app/secrets.yaml":        {Data: encryptSOPS(t, sopsYAML, []byte("db:\n  password: "+password+"\n"), recipient)},
	}
}

func helmSecretApp(params ...HelmParameter) *App {
	return testApp(ApplicationSource{Path: "charts/app", Helm: &ApplicationSourceHelm{
		ValueFiles: []string{"values.yaml", "secrets://secrets.yaml"}, Parameters: params,
	}})
}

// assertNoPassword fails when any output carries a planted value.
func assertNoPassword(t *testing.T, what, out string) {
	t.Helper()
	for _, pw := range []string{oldHelmPassword, newHelmPassword} {
		if strings.Contains(out, pw) {
			t.Errorf("%s shows the decrypted value %q:\n%s", what, pw, out)
		}
	}
}

// TestSOPSHelmValuesNeverShown plants a value from a SOPS value file in a
// ConfigMap and a Deployment through Helm values, and checks that the
// rendered plan, the text and JSON diff and a template error never carry
// it, while a changed value shows as changed.
func TestSOPSHelmValuesNeverShown(t *testing.T) {
	id, keys := testAgeKey(t)
	rcpt := id.Recipient().String()
	p := &Planner{}
	p.Renderer.Options.Decrypter = keys
	before := planOf(t, p, helmSecretRepo(t, rcpt, oldHelmPassword), helmSecretApp())
	after := planOf(t, p, helmSecretRepo(t, rcpt, newHelmPassword), helmSecretApp())

	for _, o := range after.Objects {
		if strings.Contains(mustJSON(t, o.Manifest.Object), newHelmPassword) == false && o.Key.Kind == "ConfigMap" {
			t.Fatalf("the rendered ConfigMap lacks the plaintext: decryption did not happen")
		}
		masked := MaskObject(o)
		text, err := yaml.Marshal(masked.Object)
		if err != nil {
			t.Fatal(err)
		}
		assertNoPassword(t, "rendered "+o.Key.String(), string(text)+mustJSON(t, masked.Object))
		if o.Key.Kind == "ConfigMap" && !strings.Contains(string(text), "postgres://app:"+MaskUnchanged+"@db.internal/app") {
			t.Errorf("the annotation lost its context or was not masked:\n%s", text)
		}
	}

	changes, err := DiffObjects(before.Objects, after.Objects)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range changes {
		text.WriteString(c.Diff)
	}
	assertNoPassword(t, "diff", text.String())
	assertNoPassword(t, "JSON diff", mustJSON(t, changes))
	if !strings.Contains(text.String(), "+  password: "+MaskChanged) || !strings.Contains(text.String(), "value: "+MaskChanged) {
		t.Errorf("a changed decrypted value does not show as changed:\n%s", text.String())
	}

	_, err = p.Renderer.Render(t.Context(), helmSecretRepo(t, rcpt, newHelmPassword), helmSecretApp(HelmParameter{Name: "failWith", Value: "true"}))
	if err == nil || !strings.Contains(err.Error(), "cannot connect with "+MaskUnchanged) {
		t.Fatalf("want the template error with the value masked, got %v", err)
	}
	assertNoPassword(t, "render error", err.Error())
}

// TestSOPSUnchangedSecretUnchanged checks that rendering the same secret
// twice diffs as unchanged: masking never invents a change.
func TestSOPSUnchangedSecretUnchanged(t *testing.T) {
	id, keys := testAgeKey(t)
	p := &Planner{}
	p.Renderer.Options.Decrypter = keys
	repo := helmSecretRepo(t, id.Recipient().String(), newHelmPassword)
	a, b := planOf(t, p, repo, helmSecretApp()), planOf(t, p, repo, helmSecretApp())
	changes, err := DiffObjects(a.Objects, b.Objects)
	if err != nil {
		t.Fatal(err)
	}
	if s := SummarizeStatus(changes); s != AppUnchanged {
		t.Errorf("status %s, want unchanged", s)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSOPSValueFileTouchesApp checks that a pull request changing only a
// helm-secrets value file (secrets://) still touches its app.
func TestSOPSValueFileTouchesApp(t *testing.T) {
	id, _ := testAgeKey(t)
	repo := helmSecretRepo(t, id.Recipient().String(), newHelmPassword)
	app := testApp(ApplicationSource{Path: "charts/app", Helm: &ApplicationSourceHelm{ValueFiles: []string{"secrets://../../shared/secrets.yaml"}}})
	if !Touches(Dependencies(Source{Repo: repo, RepoURL: fixtureRepoURL}, app), []string{"shared/secrets.yaml"}) {
		t.Errorf("a change to the secrets:// value file does not touch the app: deps %v", Dependencies(Source{Repo: repo, RepoURL: fixtureRepoURL}, app))
	}
}
