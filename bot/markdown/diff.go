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

// DiffOptions tunes how a diff report is rendered. The zero value renders
// for GitHub with no policy column.
type DiffOptions struct {
	// Marker is a hidden HTML comment that identifies gitwave's comment on
	// a pull request, so it can be found and edited in place.
	Marker string
	// Limit is the most characters one comment may hold; 0 means
	// GitHubLimit.
	Limit int
	// Verdicts adds a Policy column: the policy's verdict per app.
	Verdicts map[planner.AppKey]string
	// Notes are lines printed under the title (a cluster that could not be
	// reached, a rollback pin on an app).
	Notes []string
	// AppNotes are lines printed at the top of an app's section, as given
	// (the caller makes them safe Markdown); an app with notes is shown
	// even when it renders unchanged.
	AppNotes map[planner.AppKey][]string
	// Command is how a reader sees the full diff locally, named when a
	// diff had to be shortened.
	Command string
}

// Diff renders a diff report as one or more comments, each within the
// limit. The first holds the title and the summary table.
func Diff(rep *planner.Report, opts DiffOptions) []string {
	limit := opts.Limit
	if limit <= 0 {
		limit = GitHubLimit
	}
	head := header(rep, opts)
	sections := make([]string, 0, len(rep.Apps))
	for i := range rep.Apps {
		notes := opts.AppNotes[rep.Apps[i].App]
		if rep.Apps[i].Status == planner.AppUnchanged && len(notes) == 0 {
			continue
		}
		sections = append(sections, section(&rep.Apps[i], notes, limit-len(head)-len(continued(opts, 2))-64, opts.Command))
	}
	return pack(head, sections, limit, opts)
}

func shortSHA(s string) string {
	if len(s) > 12 && !strings.Contains(s, " ") {
		return s[:12]
	}
	return s
}

func header(rep *planner.Report, opts DiffOptions) string {
	var b strings.Builder
	if opts.Marker != "" {
		b.WriteString(opts.Marker + "\n")
	}
	fmt.Fprintf(&b, "### gitwave diff for `%s` (base `%s`)\n\n", shortSHA(rep.Head), shortSHA(rep.Base))
	for _, n := range opts.Notes {
		b.WriteString("> " + n + "\n")
	}
	if len(opts.Notes) > 0 {
		b.WriteString("\n")
	}
	for _, e := range rep.Errors {
		b.WriteString("> :x: " + escapeInline(e) + "\n")
	}
	if len(rep.Apps) == 0 {
		b.WriteString("No app is affected by this change.\n")
		return b.String()
	}
	b.WriteString(summaryTable(rep, opts))
	return b.String()
}

func summaryTable(rep *planner.Report, opts DiffOptions) string {
	var b strings.Builder
	b.WriteString("| App | Cluster | Status | Added | Changed | Removed | Waves |")
	if opts.Verdicts != nil {
		b.WriteString(" Policy |")
	}
	b.WriteString("\n|---|---|---|--:|--:|--:|---|")
	if opts.Verdicts != nil {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	var same []string
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.Status == planner.AppUnchanged && len(opts.AppNotes[d.App]) == 0 {
			same = append(same, code(d.App.String()))
			continue
		}
		a, c, r := d.Counts()
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %s |", code(d.App.App), code(d.App.Cluster), statusText(d), a, c, r, waves(d.Waves()))
		if opts.Verdicts != nil {
			fmt.Fprintf(&b, " %s |", escapeInline(dashIfEmpty(opts.Verdicts[d.App])))
		}
		b.WriteString("\n")
	}
	if len(same) > 0 {
		fmt.Fprintf(&b, "\nRendered and unchanged (%d): %s\n", len(same), strings.Join(same, ", "))
	}
	return b.String()
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

func code(s string) string {
	return "`" + strings.NewReplacer("`", "'", "|", "\\|").Replace(s) + "`"
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// escapeInline keeps text from breaking a table row or starting markup.
func escapeInline(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
