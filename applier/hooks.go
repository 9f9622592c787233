package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitwave/gitwave/planner"
)

// The hook delete policies, as Argo CD names them.
const (
	policyBeforeHookCreation = "BeforeHookCreation"
	policyHookSucceeded      = "HookSucceeded"
	policyHookFailed         = "HookFailed"
)

// beforeHookCreation deletes the previous run of a hook that has the
// BeforeHookCreation policy and waits until it is gone, so that the new run
// starts from nothing (a Job's spec cannot be changed in place).
func (m *Manager) beforeHookCreation(ctx context.Context, app *planner.App, o *planner.Object, timeout time.Duration, dryRun bool) error {
	if dryRun || !slices.Contains(o.DeletePolicies, policyBeforeHookCreation) || o.Manifest.GetName() == "" {
		return nil
	}
	u, rm, err := m.prepare(ctx, app, o)
	if err != nil {
		return err
	}
	key := planner.KeyOf(u)
	deleted, err := m.deleteObject(ctx, rm, key)
	if err != nil || !deleted {
		return err
	}
	if err := m.waitGone(ctx, rm, key, timeout); err != nil {
		return fmt.Errorf("hook %s: BeforeHookCreation: %w", key, err)
	}
	return nil
}

// settleHooks records each hook's result in sr and deletes the hooks whose
// delete policy matches it (HookSucceeded, HookFailed).
func (r *run) settleHooks(ctx context.Context, s planner.Step, sr *StepResult, idx []int, targets []*waitTarget) error {
	var errs []error
	for n, i := range idx {
		o, out := s.Objects[i], &sr.Objects[i]
		if !o.Hook || targets[n] == nil {
			continue
		}
		succeeded := targets[n].health.Status == Healthy
		policy := policyHookFailed
		out.Action = ActionHookFailed
		if succeeded {
			policy, out.Action = policyHookSucceeded, ActionHookSucceeded
			r.hookSucceeded(ctx, o)
		}
		r.emit(Event{Type: EventHookDone, Phase: o.Phase, Wave: o.Wave, Key: out.Key, Action: out.Action, Health: out.Health})
		if !slices.Contains(o.DeletePolicies, policy) || ctx.Err() != nil {
			continue
		}
		if _, err := r.m.deleteObject(ctx, targets[n].rm, targets[n].key); err != nil {
			errs = append(errs, fmt.Errorf("hook %s: %s delete policy: %w", out.Key, policy, err))
		}
	}
	return errors.Join(errs...)
}

// deleteObject deletes an object with foreground propagation, so that its
// dependents (a Job's pods, a Deployment's ReplicaSets) go first. It
// reports whether there was anything to delete.
func (m *Manager) deleteObject(ctx context.Context, rm *meta.RESTMapping, key planner.ResourceKey) (bool, error) {
	fg := metav1.DeletePropagationForeground
	err := m.resource(rm, key.Namespace).Delete(ctx, key.Name, metav1.DeleteOptions{PropagationPolicy: &fg})
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: delete: %w", key, err)
	}
	return true, nil
}
