// Package markdowntest reads a comment the way a GitHub-flavoured Markdown
// reader does and reports what a repository string must never become in
// it: a link, an image, an HTML tag of its own, or a mention.
package markdowntest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// gfm parses like GitHub: tables, strikethrough, task lists and bare URLs
// made links.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// Parse parses doc as GitHub-flavoured Markdown.
func Parse(doc string) ast.Node {
	return gfm.Parser().Parse(text.NewReader([]byte(doc)))
}

// mention is what GitHub turns into a mention in text outside code.
var mention = regexp.MustCompile(`@[A-Za-z0-9]`)

// htmlTags are the tags gitwave writes itself, in raw HTML blocks, with no
// attributes.
var htmlTags = map[string]bool{"details": true, "summary": true, "code": true, "b": true}

// Problems lists what in doc is live markup that gitwave does not write
// itself: any link, image, autolink or inline raw HTML; in an HTML block,
// any tag but details, summary, code and b, any attribute; and any
// "@name" in text outside code.
func Problems(doc string) []string {
	src := []byte(doc)
	var out []string
	var prose strings.Builder
	_ = ast.Walk(Parse(doc), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				out = append(out, mentions(prose.String())...)
				prose.Reset()
			}
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindLink, ast.KindImage, ast.KindAutoLink:
			out = append(out, fmt.Sprintf("%s %q", n.Kind(), nodeText(n, src)))
		case ast.KindRawHTML:
			out = append(out, fmt.Sprintf("inline raw HTML %q", n.(*ast.RawHTML).Segments.Value(src)))
		case ast.KindHTMLBlock:
			out = append(out, htmlProblems(string(n.Lines().Value(src)))...)
		case ast.KindCodeSpan:
			return ast.WalkSkipChildren, nil
		case ast.KindText:
			prose.Write(n.(*ast.Text).Value(src))
		case ast.KindString:
			prose.Write(n.(*ast.String).Value)
		}
		return ast.WalkContinue, nil
	})
	return out
}

func mentions(s string) []string {
	var out []string
	for _, m := range mention.FindAllStringIndex(s, -1) {
		out = append(out, fmt.Sprintf("mention %q in %q", s[m[0]:min(m[1]+20, len(s))], s))
	}
	return out
}

// htmlProblems tokenizes an HTML block: only gitwave's own tags, without
// attributes, and no mention in text outside <code>.
func htmlProblems(block string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(block))
	inCode := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !htmlTags[tok.Data] || len(tok.Attr) > 0 {
				out = append(out, fmt.Sprintf("HTML tag %q", tok.String()))
			}
			if tok.Data == "code" {
				inCode += map[html.TokenType]int{html.StartTagToken: 1, html.EndTagToken: -1}[tok.Type]
			}
		case html.TextToken:
			if inCode == 0 {
				out = append(out, mentions(string(z.Text()))...)
			}
		}
	}
}

// nodeText is the source text under n, for messages.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
