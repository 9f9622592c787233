package planner

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Annotations gitwave reads from rendered objects, as Argo CD names them.
const (
	AnnotationSyncWave         = "argocd.argoproj.io/sync-wave"
	AnnotationHook             = "argocd.argoproj.io/hook"
	AnnotationHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	AnnotationSyncOptions      = "argocd.argoproj.io/sync-options"
	AnnotationCompareOptions   = "argocd.argoproj.io/compare-options"
	AnnotationHelmHook         = "helm.sh/hook"
	AnnotationHelmHookWeight   = "helm.sh/hook-weight"
	AnnotationHelmDeletePolicy = "helm.sh/hook-delete-policy"
)

// ResourceKey identifies an object in a cluster.
type ResourceKey struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders the key as "group/Kind/namespace/name", leaving out empty
// parts, as kubectl users read it: "apps/Deployment/shop/api".
func (k ResourceKey) String() string {
	parts := make([]string, 0, 4)
	if k.Group != "" {
		parts = append(parts, k.Group)
	}
	parts = append(parts, k.Kind)
	if k.Namespace != "" {
		parts = append(parts, k.Namespace)
	}
	return strings.Join(append(parts, k.Name), "/")
}

// GroupKind returns the key's group and kind.
func (k ResourceKey) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: k.Group, Kind: k.Kind}
}

// KeyOf returns the ResourceKey of an object.
func KeyOf(u *unstructured.Unstructured) ResourceKey {
	gvk := u.GroupVersionKind()
	return ResourceKey{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// Phase is the sync phase an object is applied in.
type Phase string

// The sync phases in the order they run. SyncFail runs only when the sync
// failed. Skip objects are never applied.
const (
	PhasePreSync  Phase = "PreSync"
	PhaseSync     Phase = "Sync"
	PhasePostSync Phase = "PostSync"
	PhaseSyncFail Phase = "SyncFail"
	PhaseSkip     Phase = "Skip"
)

// phaseRank orders phases; SyncFail sorts last since it only runs on failure.
var phaseRank = map[Phase]int{PhasePreSync: 0, PhaseSync: 1, PhasePostSync: 2, PhaseSyncFail: 3, PhaseSkip: 4}

// Object is one rendered manifest with the facts that order and report it.
type Object struct {
	// Key identifies the object.
	Key ResourceKey
	// Version is the object's API version ("v1", "apps/v1").
	Version string
	// Phase is Sync for ordinary objects and the hook's phase for hooks.
	Phase Phase
	// Wave is the sync-wave annotation (default 0).
	Wave int
	// Hook is true for objects with a hook annotation (Argo CD or Helm):
	// they are created for the sync and are not part of the app's inventory.
	Hook bool
	// DeletePolicies are the hook's delete policies (BeforeHookCreation,
	// HookSucceeded, HookFailed). A hook without one gets
	// BeforeHookCreation, as in Argo CD.
	DeletePolicies []string
	// SyncOptions are the object's own sync-options annotation entries
	// ("Prune=false", "PruneLast=true", "Replace=true", ...).
	SyncOptions []string
	// File is the repository file (or chart template) the object came from.
	File string
	// Line is the object's 1-based line in File, when known.
	Line int
	// Manifest is the object as rendered.
	Manifest *unstructured.Unstructured
	// Secrets are the values its render decrypted from SOPS files (nil
	// for none): masked wherever the object is shown.
	Secrets *SecretValues
}

// HasSyncOption reports whether the object's sync-options annotation holds
// opt ("Prune=false").
func (o *Object) HasSyncOption(opt string) bool {
	for _, s := range o.SyncOptions {
		if strings.EqualFold(s, opt) {
			return true
		}
	}
	return false
}

// NewObject reads the ordering facts of a rendered manifest. It returns an
// error when an annotation cannot be read, naming the annotation.
func NewObject(u *unstructured.Unstructured, file string, line int) (*Object, error) {
	o := &Object{Key: KeyOf(u), Version: u.GetAPIVersion(), Phase: PhaseSync, File: file, Line: line, Manifest: u}
	ann := u.GetAnnotations()
	if w, ok := ann[AnnotationSyncWave]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil {
			return nil, fmt.Errorf("%s: annotation %s=%q is not an integer", o.Key, AnnotationSyncWave, w)
		}
		o.Wave = n
	}
	if err := o.readHook(ann); err != nil {
		return nil, err
	}
	if s := ann[AnnotationSyncOptions]; s != "" {
		for _, part := range strings.Split(s, ",") {
			if p := strings.TrimSpace(part); p != "" {
				o.SyncOptions = append(o.SyncOptions, p)
			}
		}
	}
	return o, nil
}

// readHook sets Phase, Hook and DeletePolicies from the Argo CD hook
// annotation or, when absent, from Helm's hook annotations mapped as Argo CD
// maps them.
func (o *Object) readHook(ann map[string]string) error {
	if h, ok := ann[AnnotationHook]; ok {
		phases := splitList(h)
		if len(phases) == 0 {
			return fmt.Errorf("%s: annotation %s is empty", o.Key, AnnotationHook)
		}
		// Several phases on one hook are rare; the first one decides.
		p := Phase(phases[0])
		if _, known := phaseRank[p]; !known {
			return fmt.Errorf("%s: annotation %s=%q: unknown hook (want PreSync, Sync, PostSync, SyncFail or Skip)", o.Key, AnnotationHook, h)
		}
		o.Phase = p
		o.Hook = p != PhaseSkip
		o.DeletePolicies = splitList(ann[AnnotationHookDeletePolicy])
	} else if h, ok := ann[AnnotationHelmHook]; ok {
		p, isHook := helmHookPhase(h)
		if !isHook {
			o.Phase = PhaseSkip
			return nil
		}
		o.Phase, o.Hook = p, true
		if _, hasWave := ann[AnnotationSyncWave]; !hasWave {
			if w, err := strconv.Atoi(strings.TrimSpace(ann[AnnotationHelmHookWeight])); err == nil {
				o.Wave = w
			}
		}
		for _, dp := range splitList(ann[AnnotationHelmDeletePolicy]) {
			o.DeletePolicies = append(o.DeletePolicies, helmDeletePolicy(dp))
		}
	}
	if o.Hook && len(o.DeletePolicies) == 0 {
		o.DeletePolicies = []string{"BeforeHookCreation"}
	}
	return nil
}

// helmHookPhase maps Helm hooks to Argo CD phases the way Argo CD does;
// test hooks and unknown hooks are skipped.
func helmHookPhase(h string) (Phase, bool) {
	for _, part := range splitList(h) {
		switch part {
		case "pre-install", "pre-upgrade":
			return PhasePreSync, true
		case "post-install", "post-upgrade":
			return PhasePostSync, true
		case "crd-install":
			return PhaseSync, false
		}
	}
	return PhaseSkip, false
}

func helmDeletePolicy(p string) string {
	switch p {
	case "before-hook-creation":
		return "BeforeHookCreation"
	case "hook-succeeded":
		return "HookSucceeded"
	case "hook-failed":
		return "HookFailed"
	}
	return p
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
