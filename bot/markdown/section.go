package markdown

import (
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/planner"
)

// section renders one app's collapsible diff, with its notes on top,
// shortened to fit budget characters.
func section(d *planner.AppDiff, notes []string, budget int, command string) string {
	a, c, r := d.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>%s</b> on <b>%s</b>: %s</summary>\n\n", html(d.App.App), html(d.App.Cluster), summaryLine(d, a, c, r))
	if d.Note != "" {
		b.WriteString("> " + escapeInline(d.Note) + "\n\n")
	}
	for _, n := range notes {
		b.WriteString("> " + n + "\n")
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	if d.Status == planner.AppError {
		b.WriteString("```\n" + fence(d.Error) + "\n```\n</details>\n\n")
		return b.String()
	}
	body := diffBody(d)
	tail := "</details>\n\n"
	if room := budget - b.Len() - len(tail); len(body) > room {
		body = shorten(body, room, command)
	}
	b.WriteString(body)
	b.WriteString(tail)
	return b.String()
}

func summaryLine(d *planner.AppDiff, a, c, r int) string {
	if d.Status == planner.AppError {
		return "does not render"
	}
	var parts []string
	if a > 0 {
		parts = append(parts, fmt.Sprintf("%d added", a))
	}
	if c > 0 {
		parts = append(parts, fmt.Sprintf("%d changed", c))
	}
	if r > 0 {
		parts = append(parts, fmt.Sprintf("%d removed", r))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// diffBody is one diff block per changed object, headed by its phase and
// wave.
func diffBody(d *planner.AppDiff) string {
	var b strings.Builder
	for _, ch := range d.Changes {
		if ch.Action == planner.ActionUnchanged {
			continue
		}
		hook := ""
		if ch.Hook {
			hook = " hook"
		}
		fmt.Fprintf(&b, "**%s** `%s` (%s%s, wave %d)\n```diff\n%s```\n", ch.Action, ch.Key, ch.Phase, hook, ch.Wave, fence(ch.Diff))
	}
	return b.String()
}

// shorten cuts a diff body to room characters at a line boundary, closes
// any open code block and says how much was left out.
func shorten(body string, room int, command string) string {
	note := func(lines int) string {
		s := fmt.Sprintf("\n> :scissors: %d more lines of this diff are left out to keep the comment within the host's size limit.", lines)
		if command != "" {
			s += " See them all with `" + command + "`."
		}
		return s + "\n"
	}
	reserve := len(note(999999)) + len("```\n")
	if room < reserve {
		return note(strings.Count(body, "\n"))
	}
	cut := strings.LastIndex(body[:room-reserve], "\n") + 1
	kept, rest := body[:cut], body[cut:]
	if strings.Count(kept, "```")%2 == 1 {
		kept += "```\n"
	}
	return kept + note(strings.Count(rest, "\n"))
}

// fence keeps a diff from closing its code block early.
func fence(s string) string { return strings.ReplaceAll(s, "```", "` ` `") }

func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// continued is the heading of the n-th comment of a split report.
func continued(opts DiffOptions, n int) string {
	m := ""
	if opts.Marker != "" {
		m = strings.TrimSuffix(opts.Marker, " -->") + fmt.Sprintf(" part=%d -->", n) + "\n"
	}
	return m + fmt.Sprintf("### gitwave diff (continued, part %d)\n\n", n)
}

// pack fills comments with sections in order, starting a new comment when
// the next section would pass the limit.
func pack(head string, sections []string, limit int, opts DiffOptions) []string {
	var out []string
	cur := head + "\n"
	for _, s := range sections {
		if len(cur)+len(s) > limit {
			out = append(out, cur)
			cur = continued(opts, len(out)+1)
		}
		cur += s
	}
	return append(out, cur)
}
