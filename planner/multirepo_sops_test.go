package planner_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"filippo.io/age"

	"github.com/gitwave/gitwave/hack/sopsfixture"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
	"github.com/gitwave/gitwave/sopsage"
)

// The passwords of TestSOPSInOtherRepository, which no output may show.
const (
	otherRepoOldPassword = "k8s-apps-old-password-1"
	otherRepoNewPassword = "k8s-apps-new-password-2"
)

// sopsAppsRepo is k8s-apps holding a SOPS-encrypted Secret manifest under
// db/ and a chart under api/ whose SOPS value file plants the password in
// a ConfigMap, all encrypted for recipient.
func sopsAppsRepo(t *testing.T, recipient, password string) fstest.MapFS {
	t.Helper()
	enc := func(plain string, opts sopsfixture.Options) []byte {
		out, err := sopsfixture.Encrypt("yaml", []byte(plain), recipient, opts)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: db-credentials}\ntype: Opaque\nstringData:\n  password: " + password + "\n"
	return fstest.MapFS{
		"db/secret.sops.yaml": {Data: enc(secret, sopsfixture.Options{EncryptedRegex: "^(data|stringData)$"})},
		"api/Chart.yaml":      {Data: []byte("apiVersion: v2\nname: api\nversion: 0.1.0\n")},
		"api/templates/cm.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api}\n" +
			"data:\n  dsn: {{ printf \"postgres://api:%s@db/api\" .Values.db.password | quote }}\n")},
		"api/secrets.yaml": {Data: enc("db:\n  password: "+password+"\n", sopsfixture.Options{})},
	}
}

// TestSOPSInOtherRepository checks that SOPS files in a repository other
// than the served one decrypt as the served repository's do: a Secret
// manifest of a directory source and a Helm value file (secrets://) of a
// chart in k8s-apps render, and a diff between two commits of k8s-apps
// shows the changed password only as masked, in the changes and in the
// JSON report.
func TestSOPSInOtherRepository(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sopsage.ParseKeys("test key", []byte(id.String()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	rcpt := id.Recipient().String()
	roots := rootsRepo(map[string]string{
		"db":  mrApp("db", "  - {repoURL: '"+appsURL+"', targetRevision: main, path: db}\n"),
		"api": mrApp("api", "  - {repoURL: '"+appsURL+"', targetRevision: main, path: api, helm: {valueFiles: ['secrets://secrets.yaml']}}\n"),
	})
	side := func(password, sha string) planner.Source {
		r := &plannertest.Repositories{}
		r.AddTree(appsURL, sopsAppsRepo(t, rcpt, password), sha, "main")
		return planner.Source{Repo: roots, RepoURL: rootsURL, Revision: rootsSHA, Clusters: []planner.Cluster{mrCluster}, Repositories: r}
	}
	p := &planner.Planner{}
	p.Renderer.Options.Decrypter = keys
	head := side(otherRepoNewPassword, appsMain)

	inv, err := p.Discover(context.Background(), head)
	if err != nil || len(inv.Apps) != 2 {
		t.Fatalf("discover: %v, %d apps, errors %v", err, len(inv.Apps), inv.Errors)
	}
	var rendered strings.Builder
	for _, a := range inv.Apps {
		pl, err := p.Plan(context.Background(), inv, head.Repo, a)
		if err != nil {
			t.Fatalf("plan %s: %v", a.Name, err)
		}
		rendered.WriteString(jsonOf(t, pl.Objects))
	}
	for _, w := range []string{"postgres://api:" + otherRepoNewPassword + "@db/api", `"password":"` + otherRepoNewPassword + `"`} {
		if !strings.Contains(rendered.String(), w) {
			t.Fatalf("the SOPS files of k8s-apps were not decrypted (no %q): %s", w, rendered.String())
		}
	}

	rep, err := p.DiffRevisions(context.Background(), side(otherRepoOldPassword, appsTag), head, planner.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var diffs strings.Builder
	for _, d := range rep.Apps {
		if d.Status != planner.AppChanged {
			t.Errorf("%s: %s %s; want changed", d.App, d.Status, d.Error)
		}
		for _, c := range d.Changes {
			diffs.WriteString(c.Diff)
		}
	}
	out := diffs.String() + jsonOf(t, rep)
	for _, pw := range []string{otherRepoOldPassword, otherRepoNewPassword, "ENC["} {
		if strings.Contains(out, pw) {
			t.Errorf("the diff shows %q:\n%s", pw, out)
		}
	}
	for _, w := range []string{"+  password: " + planner.MaskChanged, "+  dsn: " + planner.MaskChanged} {
		if !strings.Contains(diffs.String(), w) {
			t.Errorf("the diff lacks %q:\n%s", w, diffs.String())
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
