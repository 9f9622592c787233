package markdown

import (
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/planner"
)

// Comment size limits of the Git hosts, in characters.
const (
	GitHubLimit = 65536
	GitLabLimit = 1000000
)

// MinLimit is the smallest comment size Diff renders for; a smaller Limit
// is raised to it.
const MinLimit = 4096

// maxUnchanged is how many unchanged apps the summary names.
const maxUnchanged = 50

// DiffOptions tunes how a diff report is rendered. The zero value renders
// for GitHub with no policy column.
type DiffOptions struct {
	// Marker is a hidden HTML comment that identifies gitwave's comment on
	// a pull request, so it can be found and edited in place.
	Marker string
	// Limit is the most characters one comment may hold; 0 means
	// GitHubLimit.
	Limit int
	// Verdicts adds a Policy column: the policy's verdict per app, as
	// Markdown for a table cell (repository strings in it escaped with
	// CodeCell).
	Verdicts map[planner.AppKey]string
	// Notes are lines printed under the title (a policy denial, a rollback
	// pin on an app), as Markdown for one line (repository strings in them
	// escaped with Code).
	Notes []string
	// AppNotes are lines printed at the top of an app's section, as given
	// (the caller makes them safe Markdown); an app with notes is shown
	// even when it renders unchanged.
	AppNotes map[planner.AppKey][]string
	// Command is how a reader sees the full diff locally, named when a
	// diff had to be shortened.
	Command string
	// StatusLinks, when set, adds a Status column linking each app ×
	// cluster to its page on gitwave's status page. It returns an
	// absolute URL built by the operator's configuration, whose
	// repository parts are query-escaped; "" leaves the cell empty.
	StatusLinks func(planner.AppKey) string
}

// Diff renders a diff report as one or more comments, each within the
// limit. The first holds the title, the notes and the summary table, each
// cut to fit when it must; every app's section fits in a comment of its
// own. Every repository and cluster string is escaped: none becomes a
// link, an image, a mention or an HTML tag.
func Diff(rep *planner.Report, opts DiffOptions) []string {
	limit := opts.Limit
	if limit <= 0 {
		limit = GitHubLimit
	}
	limit = max(limit, MinLimit)
	budget := limit - len(continued(opts, len(rep.Apps)+2))
	head := header(rep, opts, limit-1)
	sections := make([]string, 0, len(rep.Apps))
	for i := range rep.Apps {
		notes := opts.AppNotes[rep.Apps[i].App]
		if rep.Apps[i].Status == planner.AppUnchanged && len(notes) == 0 {
			continue
		}
		sections = append(sections, section(&rep.Apps[i], notes, budget, opts.Command))
	}
	return pack(head, sections, limit, opts)
}

// shortSHA is a commit's first 12 characters.
func shortSHA(s string) string {
	if len(s) > 12 && !strings.Contains(s, " ") {
		return s[:12]
	}
	return s
}

// header is the first comment's top, at most budget bytes: lines that do
// not fit are left out, and a line says how many.
func header(rep *planner.Report, opts DiffOptions, budget int) string {
	w := lineWriter{room: budget - 4*leftOutReserve}
	if opts.Marker != "" {
		w.force(opts.Marker)
	}
	w.force(fmt.Sprintf("### gitwave diff for %s (base %s)\n", Code(shortSHA(rep.Head)), Code(shortSHA(rep.Base))))
	if line := sourcesLine(rep); line != "" && w.add(line) {
		w.force("")
	}
	quoted := func(prefix string, ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = prefix + l
		}
		return out
	}
	if len(opts.Notes) > 0 {
		w.addAll(quoted("> ", opts.Notes), leftOut("> :scissors: %d more notes are left out"))
		w.force("")
	}
	if len(rep.Errors) > 0 {
		errs := make([]string, len(rep.Errors))
		for i, e := range rep.Errors {
			errs[i] = "> :x: " + Code(e)
		}
		w.addAll(errs, leftOut("> :scissors: %d more errors are left out"))
		w.force("")
	}
	if len(rep.Apps) == 0 {
		w.force("No app is affected by this change.")
		return w.String()
	}
	summaryTable(&w, rep, opts)
	return w.String()
}

// sourcesLine names the other repositories and charts the apps read, each
// at the revision it resolved to, or "" when they read only the served
// repository.
func sourcesLine(rep *planner.Report) string {
	if len(rep.Sources) == 0 {
		return ""
	}
	parts := make([]string, len(rep.Sources))
	for i, s := range rep.Sources {
		parts[i] = Code(s.String())
	}
	return "Sources: " + strings.Join(parts, ", ")
}

// summaryTable writes one row per app that changes or does not render,
// then names the unchanged apps.
func summaryTable(w *lineWriter, rep *planner.Report, opts DiffOptions) {
	head := "| App | Cluster | Status | Added | Changed | Removed | Waves |"
	rule := "|---|---|---|--:|--:|--:|---|"
	if opts.Verdicts != nil {
		head, rule = head+" Policy |", rule+"---|"
	}
	if opts.StatusLinks != nil {
		head, rule = head+" Status page |", rule+"---|"
	}
	var rows, same []string
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.Status == planner.AppUnchanged && len(opts.AppNotes[d.App]) == 0 {
			same = append(same, Code(d.App.String()))
			continue
		}
		a, c, r := d.Counts()
		row := fmt.Sprintf("| %s | %s | %s | %d | %d | %d | %s |", CodeCell(d.App.App), CodeCell(d.App.Cluster), statusText(d), a, c, r, waves(d.Waves()))
		if opts.Verdicts != nil {
			row += fmt.Sprintf(" %s |", dashIfEmpty(opts.Verdicts[d.App]))
		}
		if opts.StatusLinks != nil {
			row += fmt.Sprintf(" %s |", statusLink(opts.StatusLinks(d.App)))
		}
		rows = append(rows, row)
	}
	left := leftOut("\n:scissors: %d apps are left out of this table")
	if len(rows) > 0 && len(head)+len(rule)+2 > w.room {
		w.force(left(len(rows)))
	} else if len(rows) > 0 {
		w.force(head)
		w.force(rule)
		w.addAll(rows, left)
	}
	if len(same) == 0 {
		return
	}
	line := fmt.Sprintf("\nRendered and unchanged (%d): %s", len(same), strings.Join(same[:min(len(same), maxUnchanged)], ", "))
	if len(same) > maxUnchanged {
		line += fmt.Sprintf(" and %d more", len(same)-maxUnchanged)
	}
	if !w.add(line) {
		w.force(fmt.Sprintf("\nRendered and unchanged: %d apps.", len(same)))
	}
}

// statusLink is a Markdown link to u, or "-" when u is empty or holds a
// character that would end the link early.
func statusLink(u string) string {
	if u == "" || strings.ContainsAny(u, " \t\n()<>[]|`\\") {
		return "-"
	}
	return "[view](" + u + ")"
}

func statusText(d *planner.AppDiff) string {
	switch d.Status {
	case planner.AppAdded:
		return ":sparkles: added"
	case planner.AppRemoved:
		return ":wastebasket: removed"
	case planner.AppChanged:
		return ":pencil2: changed"
	case planner.AppError:
		return ":x: error"
	}
	return "unchanged"
}

func waves(ws []int) string {
	if len(ws) == 0 {
		return "-"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprint(w)
	}
	return strings.Join(parts, ", ")
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
