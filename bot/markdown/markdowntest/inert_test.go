package markdowntest

import (
	"strings"
	"testing"
)

// TestProblems checks the checker: live markup is found, code is not.
func TestProblems(t *testing.T) {
	live := map[string]string{
		"image":          "a `x`![i](https://evil.example/i.png)` z\n",
		"link":           "see [here](https://evil.example)\n",
		"bare URL":       "see https://evil.example/x\n",
		"autolink":       "see <https://evil.example/x>\n",
		"mention":        "ping @acme/platform-team\n",
		"inline HTML":    "a <img src=x> b\n",
		"HTML block tag": "<details><summary><b>x</b><img src=x></summary>\n\nbody\n",
		"HTML attribute": "<details><summary><b onclick=x>x</b></summary>\n\nbody\n",
		"HTML mention":   "<details><summary><b>@acme</b></summary>\n\nbody\n",
		"table link":     "| a |\n|---|\n| [x](https://e) |\n",
	}
	for name, doc := range live {
		if len(Problems(doc)) == 0 {
			t.Errorf("%s: no problem found in %q", name, doc)
		}
	}
	inert := []string{
		"a `[x](https://e) @acme <img>` z\n",
		"<!-- gitwave:diff -->\n<details><summary><code>@acme &lt;img&gt;</code> on <b>c</b></summary>\n\nbody\n\n</details>\n",
		"```\n[x](https://e) @acme\n```\n",
	}
	for _, doc := range inert {
		if p := Problems(doc); len(p) > 0 {
			t.Errorf("problems %q in inert %q", p, strings.TrimSpace(doc))
		}
	}
}
