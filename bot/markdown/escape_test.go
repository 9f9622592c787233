package markdown

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/net/html"

	"github.com/gitwave/gitwave/bot/markdown/markdowntest"
)

// hostile are repository strings that try to become markup.
var hostile = []string{
	"",
	" ",
	"`",
	"``",
	" `x` ",
	"a`b``c```d",
	"cm`![img](https://evil.example/i.png)`",
	"[link](https://evil.example) @acme/platform-team </details><img src=x onerror=alert(1)>",
	"<details><summary>x</summary>",
	"http://evil.example/x www.evil.example a@evil.example",
	"|x|y|\\|z\\",
	"line one\n\n</details>\n# heading\r\n- item\rend",
	"&amp; &lt;b&gt; &#64;acme",
	"\x00\xff\xfe",
	"~~~\n```\n````",
	strings.Repeat("@", 600),
}

// oneLine is what a reader shows of s inline: valid, cut, on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(Cut(valid(s), MaxInline))
}

func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCode(t, s)
		checkCodeCell(t, s)
		checkHTMLCode(t, s)
		checkFence(t, s)
	})
}

func TestEscapeHostileStrings(t *testing.T) {
	for _, s := range hostile {
		checkCode(t, s)
		checkCodeCell(t, s)
		checkHTMLCode(t, s)
		checkFence(t, s)
	}
}

// inert fails the test when doc has live markup of s's making.
func inert(t *testing.T, what, s, doc string) {
	t.Helper()
	if p := markdowntest.Problems(doc); len(p) > 0 {
		t.Fatalf("%s(%q) is not inert: %q\ndocument:\n%s", what, s, p, doc)
	}
}

// codeText is the text of the code spans under n.
func codeText(n ast.Node, src []byte) (text string, spans int) {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if c.Kind() == ast.KindCodeSpan && entering {
			spans++
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				b.Write(t.(*ast.Text).Value(src))
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String(), spans
}

func checkCode(t *testing.T, s string) {
	doc := "a " + Code(s) + " z\n"
	inert(t, "Code", s, doc)
	root := markdowntest.Parse(doc)
	p := root.FirstChild()
	if p == nil || p.Kind() != ast.KindParagraph || p.NextSibling() != nil {
		t.Fatalf("Code(%q) is not one paragraph:\n%s", s, doc)
	}
	got, spans := codeText(p, []byte(doc))
	want := oneLine(s)
	if want == "" && spans == 0 {
		return
	}
	if spans != 1 || got != want {
		t.Fatalf("Code(%q) reads as %d span(s) %q; want one %q\n%s", s, spans, got, want, doc)
	}
}

func checkCodeCell(t *testing.T, s string) {
	doc := "| h | i |\n|---|---|\n| " + CodeCell(s) + " | z |\n"
	inert(t, "CodeCell", s, doc)
	src := []byte(doc)
	table := markdowntest.Parse(doc).FirstChild()
	if table == nil || table.NextSibling() != nil || table.ChildCount() != 2 {
		t.Fatalf("CodeCell(%q) is not a table of one row:\n%s", s, doc)
	}
	row := table.LastChild()
	if row.ChildCount() != 2 {
		t.Fatalf("CodeCell(%q) makes %d cells:\n%s", s, row.ChildCount(), doc)
	}
	got, spans := codeText(row.FirstChild(), src)
	want := oneLine(s)
	if (want != "" || spans != 0) && (spans != 1 || got != want) {
		t.Fatalf("CodeCell(%q) reads as %d span(s) %q; want one %q\n%s", s, spans, got, want, doc)
	}
	if last := row.LastChild().FirstChild(); last == nil || string(last.(*ast.Text).Value(src)) != "z" {
		t.Fatalf("CodeCell(%q) spills into the next cell:\n%s", s, doc)
	}
}

func checkHTMLCode(t *testing.T, s string) {
	summary := "<details><summary>" + HTMLCode(s) + " on x</summary>"
	doc := summary + "\n\nafter\n\n</details>\n"
	inert(t, "HTMLCode", s, doc)
	src := []byte(doc)
	first := markdowntest.Parse(doc).FirstChild()
	if first == nil || first.Kind() != ast.KindHTMLBlock || string(first.Lines().Value(src)) != summary+"\n" {
		t.Fatalf("HTMLCode(%q) does not keep the summary one HTML block:\n%s", s, doc)
	}
	if next := first.NextSibling(); next == nil || next.Kind() != ast.KindParagraph {
		t.Fatalf("HTMLCode(%q) swallows the Markdown after the summary:\n%s", s, doc)
	}
	z := html.NewTokenizer(strings.NewReader(summary))
	var tokens []string
	for z.Next() != html.ErrorToken {
		tokens = append(tokens, z.Token().String())
	}
	want := []string{"<details>", "<summary>", "<code>", html.EscapeString(oneLine(s)), "</code>", " on x", "</summary>"}
	if oneLine(s) == "" {
		want = append(want[:3], want[4:]...)
	}
	if strings.Join(tokens, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("HTMLCode(%q) reads as tokens %q; want %q", s, tokens, want)
	}
}

func checkFence(t *testing.T, s string) {
	doc := Fence("diff", s) + "after\n"
	inert(t, "Fence", s, doc)
	src := []byte(doc)
	block, ok := markdowntest.Parse(doc).FirstChild().(*ast.FencedCodeBlock)
	if !ok {
		t.Fatalf("Fence(%q) is not a fenced code block:\n%s", s, doc)
	}
	want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(valid(s))
	if want != "" && !strings.HasSuffix(want, "\n") {
		want += "\n"
	}
	if got := string(block.Lines().Value(src)); got != want || string(block.Language(src)) != "diff" {
		t.Fatalf("Fence(%q) holds %q (%q); want %q (diff)", s, got, block.Language(src), want)
	}
	if next := block.NextSibling(); next == nil || next.Kind() != ast.KindParagraph {
		t.Fatalf("Fence(%q) does not close before the next paragraph:\n%s", s, doc)
	}
}

func TestCut(t *testing.T) {
	if got := Cut("héllo", 5); got != "héllo" {
		t.Errorf("Cut of a short string = %q", got)
	}
	if got := Cut("héllo", 2); got != "hé"+CutMark {
		t.Errorf("Cut(héllo, 2) = %q", got)
	}
	if got := cutBytes(strings.Repeat("é", 20), 5+len(CutMark)); got != "éé"+CutMark {
		t.Errorf("cutBytes keeps a character whole; got %q", got)
	}
}
