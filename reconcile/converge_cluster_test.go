package reconcile

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// manualApp is app without an automated sync policy.
func manualApp(name, path, cluster string) string {
	return strings.Replace(app(name, "0", path, cluster),
		"syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}", "syncPolicy: {syncOptions: [CreateNamespace=true]}", 1)
}

// noHealApp is an automated app without selfHeal.
func noHealApp(name, path, cluster string) string {
	return strings.Replace(app(name, "0", path, cluster), "selfHeal: true", "selfHeal: false", 1)
}

// recordingObserver keeps every status change it hears.
type recordingObserver struct {
	mu  sync.Mutex
	got []string
}

func (o *recordingObserver) ObserveStatus(_ context.Context, _ *planner.App, prev, cur store.AppStatus) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, cur.App+"@"+cur.Cluster+": "+prev.Sync+"->"+cur.Sync)
}

// loop is a reconciler set up for Converge, with a clock the test moves.
type loop struct {
	r      *Reconciler
	st     *store.Store
	src    planner.Source
	inv    *planner.Inventory
	offset atomic.Int64
	obs    *recordingObserver
}

func newLoop(t *testing.T, repo fstest.MapFS) *loop {
	r, src, inv := fixture(t, repo)
	l := &loop{r: r, st: r.History.(*store.Store), src: src, inv: inv, obs: &recordingObserver{}}
	r.Status, r.Observer = l.st, l.obs
	r.Now = func() time.Time { return time.Now().Add(time.Duration(l.offset.Load())) }
	return l
}

// pass runs one pass and returns the statuses by app.
func (l *loop) pass(t *testing.T, d Desired) map[string]store.AppStatus {
	t.Helper()
	if d.Repo == "" {
		d.Repo = "acme/gitops"
	}
	res, err := l.r.Converge(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.AppStatus{}
	for _, st := range res.Statuses {
		out[st.App] = st
	}
	return out
}

func (l *loop) desired() Desired { return Desired{Head: l.src, Inv: l.inv} }

func syncs(t *testing.T, st *store.Store, app, cluster string) int {
	t.Helper()
	h, err := st.History(t.Context(), app, cluster, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

func liveValue(t *testing.T, cs kubernetes.Interface, ns, name string) string {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return cm.Data["value"]
}

func setLive(t *testing.T, cs kubernetes.Interface, ns, name, value string) {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["value"] = value
	if _, err := cs.CoreV1().ConfigMaps(ns).Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitLive waits for the watch cache to see a change made behind
// gitwave's back.
func waitLive() { time.Sleep(500 * time.Millisecond) }
