package markdown

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gitwave/gitwave/bot/markdown/markdowntest"
	"github.com/gitwave/gitwave/planner"
)

// evil is a name that tries every way out of a code span and an HTML
// block: a backtick, an image, a link, a team mention, a closing
// </details> and a tag.
const evil = "x`![i](https://evil.example/i.png) [l](https://evil.example) @acme/platform-team </details><img src=x>`"

// hostileReport is a report whose every repository and cluster string is
// evil.
func hostileReport(t *testing.T) *planner.Report {
	t.Helper()
	changes, err := planner.DiffObjects(nil, []*planner.Object{cm(evil, map[string]any{"k": "```\n</details>\n@acme/platform-team"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	return &planner.Report{
		Base: "1111111111111111111111111111111111111111", Head: "2222222222222222222222222222222222222222",
		Errors: []string{"apps/" + evil + ".yaml:1: " + evil},
		Apps: []planner.AppDiff{
			{App: planner.AppKey{App: "app-" + evil, Cluster: "c|" + evil}, Status: planner.AppAdded, Changes: changes, Note: "cluster " + evil + " is unreachable"},
			{App: planner.AppKey{App: "broken-" + evil, Cluster: "prod"}, Status: planner.AppError, Error: "render " + evil + ":\n\n</details>\n\n" + evil},
			{App: planner.AppKey{App: "same-" + evil, Cluster: "prod"}, Status: planner.AppUnchanged},
		},
	}
}

// TestDiffCommentIsInert: every name and message of the repository and
// the clusters stays text: no link, image, mention or HTML tag of its
// own, and the section of the error app is not closed early.
func TestDiffCommentIsInert(t *testing.T) {
	rep := hostileReport(t)
	parts := Diff(rep, DiffOptions{Marker: "<!-- gitwave:diff -->",
		Notes:    []string{":no_entry: " + Code("apps/"+evil) + " needs a " + Code("paths, modify") + " grant"},
		Verdicts: map[planner.AppKey]string{rep.Apps[0].App: ":no_entry: " + CodeCell("apps/"+evil) + " needs " + CodeCell("paths, modify")}})
	if len(parts) != 1 {
		t.Fatalf("want one comment, got %d", len(parts))
	}
	if p := markdowntest.Problems(parts[0]); len(p) > 0 {
		t.Errorf("the comment has live markup: %q", p)
	}
	if got := strings.Count(parts[0], "</details>"); got < 2 {
		t.Errorf("</details> appears %d times", got)
	}
	golden(t, "comment_hostile.md", parts[0])
}

// TestDiffFitsAHugeError: a 100,000-character render error (a Helm
// template's fail) is cut, and every comment is within GitHub's limit,
// the first one holding the summary and the notes.
func TestDiffFitsAHugeError(t *testing.T) {
	huge := strings.Repeat("the chart refuses these values ", 100000/31+1)
	rep := &planner.Report{Base: "b", Head: "h", Errors: []string{huge}}
	for _, c := range []string{"staging", "production-use1", "production-apne2"} {
		rep.Apps = append(rep.Apps, planner.AppDiff{App: planner.AppKey{App: "payment-service-" + c, Cluster: c}, Status: planner.AppError,
			Error: "execution error at (payment-service/templates/configmap.yaml:1:3): " + huge})
	}
	parts := Diff(rep, DiffOptions{Marker: "<!-- gitwave:diff -->", Notes: []string{":no_entry: **Policy:** bob may not modify 1 of 1 changed file."},
		Verdicts: map[planner.AppKey]string{}})
	checkParts(t, parts, GitHubLimit)
	if !strings.Contains(parts[0], "**Policy:**") || !strings.Contains(parts[0], "| App |") {
		t.Errorf("the first comment lost the policy note or the summary:\n%.2000s", parts[0])
	}
	all := strings.Join(parts, "")
	if n := strings.Count(all, CutMark); n != 4 {
		t.Errorf("%d cut marks; want one per error (4)", n)
	}
	for _, a := range rep.Apps {
		if !strings.Contains(all, HTMLCode(a.App.App)) {
			t.Errorf("%s has no section", a.App)
		}
	}
}

// TestDiffHeaderFits: thousands of apps and notes still give a first
// comment within the limit that says what it left out.
func TestDiffHeaderFits(t *testing.T) {
	rep := &planner.Report{Base: "b", Head: "h"}
	verdicts := map[planner.AppKey]string{}
	var notes []string
	for i := 0; i < 3000; i++ {
		k := planner.AppKey{App: fmt.Sprintf("app-%04d-%s", i, strings.Repeat("n", 600)), Cluster: "c"}
		rep.Apps = append(rep.Apps, planner.AppDiff{App: k, Status: planner.AppRemoved})
		verdicts[k] = ":white_check_mark: allowed"
		notes = append(notes, fmt.Sprintf("note %d about %s", i, Code(k.App)))
	}
	for i := 0; i < 100; i++ {
		rep.Apps = append(rep.Apps, planner.AppDiff{App: planner.AppKey{App: fmt.Sprintf("same-%d", i), Cluster: "c"}, Status: planner.AppUnchanged})
	}
	parts := Diff(rep, DiffOptions{Notes: notes, Verdicts: verdicts})
	checkParts(t, parts, GitHubLimit)
	for _, want := range []string{"more notes are left out", "apps are left out of this table", "Rendered and unchanged"} {
		if !strings.Contains(parts[0], want) {
			t.Errorf("the first comment does not say %q", want)
		}
	}
}

// checkParts fails when a comment is over limit characters or has live
// markup.
func checkParts(t *testing.T, parts []string, limit int) {
	t.Helper()
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > limit {
			t.Errorf("comment %d has %d characters, over %d", i+1, n, limit)
		}
		if pr := markdowntest.Problems(p); len(pr) > 0 {
			t.Errorf("comment %d has live markup: %q", i+1, pr[:min(len(pr), 3)])
		}
	}
}
