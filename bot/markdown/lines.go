package markdown

import (
	"fmt"
	"strings"
)

// leftOutReserve is the room kept for one line that says what was left
// out.
const leftOutReserve = 160

// lineWriter writes Markdown lines while they fit in room bytes. Lines
// forced in (a heading, a line saying what was left out) are written even
// when they do not fit: the room leaves a reserve for them.
type lineWriter struct {
	b    strings.Builder
	room int
}

// add writes s and a newline if they fit, and says whether they did.
func (w *lineWriter) add(s string) bool {
	if len(s)+1 > w.room {
		return false
	}
	w.force(s)
	return true
}

// force writes s and a newline.
func (w *lineWriter) force(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
	w.room -= len(s) + 1
}

// addAll writes the lines that fit, then, if any did not, the line
// leftOut gives for how many were left out. Once a line does not fit, the
// later ones are left out too, so that the order is kept.
func (w *lineWriter) addAll(lines []string, leftOut func(n int) string) {
	for i, l := range lines {
		if !w.add(l) {
			w.force(leftOut(len(lines) - i))
			return
		}
	}
}

func (w *lineWriter) String() string { return w.b.String() }

// leftOut makes the line that says how many lines were left out from a
// format with one %d.
func leftOut(format string) func(n int) string {
	return func(n int) string {
		return fmt.Sprintf(format, n) + " to keep this comment within the host's size limit."
	}
}
