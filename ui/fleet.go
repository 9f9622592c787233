package ui

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/gitwave/gitwave/store"
)

// fleetPage is what fleet.html shows: one row per app, one column per
// cluster.
type fleetPage struct {
	Title    string
	Clusters []string
	Rows     []fleetRow
	Counts   []count
	Empty    bool
	Now      string
}

// fleetRow is one app of one repository across the clusters.
type fleetRow struct {
	Repo, App, Project string
	Cells              []*cell // one per Clusters entry; nil where the app does not run
}

// cell is one app × cluster of the grid.
type cell struct {
	Link                                string
	Sync, Health                        string
	Deployed, DeployedFull              string
	Desired, DesiredFull                string
	Drift                               bool // deployed differs from desired
	LastSync, LastSyncTitle, LastResult string
	Retry                               string
	Pinned                              bool
	Reason                              string
}

// count is one figure of the page's summary.
type count struct {
	Label string
	N     int
	Class string
}

func (s *Server) serveFleet(w http.ResponseWriter, r *http.Request) {
	sts, err := s.opts.Store.AppStatuses(r.Context(), store.AppStatusFilter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pins, err := s.opts.Store.Pins(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "fleet.html", buildFleet(sts, pins, s.opts.Now()))
}

// buildFleet lays sts out as a grid; sts are ordered by repository, app
// and cluster, as the store returns them.
func buildFleet(sts []store.AppStatus, pins []store.Pin, now time.Time) fleetPage {
	pinned := make(map[[2]string]bool, len(pins))
	for _, p := range pins {
		pinned[[2]string{p.App, p.Cluster}] = true
	}
	col := map[string]int{}
	for _, st := range sts {
		col[st.Cluster] = 0
	}
	clusters := make([]string, 0, len(col))
	for c := range col {
		clusters = append(clusters, c)
	}
	sort.Strings(clusters)
	for i, c := range clusters {
		col[c] = i
	}
	p := fleetPage{Title: "gitwave — fleet", Clusters: clusters, Empty: len(sts) == 0, Now: stamp(now)}
	tally := map[string]int{}
	for _, st := range sts {
		if n := len(p.Rows); n == 0 || p.Rows[n-1].Repo != st.Repo || p.Rows[n-1].App != st.App {
			p.Rows = append(p.Rows, fleetRow{Repo: st.Repo, App: st.App, Project: st.Project, Cells: make([]*cell, len(clusters))})
		}
		c := cellOf(st, now)
		c.Pinned = pinned[[2]string{st.App, st.Cluster}]
		p.Rows[len(p.Rows)-1].Cells[col[st.Cluster]] = c
		tally[st.Sync]++
		tally[st.Health]++
	}
	for _, k := range []string{store.SyncSynced, store.SyncOutOfSync, "Healthy", "Progressing", "Degraded", "Missing", "Unknown"} {
		p.Counts = append(p.Counts, count{Label: k, N: tally[k], Class: statusClass(k)})
	}
	return p
}

// cellOf is the grid cell of one status.
func cellOf(st store.AppStatus, now time.Time) *cell {
	c := &cell{Link: AppPath(st.Repo, st.App, st.Cluster), Sync: st.Sync, Health: st.Health,
		Deployed: short(st.DeployedRevision), DeployedFull: st.DeployedRevision,
		Desired: short(st.DesiredRevision), DesiredFull: st.DesiredRevision,
		Drift:      st.DeployedRevision != st.DesiredRevision || st.Sync == store.SyncOutOfSync,
		LastResult: st.LastSync.Result, Reason: redact(st.UnknownReason)}
	if when := lastSyncTime(st.LastSync); !when.IsZero() {
		c.LastSync, c.LastSyncTitle = ago(now, when), stamp(when)
	}
	if !st.NextRetry.IsZero() {
		c.Retry = fmt.Sprintf("attempt %d, next %s", st.Attempts+1, until(now, st.NextRetry))
	} else if st.Attempts > 0 {
		c.Retry = fmt.Sprintf("%d failed attempt(s)", st.Attempts)
	}
	return c
}

// lastSyncTime is when the last sync finished, else when it started.
func lastSyncTime(ls store.LastSync) time.Time {
	if !ls.FinishedAt.IsZero() {
		return ls.FinishedAt
	}
	return ls.StartedAt
}
