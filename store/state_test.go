package store

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestInventoryIsReplacedSortedAndPerCluster(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		rev, entries, err := s.Inventory(ctx(t), "web", "prod")
		if err != nil || rev != "" || entries != nil {
			t.Fatalf("Inventory of a never deployed app = %q, %v, %v; want nothing and no error", rev, entries, err)
		}
		svc := InventoryEntry{Version: "v1", Kind: "Service", Namespace: "web", Name: "web"}
		dep := InventoryEntry{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "web", Name: "web"}
		cm := InventoryEntry{Version: "v1", Kind: "ConfigMap", Namespace: "web", Name: "settings"}
		ns := InventoryEntry{Version: "v1", Kind: "Namespace", Name: "web"}

		steps := []struct {
			cluster, revision string
			save, want        []InventoryEntry
		}{
			{"prod", "r1", []InventoryEntry{svc, dep, cm, svc}, []InventoryEntry{cm, svc, dep}},
			{"staging", "r2", []InventoryEntry{ns}, []InventoryEntry{ns}},
			{"prod", "r2", []InventoryEntry{dep, ns}, []InventoryEntry{ns, dep}},
			{"staging", "r3", nil, nil},
		}
		for _, st := range steps {
			if err := s.SaveInventory(ctx(t), "web", st.cluster, st.revision, st.save); err != nil {
				t.Fatal(err)
			}
			rev, got, err := s.Inventory(ctx(t), "web", st.cluster)
			if err != nil || rev != st.revision || !reflect.DeepEqual(got, st.want) {
				t.Errorf("after saving %s@%s: Inventory = %q, %v, %v; want %q, %v", st.cluster, st.revision, rev, got, err, st.revision, st.want)
			}
		}
		if err := s.SaveInventory(ctx(t), "", "prod", "r1", nil); err == nil {
			t.Error("SaveInventory without an app succeeded")
		}
	})
}

func TestPinsAreSetListedAndCleared(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		at := db.clock.Now()
		pin := func(app, cluster, rev string) Pin {
			return Pin{App: app, Cluster: cluster, Revision: rev, Reason: "/rollback --steps 1", By: "alice", RevertPR: "acme/gitops#7", CreatedAt: at}
		}
		for _, p := range []Pin{pin("web", "prod", "r1"), pin("web", "eu", "r1"), pin("api", "prod", "r5"), pin("web", "prod", "r0")} {
			if err := s.SetPin(ctx(t), p); err != nil {
				t.Fatal(err)
			}
		}
		check := func(app string, want []Pin) {
			t.Helper()
			got, err := s.Pins(ctx(t), app)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("Pins(%q) = %+v, want %+v", app, got, want)
			}
			for i := range got {
				if !got[i].CreatedAt.Equal(want[i].CreatedAt) {
					t.Errorf("Pins(%q)[%d].CreatedAt = %v, want %v", app, i, got[i].CreatedAt, want[i].CreatedAt)
				}
				got[i].CreatedAt, want[i].CreatedAt = time.Time{}, time.Time{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Pins(%q) = %+v, want %+v", app, got, want)
			}
		}
		check("web", []Pin{pin("web", "eu", "r1"), pin("web", "prod", "r0")}) // prod re-pinned to r0
		check("", []Pin{pin("api", "prod", "r5"), pin("web", "eu", "r1"), pin("web", "prod", "r0")})

		if err := s.ClearPin(ctx(t), "web", "eu"); err != nil {
			t.Fatal(err)
		}
		check("web", []Pin{pin("web", "prod", "r0")})
		if err := s.SetPin(ctx(t), pin("web", "eu", "r1")); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearPin(ctx(t), "web", ""); err != nil {
			t.Fatal(err)
		}
		check("web", nil)
		check("api", []Pin{pin("api", "prod", "r5")})
		if err := s.ClearPin(ctx(t), "web", "prod"); err != nil {
			t.Errorf("clearing a pin that is gone: %v", err)
		}
		if err := s.SetPin(ctx(t), Pin{App: "web", Cluster: "prod"}); err == nil {
			t.Error("SetPin without a revision succeeded")
		}
	})
}

func TestCommentIDsPerPullRequest(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		if ids, err := s.CommentIDs(ctx(t), "acme/gitops", 12); err != nil || ids != nil {
			t.Fatalf("CommentIDs before any comment = %v, %v; want none", ids, err)
		}
		steps := []struct {
			repo string
			pr   int
			set  []string
		}{
			{"acme/gitops", 12, []string{"1001"}},
			{"acme/gitops", 13, []string{"2001"}},
			{"acme/other", 12, []string{"3001"}},
			{"acme/gitops", 12, []string{"1001", "1002", "1003"}}, // the report grew to three comments
		}
		for _, st := range steps {
			if err := s.SetCommentIDs(ctx(t), st.repo, st.pr, st.set); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string][]string{"acme/gitops#12": {"1001", "1002", "1003"}, "acme/gitops#13": {"2001"}, "acme/other#12": {"3001"}}
		for _, st := range steps[:3] {
			got, err := s.CommentIDs(ctx(t), st.repo, st.pr)
			key := st.repo + "#" + strconv.Itoa(st.pr)
			if err != nil || !reflect.DeepEqual(got, want[key]) {
				t.Errorf("CommentIDs(%s) = %v, %v; want %v", key, got, err, want[key])
			}
		}
		if err := s.SetCommentIDs(ctx(t), "acme/gitops", 13, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.CommentIDs(ctx(t), "acme/gitops", 13); got != nil {
			t.Errorf("CommentIDs after setting none = %v, want none", got)
		}
	})
}

func TestTryLockElectsOneHolderUntilItExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		a, b := db.open(t), db.open(t)
		const ttl = time.Minute
		try := func(s *Store, holder string, want bool) {
			t.Helper()
			got, err := s.TryLock(ctx(t), "selfheal", holder, ttl)
			if err != nil || got != want {
				t.Fatalf("TryLock(selfheal, %s) = %v, %v; want %v", holder, got, err, want)
			}
		}
		try(a, "replica-a", true)
		try(b, "replica-b", false)
		db.clock.Advance(50 * time.Second)
		try(a, "replica-a", true) // renewed: now held until 50s+1m
		db.clock.Advance(50 * time.Second)
		try(b, "replica-b", false) // would have expired without the renewal
		if got, _ := b.TryLock(ctx(t), "other-lock", "replica-b", ttl); !got {
			t.Error("a different lock name is independent, but TryLock refused it")
		}
		db.clock.Advance(11 * time.Second)
		try(b, "replica-b", true) // a stopped renewing: b takes over
		try(a, "replica-a", false)
		if err := b.Unlock(ctx(t), "selfheal", "replica-a"); err != nil {
			t.Fatal(err)
		}
		try(a, "replica-a", false) // Unlock by a non-holder changes nothing
		if err := b.Unlock(ctx(t), "selfheal", "replica-b"); err != nil {
			t.Fatal(err)
		}
		try(a, "replica-a", true) // released on shutdown: taken at once
		if _, err := a.TryLock(ctx(t), "selfheal", "replica-a", 0); err == nil {
			t.Error("TryLock with a zero ttl succeeded")
		}
	})
}
