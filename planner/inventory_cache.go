package planner

import (
	"reflect"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// inventoryCacheSize bounds the inventories a Planner keeps: the default
// branch and the last heads compared with it.
const inventoryCacheSize = 4

// inventoryCache keeps the inventories of the last commit trees a Planner
// discovered, so that the default branch, which every pull request is
// compared with, and a pull request's previous head, which its next push
// is compared with, are discovered once. Only an inventory that depends on
// nothing but its commit's tree and the discovery's settings is kept: one
// whose discovery read no other repository, revision or chart and
// rendered no app of apps.
type inventoryCache struct {
	mu      sync.Mutex
	entries []keptInventory // least recently used first
}

// keptInventory is one kept inventory with the Source it was discovered
// from.
type keptInventory struct {
	src    Source
	limits Limits
	inv    *Inventory
}

// cacheableSource reports whether src names its tree by a commit and may
// key the cache.
func cacheableSource(src Source) bool {
	ct, ok := src.Repo.(CommitTree)
	return ok && ct.Commit() != "" && comparableFS(src.Repo) &&
		(src.Repositories == nil || reflect.TypeOf(src.Repositories).Comparable())
}

// sameDiscovery reports whether discovering a and b yields the same
// inventory when neither reads outside its tree: the same tree, served
// under the same URL, revision and branch, with the same Repositories,
// configuration and clusters.
func sameDiscovery(a, b Source) bool {
	return a.Repo == b.Repo && a.Revision == b.Revision && sameSettings(a, b)
}

// sameSettings is sameDiscovery without the tree and the revision.
func sameSettings(a, b Source) bool {
	return a.RepoURL == b.RepoURL && a.Branch == b.Branch &&
		(a.Repositories == nil && b.Repositories == nil || sameRepositories(a.Repositories, b.Repositories)) &&
		reflect.DeepEqual(a.Config, b.Config) && reflect.DeepEqual(a.Clusters, b.Clusters)
}

// get returns a copy of the inventory kept for src, reading through rd;
// nil when none is kept.
func (c *inventoryCache) get(src Source, limits Limits, rd *sourceReader) *Inventory {
	if !cacheableSource(src) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if sameDiscovery(e.src, src) && reflect.DeepEqual(e.limits, limits) {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.inv.handOut(rd)
		}
	}
	return nil
}

// unchanged returns a copy of the inventory kept for the commit whose
// scan sc equals (scan.unchangedSince), reading through rd, when
// discovering src gives the same inventory: the change between the two
// commits touched no file that declares apps or clusters or mentions an
// Application, and the kept discovery read nothing else of its tree (no
// git generator) and no app or Application manifest pins its commit as a
// targetRevision (at src's revision such a source would read another
// revision; an Application that does not bind still decides, through its
// path, which manifests are roots). Nil otherwise.
func (c *inventoryCache) unchanged(sc *scan, src Source, limits Limits, rd *sourceReader) *Inventory {
	if sc.unchangedSince == "" || !cacheableSource(src) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if commitOf(e.src.Repo) != sc.unchangedSince || !sameSettings(e.src, src) || !reflect.DeepEqual(e.limits, limits) ||
			e.inv.readsTree || pinsRevision(e.inv.Apps, e.src.Revision, src.Revision) ||
			manifestsPin(sc.Manifests, e.src.Revision, src.Revision) {
			continue
		}
		return e.inv.handOut(rd)
	}
	return nil
}

// pinsRevision reports whether a source of one of apps names one of revs
// as its targetRevision, which reads the served tree at that revision only.
func pinsRevision(apps []*App, revs ...string) bool {
	for _, a := range apps {
		if a.Spec.Source != nil && pinsOne(a.Spec.Source.TargetRevision, revs) {
			return true
		}
		for i := range a.Spec.Sources {
			if pinsOne(a.Spec.Sources[i].TargetRevision, revs) {
				return true
			}
		}
	}
	return false
}

// manifestsPin is pinsRevision for the Application manifests of a scan,
// those that discovery did not make apps of included.
func manifestsPin(ms []manifest, revs ...string) bool {
	for _, m := range ms {
		if !isArgoKind(m.Obj, "Application") {
			continue
		}
		if rev, _, _ := unstructured.NestedString(m.Obj.Object, "spec", "source", "targetRevision"); pinsOne(rev, revs) {
			return true
		}
		sources, _, _ := unstructured.NestedSlice(m.Obj.Object, "spec", "sources")
		for _, s := range sources {
			if s, ok := s.(map[string]any); ok {
				if rev, _, _ := unstructured.NestedString(s, "targetRevision"); pinsOne(rev, revs) {
					return true
				}
			}
		}
	}
	return false
}

func pinsOne(targetRevision string, revs []string) bool {
	rev := strings.TrimSpace(targetRevision)
	if rev == "" || rev == "HEAD" {
		return false
	}
	for _, r := range revs {
		if r != "" && strings.EqualFold(rev, r) {
			return true
		}
	}
	return false
}

// put keeps inv, discovered from src through rd, when it depends on
// nothing but src.
func (c *inventoryCache) put(src Source, limits Limits, rd *sourceReader, inv *Inventory) {
	if !cacheableSource(src) || rd.readOutside() || len(inv.rendered) > 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if sameDiscovery(e.src, src) {
			c.entries = slices.Delete(c.entries, i, i+1)
			break
		}
	}
	if len(c.entries) >= inventoryCacheSize {
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	c.entries = append(c.entries, keptInventory{src: src, limits: limits, inv: inv.handOut(nil)})
}

// handOut returns a copy of inv reading through rd whose lists a caller
// may append to without changing inv's; the apps are shared and must not
// be changed.
func (inv *Inventory) handOut(rd *sourceReader) *Inventory {
	return &Inventory{Apps: slices.Clip(inv.Apps), Clusters: slices.Clip(inv.Clusters), Errors: slices.Clip(inv.Errors),
		Files: slices.Clip(inv.Files), rendered: map[AppKey]renderOutput{}, reader: rd, readsTree: inv.readsTree}
}
