package bot_test

import (
	"strings"
	"testing"

	"k8s.io/client-go/dynamic"
)

// TestSourcePRAndMergeOnClusters is a pull request in org/k8s-apps on two
// real production clusters: its comment diffs payment-service, which
// org/k8s-gitops's microservices ApplicationSet reads from k8s-apps,
// against the live clusters; its merge deploys v2.4.0 there.
func TestSourcePRAndMergeOnClusters(t *testing.T) {
	e := needEnv(t)
	f := newGuideFixture(t, "bob", e)

	f.openPR(1, f.guide.PR.HeadSHA)
	comment := f.comment(guideApps, 1)
	for _, bad := range []string{"is not configured in gitwave", "cannot be reached"} {
		if strings.Contains(comment, bad) {
			t.Errorf("comment says %q although every cluster answers:\n%s", bad, comment)
		}
	}
	for _, c := range []string{"production-use1", "production-apne2"} {
		if row := "| `payment-service-" + c + "` | `" + c + "` |"; !strings.Contains(comment, row) {
			t.Errorf("comment has no row %q:\n%s", row, comment)
		}
	}

	f.mergePR()
	got := f.comment(guideApps, 1)
	for _, w := range []string{"<!-- gitwave:deploy -->", "through `org/k8s-gitops`", "merge of #1 by bob",
		"| `payment-service-production-use1` | :white_check_mark: Succeeded |", "| `payment-service-production-apne2` | :white_check_mark: Succeeded |"} {
		if !strings.Contains(got, w) {
			t.Errorf("deploy comment lacks %q:\n%s", w, got)
		}
	}
	for _, c := range []string{"production-use1", "production-apne2"} {
		dyn := dynamic.NewForConfigOrDie(e.RESTConfig(c))
		if img := image(t, dyn, "payment-service", "payment-service"); img != "registry.internal/payment-service:v2.4.0" {
			t.Errorf("payment-service on %s runs %s; want v2.4.0", c, img)
		}
	}
}
