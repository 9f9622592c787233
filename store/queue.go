package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DefaultMaxAttempts is the MaxAttempts of a job enqueued with 0.
const DefaultMaxAttempts = 5

// maxErrorLen bounds the stored LastError of a job.
const maxErrorLen = 4096

// Job states.
const (
	JobQueued = "queued" // waiting for RunAfter or a worker
	JobLeased = "leased" // claimed by a worker until its lease runs out
	JobDone   = "done"   // completed
	JobDead   = "dead"   // failed MaxAttempts times; kept for inspection
)

// Job is one unit of asynchronous work in the durable queue.
type Job struct {
	ID   int64
	Kind string // what to do, e.g. "pull_request"; the worker dispatches on it
	// Key serializes jobs: jobs with the same non-empty Key never run at the
	// same time, e.g. "pr:acme/repo#12". Empty means no serialization.
	Key string
	// Dedupe, when set, is unique among jobs that are queued or leased:
	// enqueueing another job with the same Dedupe while one waits or runs
	// does nothing. Put whatever makes the work different (a revision) in it.
	Dedupe      string
	Payload     []byte
	Attempts    int       // claims so far, this one included
	MaxAttempts int       // 0 means DefaultMaxAttempts
	RunAfter    time.Time // not claimed before; zero means now
	LastError   string
	State       string // queued, leased, done or dead; set when read
}

// jobColumns is the column list scanJob reads.
const jobColumns = `id, kind, job_key, dedupe, payload, attempts, max_attempts, run_after_us, last_error, state`

func scanJob(row scanner) (Job, error) {
	var j Job
	var runAfter int64
	if err := row.Scan(&j.ID, &j.Kind, &j.Key, &j.Dedupe, &j.Payload, &j.Attempts, &j.MaxAttempts,
		&runAfter, &j.LastError, &j.State); err != nil {
		return Job{}, err
	}
	j.RunAfter = fromMicros(runAfter)
	return j, nil
}

// Enqueue adds jobs to the queue in one transaction. A job whose Dedupe
// matches a queued or leased job is skipped. ID, Attempts, LastError and
// State are ignored.
func (s *Store) Enqueue(ctx context.Context, jobs ...Job) error {
	if err := validateJobs(jobs); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.enqueueTx(ctx, tx, jobs) })
}

func validateJobs(jobs []Job) error {
	for i, j := range jobs {
		if j.Kind == "" {
			return fmt.Errorf("enqueue job %d of %d (key %q): kind is required", i+1, len(jobs), j.Key)
		}
		if j.MaxAttempts < 0 {
			return fmt.Errorf("enqueue %s job (key %q): max attempts %d is negative", j.Kind, j.Key, j.MaxAttempts)
		}
	}
	return nil
}

func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, jobs []Job) error {
	now := s.now()
	for _, j := range jobs {
		if j.MaxAttempts == 0 {
			j.MaxAttempts = DefaultMaxAttempts
		}
		if j.RunAfter.IsZero() {
			j.RunAfter = now
		}
		if _, err := s.exec(ctx, tx, sqlInsertJob,
			j.Kind, j.Key, j.Dedupe, nonNil(j.Payload), JobQueued, j.MaxAttempts, micros(j.RunAfter), micros(now)); err != nil {
			return fmt.Errorf("enqueue %s job (key %q): %w", j.Kind, j.Key, err)
		}
	}
	return nil
}

// Statements of Enqueue and Claim, prepared by Open (see txStatements).
// Literal states let SQLite use the partial indexes.
const (
	// sqlInsertJob skips a job whose dedupe is taken (index jobs_dedupe).
	sqlInsertJob = `INSERT INTO jobs
		(kind, job_key, dedupe, payload, state, max_attempts, run_after_us, created_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	// sqlReadyJob selects the oldest ready job's id; its arguments are now,
	// three times.
	sqlReadyJob = `SELECT j.id FROM jobs j
		WHERE j.state IN ('queued', 'leased')
		  AND ((j.state = 'queued' AND j.run_after_us <= ?) OR (j.state = 'leased' AND j.lease_until_us <= ?))
		  AND (j.job_key = '' OR NOT EXISTS (SELECT 1 FROM jobs o
		       WHERE o.state = 'leased' AND o.job_key = j.job_key AND o.lease_until_us > ?))
		ORDER BY j.id LIMIT 1`
	// sqlBuryJobs marks dead the jobs whose lease ran out on their last attempt.
	sqlBuryJobs = `UPDATE jobs SET state = ?, finished_us = ?, leased_by = '', last_error = ?
		WHERE state = 'leased' AND lease_until_us <= ? AND attempts >= max_attempts`
	// sqlLeaseJob leases the oldest ready job in one statement, so that
	// SQLite's write lock is held briefly; arguments: worker, lease end, now
	// three times.
	sqlLeaseJob = `UPDATE jobs SET state = 'leased', leased_by = ?, lease_until_us = ?, attempts = attempts + 1
		WHERE id = (` + sqlReadyJob + `) RETURNING ` + jobColumns
)

// Claim leases the oldest ready job to worker for lease and returns it, or
// nil when no job is ready. A job is ready when it is queued and its RunAfter
// has passed, or when it is leased and the lease ran out (its worker died);
// in both cases no other job with the same Key may hold a live lease. A job
// whose lease ran out on its last attempt is marked dead instead.
func (s *Store) Claim(ctx context.Context, worker string, lease time.Duration) (*Job, error) {
	if worker == "" || lease <= 0 {
		return nil, fmt.Errorf("claim job: worker (%q) and a positive lease (%s) are required", worker, lease)
	}
	// A read first, so that idle workers polling do not take the write lock.
	now := micros(s.now())
	var id int64
	err := s.queryRow(ctx, s.db, sqlReadyJob, now, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim job for worker %s: find a ready job: %w", worker, err)
	}
	var claimed *Job
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.dialect.serialize(ctx, tx, advisoryClaim); err != nil {
			return err
		}
		now := micros(s.now())
		if _, err := s.exec(ctx, tx, sqlBuryJobs,
			JobDead, now, "the worker's lease ran out on the last attempt (it crashed or was stopped)", now); err != nil {
			return fmt.Errorf("bury jobs out of attempts: %w", err)
		}
		j, err := scanJob(s.queryRow(ctx, tx, sqlLeaseJob, worker, now+lease.Microseconds(), now, now, now))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // another worker was faster
		}
		if err != nil {
			return fmt.Errorf("lease a ready job: %w", err)
		}
		claimed = &j
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim job for worker %s: %w", worker, err)
	}
	return claimed, nil
}

// Complete marks job id done. Completing a job twice is not an error, and a
// job marked dead because its lease ran out becomes done when its worker
// completes it after all.
func (s *Store) Complete(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `UPDATE jobs SET state = ?, finished_us = ?, lease_until_us = 0
		WHERE id = ? AND state IN (?, ?, ?)`, JobDone, micros(s.now()), id, JobQueued, JobLeased, JobDead)
	if err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	return s.changedOrExists(ctx, res, id, "complete")
}

// Fail records that job id failed with err. The job is claimable again after
// retryAfter, unless it has used MaxAttempts, in which case it becomes dead
// and stays in the table with its last error. A report about a job that is
// already done or dead changes nothing.
func (s *Store) Fail(ctx context.Context, id int64, err error, retryAfter time.Duration) error {
	msg := "failed"
	if err != nil {
		msg = err.Error()
	}
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen] + "…"
	}
	retryAfter = max(retryAfter, 0)
	now := s.now()
	res, xerr := s.exec(ctx, s.db, `UPDATE jobs SET
			state = CASE WHEN attempts >= max_attempts THEN ? ELSE ? END,
			finished_us = CASE WHEN attempts >= max_attempts THEN CAST(? AS BIGINT) ELSE 0 END,
			last_error = ?, run_after_us = ?, lease_until_us = 0, leased_by = ''
		WHERE id = ? AND state IN (?, ?)`,
		JobDead, JobQueued, micros(now), msg, micros(now.Add(retryAfter)), id, JobQueued, JobLeased)
	if xerr != nil {
		return fmt.Errorf("fail job %d: %w", id, xerr)
	}
	return s.changedOrExists(ctx, res, id, "fail")
}

// ExtendLease pushes the lease of job id to lease from now, for work that
// outlasts its first lease. It returns ErrLeaseLost when the job is no
// longer leased (it was completed, failed, or buried).
func (s *Store) ExtendLease(ctx context.Context, id int64, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("extend lease of job %d: lease %s is not positive", id, lease)
	}
	res, err := s.exec(ctx, s.db, `UPDATE jobs SET lease_until_us = ? WHERE id = ? AND state = ?`,
		micros(s.now().Add(lease)), id, JobLeased)
	if err != nil {
		return fmt.Errorf("extend lease of job %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	j, err := s.Job(ctx, id)
	if err != nil {
		return fmt.Errorf("extend lease: %w", err)
	}
	return fmt.Errorf("extend lease of job %d: it is %s: %w", id, j.State, ErrLeaseLost)
}

// Job returns job id as it is now, State included.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.queryRow(ctx, s.db, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("read job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job %d: %w", id, err)
	}
	return j, nil
}

// changedOrExists turns "no row updated" into ErrNotFound when job id does
// not exist, and into success when it exists in a state the update skips.
func (s *Store) changedOrExists(ctx context.Context, res sql.Result, id int64, verb string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s job %d: %w", verb, id, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.Job(ctx, id); err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	return nil
}
