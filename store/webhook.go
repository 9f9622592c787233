package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Delivery is one webhook request as a Git host sent it.
type Delivery struct {
	Host       string // "github" or "gitlab" (or a GitHub Enterprise host name)
	ID         string // X-GitHub-Delivery, or GitLab's idempotency key / event UUID
	Event      string // X-GitHub-Event or X-Gitlab-Event
	Payload    []byte
	ReceivedAt time.Time // zero means now
	// Work names what the delivery asks for, e.g. "comment:acme/gitops/1234";
	// when set it is accepted once per host, whatever the delivery id, so a
	// body replayed under a new id is a duplicate. Empty means the delivery
	// id alone decides.
	Work string
}

// sqlInsertDelivery stores a delivery unless its (host, delivery_id) or its
// non-empty (host, work) is taken; prepared by Open (see txStatements).
const sqlInsertDelivery = `INSERT INTO deliveries (host, delivery_id, event, work, payload, received_us)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

// Accept stores delivery d and enqueues jobs in one transaction, so that an
// accepted event survives a crash before its work starts. It returns false,
// storing and enqueueing nothing, when d's host and ID were accepted before
// (a redelivery), or d's host and non-empty Work were (a replay).
func (s *Store) Accept(ctx context.Context, d Delivery, jobs ...Job) (accepted bool, err error) {
	if d.Host == "" || d.ID == "" {
		return false, fmt.Errorf("accept delivery: host (%q) and delivery id (%q) are required", d.Host, d.ID)
	}
	if err := validateJobs(jobs); err != nil {
		return false, fmt.Errorf("accept %s delivery %s: %w", d.Host, d.ID, err)
	}
	if d.ReceivedAt.IsZero() {
		d.ReceivedAt = s.now()
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, sqlInsertDelivery,
			d.Host, d.ID, d.Event, d.Work, nonNil(d.Payload), micros(d.ReceivedAt))
		if err != nil {
			return fmt.Errorf("store delivery: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		accepted = true
		return s.enqueueTx(ctx, tx, jobs)
	})
	if err != nil {
		return false, fmt.Errorf("accept %s delivery %s (%s): %w", d.Host, d.ID, d.Event, err)
	}
	return accepted, nil
}

// Delivery returns the delivery host sent with id, for a worker whose job
// refers to it. It returns ErrNotFound for a delivery never accepted.
func (s *Store) Delivery(ctx context.Context, host, id string) (Delivery, error) {
	d := Delivery{Host: host, ID: id}
	var received int64
	err := s.queryRow(ctx, s.db, `SELECT event, work, payload, received_us FROM deliveries WHERE host = ? AND delivery_id = ?`,
		host, id).Scan(&d.Event, &d.Work, &d.Payload, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("read %s delivery %s: %w", host, id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("read %s delivery %s: %w", host, id, err)
	}
	d.ReceivedAt = fromMicros(received)
	return d, nil
}
