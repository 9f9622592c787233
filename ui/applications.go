package ui

import (
	"net/http"

	"github.com/gitwave/gitwave/store"
)

// serveApplication answers Argo CD's application URL,
// /applications/NAME, which notification templates built for Argo CD link
// to ({{.context.argocdUrl}}/applications/{{.app.metadata.name}}): the
// app × cluster page when the app runs on one cluster, else the fleet grid
// narrowed to that app.
func (s *Server) serveApplication(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	sts, err := s.opts.Store.AppStatuses(r.Context(), store.AppStatusFilter{App: name})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch len(sts) {
	case 0:
		http.Error(w, "no such app: the reconcile loop has not seen it", http.StatusNotFound)
	case 1:
		http.Redirect(w, r, AppPath(sts[0].Repo, sts[0].App, sts[0].Cluster), http.StatusSeeOther)
	default:
		pins, err := s.opts.Store.Pins(r.Context(), name)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, "fleet.html", buildFleet(sts, pins, s.opts.Now()))
	}
}
