package applier

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/gitwave/gitwave/planner"
)

// The actions Sync reports for an object, as the store records them.
const (
	ActionCreated       = "created"
	ActionConfigured    = "configured"
	ActionUnchanged     = "unchanged"
	ActionPruned        = "pruned"
	ActionPruneSkipped  = "pruneSkipped"
	ActionHookSucceeded = "hookSucceeded"
	ActionHookFailed    = "hookFailed"
	ActionFailed        = "failed"
	ActionNotApplied    = "notApplied"
)

// applied is the result of applying one object.
type applied struct {
	key    planner.ResourceKey // with the namespace actually used
	live   *unstructured.Unstructured
	action string
	rm     *meta.RESTMapping
}

// applyOptions are the per-call choices of applyObject.
type applyOptions struct {
	// DryRun asks the API server to run admission and defaulting without
	// persisting (dryRun=All).
	DryRun bool
}

// prepare copies o's manifest and gives it the namespace and tracking
// metadata it is applied with.
func (m *Manager) prepare(ctx context.Context, app *planner.App, o *planner.Object) (*unstructured.Unstructured, *meta.RESTMapping, error) {
	u := o.Manifest.DeepCopy()
	rm, err := m.mapping(ctx, u.GroupVersionKind())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.Key, err)
	}
	if rm.Scope.Name() == meta.RESTScopeNameNamespace {
		if u.GetNamespace() == "" {
			if app.Namespace == "" {
				return nil, nil, Terminal(fmt.Errorf("%s (%s): namespaced object has no namespace and app %s has no destination namespace", o.Key, location(o), app.Name))
			}
			u.SetNamespace(app.Namespace)
		}
	} else {
		u.SetNamespace("")
	}
	setTracking(u, app.Name)
	return u, rm, nil
}

// applyObject applies one object: server-side apply with forced conflicts,
// or create/update when the object asks for Replace=true. The live object
// before the apply, which tells created, configured and unchanged apart,
// comes from the watch cache, not from a request.
func (m *Manager) applyObject(ctx context.Context, app *planner.App, o *planner.Object, ao applyOptions) (applied, error) {
	u, rm, err := m.prepare(ctx, app, o)
	if err != nil {
		return applied{}, err
	}
	res := applied{key: planner.KeyOf(u), rm: rm}
	ri := m.resource(rm, u.GetNamespace())
	if u.GetName() == "" && u.GetGenerateName() != "" {
		if res.live, err = ri.Create(ctx, u, metav1.CreateOptions{FieldManager: m.opts.FieldManager, DryRun: dryRun(ao)}); err != nil {
			return res, fmt.Errorf("%s: create: %w", res.key, o.Secrets.RedactError(err))
		}
		res.key, res.action = planner.KeyOf(res.live), ActionCreated
		return res, nil
	}
	before, cached := m.cachedLive(ctx, rm, res.key)
	if !cached {
		if before, err = m.getLive(ctx, rm, res.key); err != nil {
			return res, fmt.Errorf("%s: read live object: %w", res.key, err)
		}
	}
	validation := metav1.FieldValidationStrict
	if hasOption(app, o, optValidateFalse) {
		validation = metav1.FieldValidationIgnore
	}
	if hasOption(app, o, optReplace) {
		res.live, err = m.replace(ctx, ri, u, before, validation, ao)
	} else {
		res.live, err = m.serverSideApply(ctx, ri, u, validation, ao)
	}
	if err != nil {
		return res, fmt.Errorf("%s (%s): apply: %w", res.key, location(o), o.Secrets.RedactError(err))
	}
	if !ao.DryRun {
		m.recordApplied(ctx, rm, res.live)
	}
	res.action = m.actionOf(before, res.live)
	return res, nil
}

// actionOf tells what an apply did, from the live object before it (nil
// when the cache had none) and the object it returned. An object the cache
// did not hold may still have existed, created by another tool: it was
// created by this apply when gitwave is its only field manager since its
// creation.
func (m *Manager) actionOf(before, after *unstructured.Unstructured) string {
	switch {
	case before == nil && (after.GetResourceVersion() == "" || m.createdByApply(after)):
		return ActionCreated // an empty version is a dry-run create
	case before == nil:
		return ActionConfigured
	case before.GetUID() != after.GetUID() && after.GetUID() != "":
		return ActionCreated
	case before.GetResourceVersion() == after.GetResourceVersion():
		return ActionUnchanged
	default:
		return ActionConfigured
	}
}

// createdByApply reports whether every field manager of u is gitwave's,
// each writing within a second of u's creation.
func (m *Manager) createdByApply(u *unstructured.Unstructured) bool {
	created := u.GetCreationTimestamp().Time
	fields := u.GetManagedFields()
	for _, f := range fields {
		if f.Manager != m.opts.FieldManager || f.Time == nil || f.Time.Sub(created).Abs() > time.Second {
			return false
		}
	}
	return len(fields) > 0
}

// replace creates u, or updates the live object with it (Replace=true),
// as kubectl replace does. before is the live object as the cache has it;
// when it is stale (the object exists, or changed since), the object is
// read and the write tried once more.
func (m *Manager) replace(ctx context.Context, ri dynamic.ResourceInterface, u, before *unstructured.Unstructured, validation string, ao applyOptions) (*unstructured.Unstructured, error) {
	create := func() (*unstructured.Unstructured, error) {
		return ri.Create(ctx, u, metav1.CreateOptions{FieldManager: m.opts.FieldManager, FieldValidation: validation, DryRun: dryRun(ao)})
	}
	update := func(live *unstructured.Unstructured) (*unstructured.Unstructured, error) {
		u.SetResourceVersion(live.GetResourceVersion())
		return ri.Update(ctx, u, metav1.UpdateOptions{FieldManager: m.opts.FieldManager, FieldValidation: validation, DryRun: dryRun(ao)})
	}
	var out *unstructured.Unstructured
	var err error
	if before == nil {
		out, err = create()
	} else {
		out, err = update(before)
	}
	if !apierrors.IsAlreadyExists(err) && !apierrors.IsConflict(err) && !(before != nil && apierrors.IsNotFound(err)) {
		return out, err
	}
	live, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return create()
	case err != nil:
		return nil, fmt.Errorf("read live object: %w", err)
	}
	return update(live)
}

// resourceClient is the part of dynamic.ResourceInterface apply uses.
type resourceClient interface {
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, options metav1.PatchOptions, subresources ...string) (*unstructured.Unstructured, error)
}

// serverSideApply applies u as gitwave's field manager, taking over fields
// another manager set (Force), as a GitOps tool must.
func (m *Manager) serverSideApply(ctx context.Context, ri resourceClient, u *unstructured.Unstructured, validation string, ao applyOptions) (*unstructured.Unstructured, error) {
	body, err := json.Marshal(u.Object)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	force := true
	return ri.Patch(ctx, u.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager: m.opts.FieldManager, Force: &force, FieldValidation: validation, DryRun: dryRun(ao),
	})
}

func dryRun(ao applyOptions) []string {
	if ao.DryRun {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// ensureNamespace creates the app's destination namespace when it is
// missing (sync option CreateNamespace=true). The namespace is not tracked,
// so prune never deletes it.
func (m *Manager) ensureNamespace(ctx context.Context, app *planner.App, ao applyOptions) error {
	if app.Namespace == "" {
		return nil
	}
	nsRes := m.client.Resource(namespacesGVR)
	_, err := nsRes.Get(ctx, app.Namespace, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("namespace %s: read: %w", app.Namespace, err)
	}
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": app.Namespace},
	}}
	_, err = nsRes.Create(ctx, ns, metav1.CreateOptions{FieldManager: m.opts.FieldManager, DryRun: dryRun(ao)})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("namespace %s: create: %w", app.Namespace, err)
	}
	return nil
}

// location renders where an object came from: "file:line", or "".
func location(o *planner.Object) string {
	switch {
	case o.File == "":
		return "rendered"
	case o.Line > 0:
		return fmt.Sprintf("%s:%d", o.File, o.Line)
	default:
		return o.File
	}
}

var namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
