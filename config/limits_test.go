package config

import (
	"strings"
	"testing"
	"time"
)

// TestLimitsDefaults checks that a gitwave.yaml without limits gets the
// defaults.
func TestLimitsDefaults(t *testing.T) {
	c, err := Load(write(t, "listen: \":9090\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{RenderTimeout: Duration(60 * time.Second), MaxAppsPerApplicationSet: 1000, MaxAppsPerRevision: 10000,
		MaxObjectsPerApp: 10000, MaxRenderedBytesPerApp: 50 << 20}
	if c.Limits != want {
		t.Errorf("limits %+v, want the defaults %+v", c.Limits, want)
	}
}

// TestLimitsParse checks every field and both spellings of a size; fields
// left out keep their defaults.
func TestLimitsParse(t *testing.T) {
	c, err := Load(write(t, `
limits:
  renderTimeout: 2m30s
  maxAppsPerApplicationSet: 50
  maxAppsPerRevision: 500
  maxRenderedBytesPerApp: 8Mi
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{RenderTimeout: Duration(150 * time.Second), MaxAppsPerApplicationSet: 50, MaxAppsPerRevision: 500,
		MaxObjectsPerApp: 10000, MaxRenderedBytesPerApp: 8 << 20}
	if c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
	c, err = Load(write(t, "limits: {maxRenderedBytesPerApp: 1024, maxObjectsPerApp: 7}\n"))
	if err != nil || c.Limits.MaxRenderedBytesPerApp != 1024 || c.Limits.MaxObjectsPerApp != 7 {
		t.Errorf("plain byte count: %+v, %v", c.Limits, err)
	}
}

// TestLimitsErrors checks that bad limits refuse the file.
func TestLimitsErrors(t *testing.T) {
	for text, want := range map[string]string{
		"limits: {renderTimeout: soon}\n":          "soon",
		"limits: {renderTimeout: -5s}\n":           "renderTimeout",
		"limits: {maxAppsPerRevision: -1}\n":       "positive",
		"limits: {maxRenderedBytesPerApp: 50MB}\n": "Ki, Mi or Gi",
		"limits: {maxAppsPerRepository: 10}\n":     "maxAppsPerRepository",
		"limits: {renderTimeout: 60}\n":            "duration",
	} {
		if _, err := Load(write(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", text, err, want)
		}
	}
}
