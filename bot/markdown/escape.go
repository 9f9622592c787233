package markdown

import (
	"html"
	"strings"
	"unicode/utf8"
)

// MaxInline is the most characters of one repository or cluster string
// (an app, object or file name, a message) shown inline; a longer one is
// cut and ends with CutMark.
const MaxInline = 500

// MaxError is the most characters of an error message shown in a code
// block.
const MaxError = 4000

// CutMark ends a string that was cut to fit.
const CutMark = "… (cut)"

// Cut keeps the first n characters of s and adds CutMark when s is
// longer.
func Cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + CutMark
		}
		i++
	}
	return s
}

// cutBytes keeps at most n bytes of s, at a character boundary, CutMark
// included when s is longer.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n-len(CutMark), 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + CutMark
}

// Code renders s as an inline code span, the one way a repository or
// cluster string appears in running text: inside a code span nothing is a
// link, an image, a mention, an emoji or an HTML tag. s is cut to MaxInline
// characters and its line breaks become spaces, so it cannot start a new
// block. Code spans must not be used in a table cell; see CodeCell.
// Code of an empty string is empty.
func Code(s string) string {
	return codeSpan(inline(s))
}

// CodeCell is Code for a table cell: a pipe inside is escaped, which GFM
// tables read as part of the cell, the code span included.
func CodeCell(s string) string {
	return codeSpan(strings.ReplaceAll(inline(s), "|", `\|`))
}

// HTMLCode renders s as <code> for a raw HTML block such as a <summary>:
// HTML-escaped, on one line, cut to MaxInline characters.
func HTMLCode(s string) string {
	return "<code>" + html.EscapeString(inline(s)) + "</code>"
}

// Fence renders s as a fenced code block with info string info (such as
// "diff"). The fence is longer than any run of backticks in s, so no line
// of s can close the block early.
func Fence(info, s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(valid(s))
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	f := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return f + info + "\n" + s + f + "\n"
}

// fenceOverhead is how many bytes Fence adds around s at most.
func fenceOverhead(info, s string) int {
	return 2*(max(3, longestRun(s, '`')+1)+1) + len(info) + 1
}

// inline prepares s for one line of a comment: valid UTF-8 without NUL,
// cut to MaxInline, line breaks as spaces.
func inline(s string) string {
	s = Cut(valid(s), MaxInline)
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// valid replaces what a Markdown reader would replace anyway: invalid
// UTF-8 and NUL become U+FFFD.
func valid(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// codeSpan wraps s, already on one line, in a code span. The fence is one
// backtick longer than the longest run in s; s is padded with a space on
// each side (which the reader strips) when it starts or ends with a
// backtick, or starts and ends with a space.
func codeSpan(s string) string {
	if s == "" {
		return ""
	}
	f := strings.Repeat("`", longestRun(s, '`')+1)
	first, last := s[0], s[len(s)-1]
	if first == '`' || last == '`' || (first == ' ' && last == ' ' && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return f + s + f
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
