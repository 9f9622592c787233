package applier

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// Tracking metadata gitwave sets on every object it applies.
const (
	// AnnotationTrackingID names the app that owns an object:
	// APP:GROUP/KIND:NAMESPACE/NAME, as Argo CD's annotation tracking.
	AnnotationTrackingID = "gitwave.dev/tracking-id"
	// LabelApp holds the app name (sanitized to a label value) so that
	// watches can select an app's objects.
	LabelApp = "gitwave.dev/app"
	// AnnotationSyncTimeout on an Application overrides Options.WaitTimeout
	// for its syncs (a Go duration such as "10m").
	AnnotationSyncTimeout = "gitwave.dev/sync-timeout"
)

// TrackingID returns the tracking annotation value of key in app.
func TrackingID(app string, key planner.ResourceKey) string {
	return app + ":" + key.Group + "/" + key.Kind + ":" + key.Namespace + "/" + key.Name
}

var labelValueRE = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

// AppLabelValue returns app as a valid label value: app itself when it is
// one, else a readable prefix and a hash, 63 characters at most, so that two
// long app names never share a value.
func AppLabelValue(app string) string {
	if labelValueRE.MatchString(app) {
		return app
	}
	sum := sha256.Sum256([]byte(app))
	h := hex.EncodeToString(sum[:])[:10]
	prefix := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '-'
	}, app)
	if len(prefix) > 52 {
		prefix = prefix[:52]
	}
	prefix = strings.Trim(prefix, "-_.")
	if prefix == "" {
		return h
	}
	return prefix + "-" + h
}

// setTracking labels and annotates u (a copy the caller owns) as app's.
func setTracking(u *unstructured.Unstructured, app string) {
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[AnnotationTrackingID] = TrackingID(app, planner.KeyOf(u))
	u.SetAnnotations(ann)
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelApp] = AppLabelValue(app)
	u.SetLabels(labels)
}

// ownedBy reports whether live carries app's tracking id for exactly this
// object; a copied or foreign annotation does not count.
func ownedBy(live *unstructured.Unstructured, app string) bool {
	return live.GetAnnotations()[AnnotationTrackingID] == TrackingID(app, planner.KeyOf(live))
}
