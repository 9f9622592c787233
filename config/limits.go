package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Default limits, the same as the planner's.
const (
	DefaultRenderTimeout            = 60 * time.Second
	DefaultMaxAppsPerApplicationSet = 1000
	DefaultMaxAppsPerRevision       = 10000
	DefaultMaxObjectsPerApp         = 10000
	DefaultMaxRenderedBytesPerApp   = 50 << 20
)

// Limits bound what rendering one revision may cost (gitwave.yaml
// `limits:`). Only the operator sets them; a repository cannot. Fields
// left out take the defaults above.
type Limits struct {
	// RenderTimeout is the deadline of one render of one app, and of one
	// ApplicationSet expansion ("60s").
	RenderTimeout Duration `json:"renderTimeout,omitempty"`
	// MaxAppsPerApplicationSet bounds the Applications one ApplicationSet
	// generates.
	MaxAppsPerApplicationSet int `json:"maxAppsPerApplicationSet,omitempty"`
	// MaxAppsPerRevision bounds the apps one revision produces.
	MaxAppsPerRevision int `json:"maxAppsPerRevision,omitempty"`
	// MaxObjectsPerApp bounds the objects one app renders.
	MaxObjectsPerApp int `json:"maxObjectsPerApp,omitempty"`
	// MaxRenderedBytesPerApp bounds the bytes one app renders: a number of
	// bytes or a size such as "50Mi".
	MaxRenderedBytesPerApp ByteSize `json:"maxRenderedBytesPerApp,omitempty"`
}

func (l *Limits) applyDefaults() {
	if l.RenderTimeout == 0 {
		l.RenderTimeout = Duration(DefaultRenderTimeout)
	}
	if l.MaxAppsPerApplicationSet == 0 {
		l.MaxAppsPerApplicationSet = DefaultMaxAppsPerApplicationSet
	}
	if l.MaxAppsPerRevision == 0 {
		l.MaxAppsPerRevision = DefaultMaxAppsPerRevision
	}
	if l.MaxObjectsPerApp == 0 {
		l.MaxObjectsPerApp = DefaultMaxObjectsPerApp
	}
	if l.MaxRenderedBytesPerApp == 0 {
		l.MaxRenderedBytesPerApp = DefaultMaxRenderedBytesPerApp
	}
}

func (l *Limits) validate() error {
	switch {
	case l.RenderTimeout < 0:
		return fmt.Errorf("limits.renderTimeout %s: want a positive duration", time.Duration(l.RenderTimeout))
	case l.MaxAppsPerApplicationSet < 0, l.MaxAppsPerRevision < 0, l.MaxObjectsPerApp < 0, l.MaxRenderedBytesPerApp < 0:
		return fmt.Errorf("limits: the maxima must be positive")
	}
	return nil
}

// Duration is a time.Duration written as "60s" or "2m".
type Duration time.Duration

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"60s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// ByteSize is a number of bytes, written as a number or with a binary
// suffix: "512Ki", "50Mi", "1Gi".
type ByteSize int64

var byteSuffixes = []struct {
	suffix string
	shift  uint
}{{"Gi", 30}, {"Mi", 20}, {"Ki", 10}}

// UnmarshalJSON reads a number or a string with a suffix.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var n int64
	if err := json.Unmarshal(data, &n); err == nil {
		*b = ByteSize(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("want a size such as 52428800 or \"50Mi\"")
	}
	shift := uint(0)
	for _, suf := range byteSuffixes {
		if rest, ok := strings.CutSuffix(s, suf.suffix); ok {
			s, shift = rest, suf.shift
			break
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v > (1<<62)>>shift {
		return fmt.Errorf("size %q: want a number of bytes or a number with Ki, Mi or Gi", string(data))
	}
	*b = ByteSize(v << shift)
	return nil
}

// String returns the duration as time.Duration writes it.
func (d Duration) String() string { return time.Duration(d).String() }
