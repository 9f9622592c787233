package applier

import (
	"context"
	"errors"
	"fmt"
)

// SyncRefused is an automated sync not run because it renders no object
// and would prune everything the app owns (allowEmpty is off).
const SyncRefused SyncPhase = "Refused"

// ErrRefusedEmpty is wrapped by the error of a refused empty sync.
var ErrRefusedEmpty = errors.New("refused: the app renders no objects and an automated sync would prune everything it owns; set syncPolicy.automated.allowEmpty: true to allow it")

// emptyRefusal returns the error that refuses req, or nil: an automated
// sync (RefuseEmpty) that prunes and renders no object other than hooks,
// while the app's inventory on the cluster holds objects. This is Argo
// CD's "auto-sync will wipe out all resources" guard.
func (m *Manager) emptyRefusal(ctx context.Context, req SyncRequest) (refusal, err error) {
	if !req.RefuseEmpty || !req.Prune || m.opts.Store == nil {
		return nil, nil
	}
	for _, o := range req.Objects {
		if !o.Hook {
			return nil, nil
		}
	}
	_, owned, err := m.opts.Store.Inventory(ctx, req.App.Name, m.opts.Cluster)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	if len(owned) == 0 {
		return nil, nil
	}
	return fmt.Errorf("%w (revision %s; the %d objects on the cluster are kept, nothing was pruned)", ErrRefusedEmpty, req.Revision, len(owned)), nil
}

// refuse records a refused sync and returns its result.
func (m *Manager) refuse(ctx context.Context, id int64, refusal error) (*Result, error) {
	res := &Result{ID: id, Phase: SyncRefused, Message: refusal.Error()}
	if id == 0 {
		return res, refusal
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := m.opts.Store.FinishSync(ctx, id, string(SyncRefused), res.Message, nil); err != nil {
		return res, errors.Join(refusal, fmt.Errorf("record refusal: %w", err))
	}
	return res, refusal
}
