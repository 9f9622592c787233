package ui

import (
	"strings"
	"testing"
)

// TestArgoCDApplicationLinksLand: a notification template written for Argo
// CD links to /applications/NAME; an app on one cluster lands on its page,
// an app on several on the grid of that app alone, an unknown app is 404.
func TestArgoCDApplicationLinksLand(t *testing.T) {
	s := newTestServer(t, twoApps(), Auth{})
	code, _, h := get(t, s, "GET", "/applications/billing", nil)
	if want := "/app?app=billing&cluster=prod&repo=acme%2Fgitops"; code != 303 || h.Get("Location") != want {
		t.Errorf("GET /applications/billing = %d to %q; want 303 to %q", code, h.Get("Location"), want)
	}
	code, body, _ := get(t, s, "GET", "/applications/guestbook", nil)
	if code != 200 || !strings.Contains(body, "<th>prod</th><th>staging</th>") || strings.Contains(body, "app=billing") {
		t.Errorf("GET /applications/guestbook = %d; want the grid of guestbook alone:\n%s", code, body)
	}
	if code, _, _ := get(t, s, "GET", "/applications/nope", nil); code != 404 {
		t.Errorf("GET /applications/nope = %d; want 404", code)
	}
}
