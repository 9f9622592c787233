package ui

import (
	"net/http"
	"time"

	"github.com/gitwave/gitwave/store"
)

// appPage is what app.html shows for one app × cluster.
type appPage struct {
	Title              string
	Repo, App, Cluster string
	Project            string
	Cell               *cell
	UpdatedAt          string
	LastMessage        string
	Pin                *pinView
	History            []syncView
	HistoryLimit       int
	Changes            []objectView // the newest sync's objects
	ChangesOf          string       // which sync Changes are from
	Now                string
}

// pinView is a rollback pin as the page shows it.
type pinView struct {
	Revision, Short, Reason, By, RevertPR, Since string
}

// syncView is one history row.
type syncView struct {
	ID                      int64
	Phase, Class            string
	Revision, Short         string
	Trigger, Initiator      string
	Started, Finished, Took string
	Message                 string
	Objects                 int
}

// objectView is what a sync did to one object.
type objectView struct {
	Kind, Namespace, Name, Action, Health, Message string
	Wave                                           int
	Class                                          string
}

func (s *Server) serveApp(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	repo, app, cluster := q.Get("repo"), q.Get("app"), q.Get("cluster")
	if app == "" || cluster == "" {
		http.Error(w, "want ?repo=…&app=…&cluster=…", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	sts, err := s.opts.Store.AppStatuses(ctx, store.AppStatusFilter{Repo: repo, App: app, Cluster: cluster})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(sts) == 0 {
		http.Error(w, "no such app on that cluster: the reconcile loop has not seen it", http.StatusNotFound)
		return
	}
	hist, err := s.opts.Store.History(ctx, app, cluster, s.opts.HistoryLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pins, err := s.opts.Store.Pins(ctx, app)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "app.html", buildApp(sts[0], hist, pins, s.opts.HistoryLimit, s.opts.Now()))
}

// buildApp is the page of st with its history (newest first) and pin.
func buildApp(st store.AppStatus, hist []store.SyncRecord, pins []store.Pin, limit int, now time.Time) appPage {
	p := appPage{Title: "gitwave — " + st.App + " on " + st.Cluster, Repo: st.Repo, App: st.App, Cluster: st.Cluster,
		Project: st.Project, Cell: cellOf(st, now), UpdatedAt: stamp(st.UpdatedAt),
		LastMessage: redact(st.LastSync.Message), HistoryLimit: limit, Now: stamp(now)}
	for _, pin := range pins {
		if pin.Cluster == st.Cluster {
			p.Pin = &pinView{Revision: pin.Revision, Short: short(pin.Revision), Reason: redact(pin.Reason), By: pin.By,
				RevertPR: pin.RevertPR, Since: stamp(pin.CreatedAt)}
		}
	}
	for i, h := range hist {
		p.History = append(p.History, syncViewOf(h))
		if i == 0 {
			p.ChangesOf = syncViewOf(h).Short + " (" + h.Phase + ")"
			for _, o := range h.Objects {
				p.Changes = append(p.Changes, objectView{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Action: o.Action,
					Health: o.Health, Message: redactObject(o), Wave: o.Wave, Class: actionClass(o.Action)})
			}
		}
	}
	return p
}

func syncViewOf(h store.SyncRecord) syncView {
	v := syncView{ID: h.ID, Phase: h.Phase, Class: statusClass(h.Phase), Revision: h.Revision, Short: h.WithSources(short(h.Revision)),
		Trigger: h.Trigger, Initiator: h.Initiator, Started: stamp(h.StartedAt), Finished: stamp(h.FinishedAt),
		Message: redact(h.Message), Objects: len(h.Objects)}
	if !h.FinishedAt.IsZero() && !h.StartedAt.IsZero() {
		v.Took = h.FinishedAt.Sub(h.StartedAt).Round(100 * time.Millisecond).String()
	}
	return v
}

// actionClass colours what a sync did to an object.
func actionClass(action string) string {
	switch action {
	case "failed", "hookFailed":
		return "bad"
	case "created", "configured", "pruned":
		return "changed"
	default:
		return "ok"
	}
}
