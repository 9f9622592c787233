package bot

import (
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/ui"
)

// statusLinks links each app × cluster of repo to its page on the status
// page, or is nil when the page has no external URL.
func (b *Bot) statusLinks(repo string) func(planner.AppKey) string {
	base := b.opts.StatusPageURL
	if base == "" {
		return nil
	}
	return func(k planner.AppKey) string { return ui.AppURL(base, repo, k.App, k.Cluster) }
}

// withDiffTarget points the gitwave/diff status at the page of the one app
// × cluster the change touches, else at the fleet grid; unchanged without
// an external URL.
func (b *Bot) withDiffTarget(s Status, repo string, rep *planner.Report) Status {
	if b.opts.StatusPageURL == "" {
		return s
	}
	var touched []planner.AppKey
	for _, a := range rep.Apps {
		if a.Status != planner.AppUnchanged {
			touched = append(touched, a.App)
		}
	}
	s.TargetURL = ui.FleetURL(b.opts.StatusPageURL)
	if len(touched) == 1 {
		s.TargetURL = ui.AppURL(b.opts.StatusPageURL, repo, touched[0].App, touched[0].Cluster)
	}
	return s
}
