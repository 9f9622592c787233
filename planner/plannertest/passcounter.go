package plannertest

import (
	"context"
	"io/fs"
	"strings"
	"sync"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

// WidgetRepoURL is the repository a PassCounter serves: one folder,
// widget/, holding one Widget.
const WidgetRepoURL = "https://example.test/widgets.git"

// WidgetKind is the kind of the Widget; only a PassCounter knows its scope.
var WidgetKind = schema.GroupKind{Group: "count.gitwave.test", Kind: "Widget"}

// PassCounter is a planner.Repositories and planner.Scope that counts, for
// an app reading WidgetRepoURL, the reads of that repository (one per
// discovery pass: a pass reads a repository once, whatever renders it) and
// the app's renders (Plan asks the scope of each object it renders, once).
// Other repositories go to Inner, or are unlisted when it is nil. It is
// safe for concurrent use.
type PassCounter struct {
	Inner planner.Repositories

	mu      sync.Mutex
	reads   int
	renders int
}

// Tree serves WidgetRepoURL at any revision, as one fixed commit.
func (c *PassCounter) Tree(ctx context.Context, repoURL, rev string) (fs.FS, string, error) {
	if repoURL != WidgetRepoURL {
		if c.Inner == nil {
			return nil, "", &planner.UnlistedSourceError{RepoURL: repoURL}
		}
		return c.Inner.Tree(ctx, repoURL, rev)
	}
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return fstest.MapFS{"widget/widget.yaml": {Data: []byte("apiVersion: count.gitwave.test/v1\nkind: Widget\nmetadata: {name: w}\n")}},
		strings.Repeat("c", 40), nil
}

// Chart goes to Inner: a PassCounter serves no chart.
func (c *PassCounter) Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	if c.Inner == nil {
		return planner.ChartArchive{}, &planner.UnlistedSourceError{RepoURL: repoURL, Chart: true}
	}
	return c.Inner.Chart(ctx, repoURL, name, version, maxBytes)
}

// IsNamespaced counts a render for every Widget it is asked about and
// answers the built-in scope for every other kind.
func (c *PassCounter) IsNamespaced(gk schema.GroupKind) (bool, error) {
	if gk != WidgetKind {
		return planner.BuiltinScope{}.IsNamespaced(gk)
	}
	c.mu.Lock()
	c.renders++
	c.mu.Unlock()
	return true, nil
}

// Take returns the counts so far and starts again from zero.
func (c *PassCounter) Take() (reads, renders int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reads, renders = c.reads, c.renders
	c.reads, c.renders = 0, 0
	return reads, renders
}
