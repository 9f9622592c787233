package markdown

import (
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/planner"
)

// section renders one app's collapsible diff, with its notes on top, within
// budget bytes: a diff too long is shortened, an error cut, and an app whose
// names and notes alone do not fit is only named.
func section(d *planner.AppDiff, notes []string, budget int, command string) string {
	a, c, r := d.Counts()
	head := fmt.Sprintf("<details><summary>%s on %s: %s</summary>\n\n", HTMLCode(d.App.App), HTMLCode(d.App.Cluster), summaryLine(d, a, c, r))
	if d.Note != "" {
		head += "> " + Code(d.Note) + "\n\n"
	}
	for _, n := range notes {
		head += "> " + n + "\n"
	}
	if len(notes) > 0 {
		head += "\n"
	}
	const tail = "</details>\n\n"
	room := budget - len(head) - len(tail)
	var body string
	if d.Status == planner.AppError {
		body = errorBody(d.Error, room)
	} else {
		body = diffBody(d, room, command)
	}
	if s := head + body + tail; len(s) <= budget {
		return s
	}
	return fmt.Sprintf("%s on %s: :scissors: left out, too large for one comment.\n\n", Code(Cut(d.App.App, 60)), Code(Cut(d.App.Cluster, 60)))
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

// errorBody is an app's error in a code block of at most room bytes, cut
// to MaxError characters.
func errorBody(msg string, room int) string {
	msg = Cut(msg, MaxError)
	return Fence("", cutBytes(msg, room-fenceOverhead("", msg)))
}

// changeHeading names one changed object, its phase and its wave.
func changeHeading(ch *planner.Change) string {
	hook := ""
	if ch.Hook {
		hook = " hook"
	}
	return fmt.Sprintf("**%s** %s (%s%s, wave %d)\n", ch.Action, Code(ch.Key.String()), ch.Phase, hook, ch.Wave)
}

// diffBody is one diff block per changed object, headed by its phase and
// wave, within room bytes: when the whole does not fit, the diffs are cut
// at a line and a note says how many lines were left out and how to see
// them.
func diffBody(d *planner.AppDiff, room int, command string) string {
	var changes []*planner.Change
	var whole strings.Builder
	for i := range d.Changes {
		if ch := &d.Changes[i]; ch.Action != planner.ActionUnchanged {
			changes = append(changes, ch)
			whole.WriteString(changeHeading(ch) + Fence("diff", ch.Diff))
		}
	}
	if whole.Len() <= room {
		return whole.String()
	}
	room -= len(shortenedNote(1<<40, command))
	var b strings.Builder
	left := 0
	for _, ch := range changes {
		if left > 0 {
			left += lineCount(ch.Diff)
			continue
		}
		heading := changeHeading(ch)
		avail := room - b.Len() - len(heading) - fenceOverhead("diff", ch.Diff)
		kept := cutLines(ch.Diff, avail)
		if kept != "" {
			b.WriteString(heading + Fence("diff", kept))
		}
		left += lineCount(ch.Diff[len(kept):])
	}
	return b.String() + shortenedNote(left, command)
}

// cutLines is the longest run of s's first whole lines within n bytes.
func cutLines(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return s[:strings.LastIndex(s[:n], "\n")+1]
}

func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// shortenedNote says how many lines of a diff were left out and how to
// see them.
func shortenedNote(lines int, command string) string {
	s := fmt.Sprintf("\n> :scissors: %d more lines of this diff are left out to keep the comment within the host's size limit.", lines)
	if command != "" {
		s += " See them all with " + Code(command) + "."
	}
	return s + "\n"
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
// the next section would pass the limit. Every section fits in a comment
// after the continued heading, so every comment is within the limit.
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
