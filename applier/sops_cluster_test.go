package applier

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"filippo.io/age"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/hack/sopsfixture"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/sopsage"
)

// sopsRepo is a Kustomize app whose Secret and a generated ConfigMap come
// from SOPS files encrypted for id.
func sopsRepo(t *testing.T, id *age.X25519Identity, password string) fstest.MapFS {
	t.Helper()
	enc := func(format, plain string) []byte {
		out, err := sopsfixture.Encrypt(format, []byte(plain), id.Recipient().String(), sopsfixture.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return fstest.MapFS{
		"app/kustomization.yaml": {Data: []byte("resources: [secret.yaml]\ngeneratorOptions: {disableNameSuffixHash: true}\n" +
			"configMapGenerator:\n- name: app-env\n  envs: [app.env]\n")},
		"app/secret.yaml": {Data: enc("yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: "+password+"\n")},
		"app/app.env":     {Data: enc("dotenv", "DB_PASSWORD="+password+"\n")},
	}
}

// sopsPlan renders the SOPS app for cluster c1.
func sopsPlan(t *testing.T, keys *sopsage.Keys, repo fstest.MapFS) (*planner.App, []*planner.Object) {
	t.Helper()
	app := testApp("sops", "c1", "sops")
	app.Spec.Source = &planner.ApplicationSource{Path: "app"}
	p := &planner.Planner{}
	p.Renderer.Options.Decrypter = keys
	plan, err := p.Plan(t.Context(), nil, repo, app)
	if err != nil {
		t.Fatal(err)
	}
	return app, plan.Objects
}

// TestSOPSSyncAppliesPlaintextShowsNone syncs an app whose Secret and
// ConfigMap come from SOPS files to a real API server: the live objects
// hold the plaintext, while the sync result, its history and the live diff
// of a rotated password never show either value.
func TestSOPSSyncAppliesPlaintextShowsNone(t *testing.T) {
	const oldPW, newPW = "live-old-pw-1618", "live-new-pw-1414"
	m, st := newManager(t, "c1", Options{})
	createNamespace(t, m, "sops")
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sopsage.ParseKeys("test key", []byte(id.String()))
	if err != nil {
		t.Fatal(err)
	}
	app, objs := sopsPlan(t, keys, sopsRepo(t, id, oldPW))
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1", Trigger: "cli"}, nil)
	if err != nil || res.Phase != SyncSucceeded {
		t.Fatalf("sync: %v, %+v", err, res)
	}
	secret := get(t, m, schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, "db")
	data, _ := secret["data"].(map[string]any)
	if got, _ := base64.StdEncoding.DecodeString(data["password"].(string)); string(got) != oldPW {
		t.Errorf("live Secret password = %q, want the decrypted value", got)
	}
	cm := get(t, m, configMapsGVR, "app-env")
	if d, _ := cm["data"].(map[string]any); d["DB_PASSWORD"] != oldPW {
		t.Errorf("live ConfigMap DB_PASSWORD = %v, want the decrypted value", d["DB_PASSWORD"])
	}

	hist, err := st.History(t.Context(), "sops", "c1", 5)
	if err != nil {
		t.Fatal(err)
	}
	_, objs = sopsPlan(t, keys, sopsRepo(t, id, newPW))
	diff, err := m.Diff(t.Context(), app, objs, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal([]any{res, hist, diff})
	for _, pw := range []string{oldPW, newPW} {
		if strings.Contains(string(shown), pw) {
			t.Errorf("the sync result, history or live diff shows %q:\n%s", pw, shown)
		}
	}
	if !strings.Contains(string(shown), planner.MaskChanged) {
		t.Errorf("the live diff does not show the rotated password as changed:\n%s", shown)
	}
}

func get(t *testing.T, m *Manager, gvr schema.GroupVersionResource, name string) map[string]any {
	t.Helper()
	u, err := m.client.Resource(gvr).Namespace("sops").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u.Object
}
