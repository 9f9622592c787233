package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium ($GITWAVE_CHROMIUM first, as
// hack/chromium/install.sh prints it). Outside CI a machine without it
// skips the test; in CI (CI=true) that is a failure, so that a missing
// install step cannot pass unseen.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GITWAVE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: run hack/chromium/install.sh (hack/test.sh does)")
	}
	t.Skip("chromium is not installed: run hack/chromium/install.sh")
	return ""
}

// newBrowser starts a headless Chromium for the test and returns a tab's
// context; both end with the test.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI; the page is the test's own
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	return ctx
}
