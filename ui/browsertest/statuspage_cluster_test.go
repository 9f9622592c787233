package browsertest

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
	"github.com/gitwave/gitwave/ui"
)

var update = flag.Bool("update", false, "write the screenshots to docs/statuspage (the README shows them)")

var clusters = &localcluster.Shared{Names: []string{"staging", "prod"}}

func TestMain(m *testing.M) {
	code := m.Run()
	clusters.Close()
	os.Exit(code)
}

const (
	repoURL  = "https://example.com/acme/gitops.git"
	revision = "4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
)

// application is an automated Argo CD Application of path on cluster.
func application(name, path, cluster string) []byte {
	return []byte(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ` + name + `}
spec:
  project: default
  source: {repoURL: ` + repoURL + `, path: ` + path + `}
  destination: {name: ` + cluster + `, namespace: ` + name + `}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
`)
}

// deployFleet has the reconcile loop deploy guestbook to both clusters
// and billing to prod, and returns the store that recorded it.
func deployFleet(t *testing.T) *store.Store {
	t.Helper()
	env := clusters.Need(t)
	st, err := store.Open(t.Context(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ccs []applier.ClusterConfig
	var pcs []planner.Cluster
	for _, n := range env.Names() {
		ccs = append(ccs, applier.ClusterConfig{Name: n, Kubeconfig: env.KubeconfigPath(), Context: n})
		pcs = append(pcs, planner.Cluster{Name: n, Server: env.Server(n)})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fleet.Close)
	repo := fstest.MapFS{
		"apps/guestbook-staging.yaml": {Data: application("guestbook-staging", "guestbook", "staging")},
		"apps/guestbook-prod.yaml":    {Data: application("guestbook-prod", "guestbook", "prod")},
		"apps/billing.yaml":           {Data: application("billing", "billing", "prod")},
		"guestbook/cm.yaml":           {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: guestbook}\ndata: {greeting: hello}\n")},
		"billing/cm.yaml":             {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: billing}\ndata: {currency: EUR}\n")},
		"billing/secret.yaml":         {Data: []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: billing-db}\nstringData: {password: hunter2-in-git}\n")},
	}
	src := planner.Source{Repo: repo, RepoURL: repoURL, Revision: revision, Clusters: pcs}
	r := &reconcile.Reconciler{Planner: &planner.Planner{}, Fleet: fleet, History: st, Status: st,
		Source: func(context.Context, string) (planner.Source, error) { return src, nil }}
	inv, err := r.Planner.Discover(t.Context(), src)
	if err != nil || len(inv.Errors) > 0 {
		t.Fatalf("discover: %v %v", err, inv.Errors)
	}
	if _, err := r.Converge(t.Context(), reconcile.Desired{Repo: "acme/gitops", Head: src, Inv: inv}); err != nil {
		t.Fatalf("converge: %v", err)
	}
	return st
}

// TestStatusPageInChromium deploys apps to two local clusters, opens the
// fleet grid in Chromium, reads a cell, clicks through to the app's page
// and reads its status and history, as an operator would.
func TestStatusPageInChromium(t *testing.T) {
	chrome := chromiumPath(t)
	st := deployFleet(t)
	page, err := ui.New(ui.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(page)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(newBrowser(t, chrome), 2*time.Minute)
	defer cancel()

	cellSel := chromedp.CSS(`#fleet a[href*="app=billing&cluster=prod"]`)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#fleet`)))
	head := text(t, ctx, chromedp.CSS(`#fleet thead`))
	for _, want := range []string{"prod", "staging"} {
		if !strings.Contains(head, want) {
			t.Errorf("grid header %q lacks cluster %s", head, want)
		}
	}
	for _, sel := range []chromedp.CSS{cellSel, `#fleet a[href*="app=guestbook-staging&cluster=staging"]`} {
		cell := text(t, ctx, sel)
		for _, want := range []string{"Synced", "Healthy", "deployed " + revision[:7], "Succeeded"} {
			if !strings.Contains(cell, want) {
				t.Errorf("grid cell %s reads %q, lacking %q", sel, cell, want)
			}
		}
	}
	fleetShot := screenshot(t, ctx)

	do(t, ctx, chromedp.Click(cellSel), chromedp.WaitVisible(chromedp.CSS(`#history`)))
	title, sync, health, deployed := text(t, ctx, chromedp.CSS(`h1`)), text(t, ctx, chromedp.CSS(`#sync`)),
		text(t, ctx, chromedp.CSS(`#health`)), text(t, ctx, chromedp.CSS(`#deployed`))
	if title != "billing on prod" || sync != "Synced" || health != "Healthy" || deployed != revision {
		t.Errorf("app page shows %q: %s, %s, deployed %s; want billing on prod: Synced, Healthy, deployed %s", title, sync, health, deployed, revision)
	}
	if history := text(t, ctx, chromedp.CSS(`#history`)); !strings.Contains(history, "Succeeded") || !strings.Contains(history, revision[:7]) {
		t.Errorf("history %q lacks the Succeeded sync of %s", history, revision[:7])
	}
	if diff := text(t, ctx, chromedp.CSS(`#diff`)); !strings.Contains(diff, "gitwave stores no diff") {
		t.Errorf("last diff section %q does not say that no diff is stored", diff)
	}
	if changes := text(t, ctx, chromedp.CSS(`#changes`)); !strings.Contains(changes, "billing-db") || !strings.Contains(changes, "created") {
		t.Errorf("last sync's objects %q lack the Secret billing-db created", changes)
	}
	if whole := text(t, ctx, chromedp.CSS(`body`)); strings.Contains(whole, "hunter2") {
		t.Errorf("the app page shows the Secret's value:\n%s", whole)
	}
	appShot := screenshot(t, ctx)
	saveScreenshots(t, map[string][]byte{"fleet.png": fleetShot, "app.png": appShot})
}

// do runs steps in the browser, failing the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// text is the visible text of the element sel selects.
func text(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("browser: read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// screenshot is a PNG of the whole page.
func screenshot(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	return png
}

// saveScreenshots writes the PNGs to docs/statuspage with -update, else
// to the test's temporary directory, and logs where.
func saveScreenshots(t *testing.T, shots map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	if *update {
		dir = filepath.Join("..", "..", "docs", "statuspage")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, png := range shots {
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Errorf("screenshot %s is not a PNG (%d bytes)", name, len(png))
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}
