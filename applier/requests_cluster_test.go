package applier

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/gitwave/gitwave/planner"
)

// requestLog records the requests made through a rest.Config, in order.
type requestLog struct {
	mu    sync.Mutex
	lines []string // "METHOD /path" plus " dryRun" for a dry run
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		line := r.Method + " " + r.URL.Path
		if r.URL.Query().Has("dryRun") {
			line += " dryRun"
		}
		l.mu.Lock()
		l.lines = append(l.lines, line)
		l.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

// take returns the requests recorded since the last take.
func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

// TestNoReadBeforeApply: a sync and a live diff make one request per
// object, its apply or its dry run; the live objects, and the health of
// those the sync waits for, come from the watch cache, not from a GET of
// the object.
func TestNoReadBeforeApply(t *testing.T) {
	log := &requestLog{}
	cfg := rest.CopyConfig(needEnv(t).RESTConfig("c1"))
	cfg.Wrap(log.wrap)
	m, err := New(cfg, Options{Store: newStore(t), Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	createNamespace(t, m, "noread")
	app := testApp("noread", "c1", "noread")
	docs := []string{deployment("api", 1, 1)}
	paths := map[string]bool{"/apis/apps/v1/namespaces/noread/deployments/api": true}
	for i := range 12 {
		docs = append(docs, configMap(fmt.Sprintf("cm-%d", i), i%3))
		paths[fmt.Sprintf("/api/v1/namespaces/noread/configmaps/cm-%d", i)] = true
	}
	objs := objects(t, docs...)
	log.take()

	for run := 1; run <= 2; run++ {
		res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]string{1: ActionCreated, 2: ActionUnchanged}[run]
		if a := outcome(t, res, "ConfigMap", "cm-0").Action; a != want {
			t.Errorf("sync %d: ConfigMap cm-0 %s, want %s", run, a, want)
		}
		checkRequests(t, fmt.Sprintf("sync %d", run), log.take(), paths, "PATCH")
	}

	edited := objects(t, append([]string{strings.Replace(configMap("cm-0", 0), "{k: v}", "{k: changed}", 1)}, docs[2:]...)...)
	edited = append(edited, objs[0])
	d, err := m.Diff(t.Context(), app, edited, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	added, changed, removed := d.Counts()
	if n := added + changed + removed; n != 1 || change(t, d, "cm-0").Action != planner.ActionChanged {
		t.Errorf("diff: %d objects changed (%s), want cm-0 alone", n, d.Status)
	}
	checkRequests(t, "diff", log.take(), paths, "PATCH dryRun")
}

// checkRequests fails t when a request GETs one of the objects at paths,
// or when an object was not written exactly once with write.
func checkRequests(t *testing.T, what string, lines []string, paths map[string]bool, write string) {
	t.Helper()
	writes := map[string]int{}
	for _, l := range lines {
		method, rest, _ := strings.Cut(l, " ")
		path, flag, _ := strings.Cut(rest, " ")
		if !paths[path] {
			continue
		}
		if method == http.MethodGet {
			t.Errorf("%s: %s read before or after its write; requests:\n%s", what, path, strings.Join(lines, "\n"))
			return
		}
		if strings.TrimSpace(method+" "+flag) == write {
			writes[path]++
		}
	}
	for p := range paths {
		if writes[p] != 1 {
			t.Errorf("%s: %s written %d times with %s, want once", what, p, writes[p], write)
		}
	}
	t.Logf("%s: %d requests for %d objects", what, len(lines), len(paths))
}

// TestSyncWithNamespacedPermissions: gitwave registered with a Role in one
// namespace (cluster add --namespaced) cannot watch a kind cluster-wide; a
// sync and a live diff there read the objects instead, and still succeed.
func TestSyncWithNamespacedPermissions(t *testing.T) {
	admin, _ := newManager(t, "c1", Options{})
	createNamespace(t, admin, "limited")
	for gvr, doc := range map[schema.GroupVersionResource]string{
		rolesGVR: `{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: all, namespace: limited},
			rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]}`,
		roleBindingsGVR: `{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: all, namespace: limited},
			roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: all},
			subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: limited-user}]}`,
	} {
		createLive(t, admin, gvr, doc)
	}
	cfg := rest.CopyConfig(needEnv(t).RESTConfig("c1"))
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "limited-user"}
	m, err := New(cfg, Options{Store: newStore(t), Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	app := testApp("limited", "c1", "limited")
	objs := objects(t, configMap("a", 0), deployment("api", 1, 1))
	for run, want := range []string{ActionCreated, ActionUnchanged} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		res, err := m.Sync(ctx, SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
		cancel()
		if err != nil {
			t.Fatalf("sync %d: %v", run+1, err)
		}
		if a := outcome(t, res, "ConfigMap", "a").Action; a != want {
			t.Errorf("sync %d: ConfigMap a %s, want %s", run+1, a, want)
		}
		if h := outcome(t, res, "Deployment", "api").Health.Status; h != Healthy {
			t.Errorf("sync %d: Deployment api %s, want Healthy", run+1, h)
		}
	}
	d, err := m.Diff(t.Context(), app, objects(t, strings.Replace(configMap("a", 0), "{k: v}", "{k: w}", 1), deployment("api", 1, 1)), DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	added, changed, removed := d.Counts()
	if n := added + changed + removed; n != 1 || change(t, d, "a").Action != planner.ActionChanged {
		t.Errorf("diff: %d objects changed (%s), want ConfigMap a alone", n, d.Status)
	}
}

var (
	rolesGVR        = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}
	roleBindingsGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}
	clusterRolesGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
	// clusterRoleBindingsGVR is the resource of ClusterRoleBindings.
	clusterRoleBindingsGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
)

// TestSyncWithoutWatchPermission: gitwave may list but not watch, so its
// caches learn of changes only when they list again; a sync still sees
// its Deployment roll out.
func TestSyncWithoutWatchPermission(t *testing.T) {
	admin, _ := newManager(t, "c1", Options{})
	createNamespace(t, admin, "nowatch")
	rules := `[{apiGroups: ["", apps], resources: [configmaps, deployments], verbs: [get, list, create, update, patch, delete]}]`
	createLive(t, admin, clusterRolesGVR, `{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: gitwave-nowatch}, rules: `+rules+`}`)
	createLive(t, admin, clusterRoleBindingsGVR, `{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: gitwave-nowatch},
		roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gitwave-nowatch},
		subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: nowatch-user}]}`)
	cfg := rest.CopyConfig(needEnv(t).RESTConfig("c1"))
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "nowatch-user"}
	m, err := New(cfg, Options{Store: newStore(t), Cluster: "c1", WaitTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	res, err := m.Sync(t.Context(), SyncRequest{App: testApp("nowatch", "c1", "nowatch"), Objects: objects(t, deployment("api", 1, 0)), Revision: "r1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := outcome(t, res, "Deployment", "api").Health.Status; h != Healthy {
		t.Errorf("Deployment api %s, want Healthy", h)
	}
}
