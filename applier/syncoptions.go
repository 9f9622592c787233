package applier

import (
	"strings"

	"github.com/gitwave/gitwave/planner"
)

// The sync options gitwave honours, as Argo CD spells them.
const (
	optPruneFalse         = "Prune=false"
	optPruneLast          = "PruneLast=true"
	optReplace            = "Replace=true"
	optValidateFalse      = "Validate=false"
	optCreateNamespace    = "CreateNamespace=true"
	optApplyOutOfSyncOnly = "ApplyOutOfSyncOnly=true"
)

// hasOption reports whether opt ("Replace=true") is set on the object's
// sync-options annotation or, when the object does not set that option
// either way, on the app's syncPolicy.syncOptions. o may be nil.
func hasOption(app *planner.App, o *planner.Object, opt string) bool {
	name, _, _ := strings.Cut(opt, "=")
	if o != nil {
		if v, ok := optionValue(o.SyncOptions, name); ok {
			return strings.EqualFold(name+"="+v, opt)
		}
	}
	if app != nil {
		if v, ok := optionValue(app.SyncOptions(), name); ok {
			return strings.EqualFold(name+"="+v, opt)
		}
	}
	return false
}

// optionValue returns the value of option name in list, the last one
// winning.
func optionValue(list []string, name string) (string, bool) {
	val, found := "", false
	for _, s := range list {
		k, v, _ := strings.Cut(strings.TrimSpace(s), "=")
		if strings.EqualFold(k, name) {
			val, found = strings.TrimSpace(v), true
		}
	}
	return val, found
}
