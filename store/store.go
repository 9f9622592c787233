package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gitwave/gitwave/applier/record"
	"github.com/gitwave/gitwave/backoff"
)

// ErrNotFound is returned when the record asked for does not exist. It is
// applier's record.ErrNotFound, which the Recorder port promises.
var ErrNotFound = record.ErrNotFound

// ErrSyncInProgress is returned by BeginSync when the same app and cluster
// already have a Running sync whose lease is fresh.
var ErrSyncInProgress = errors.New("a sync is already running for this app and cluster")

// ErrLeaseLost is returned by HeartbeatSync and ExtendLease when the caller no
// longer holds what it is renewing: the sync was finished or taken over, or
// the job is no longer leased. The caller should stop its work.
var ErrLeaseLost = errors.New("lease lost")

// Driver names accepted in Options.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Options selects the database. The zero value is not usable: DSN is required.
type Options struct {
	// Driver is "sqlite" (the default when empty) or "postgres".
	Driver string
	// DSN is a file path for SQLite (its directory is created if missing)
	// and a URL or key=value string for PostgreSQL. It may hold a password
	// and is never included in errors.
	DSN string
}

// Store is gitwave's state in one database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	stmts   statements
	now     func() time.Time
}

// Open connects to the database named by opts, applies the embedded schema
// migrations that are missing and returns the Store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	d, err := dialectFor(opts.Driver)
	if err != nil {
		return nil, err
	}
	db, err := d.open(opts.DSN)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: d, now: time.Now}
	if err := s.pingAndMigrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s store%s: %w", d.name, d.where(opts.DSN), err)
	}
	if err := s.prepareTxStatements(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s store%s: %w", d.name, d.where(opts.DSN), err)
	}
	return s, nil
}

// openBusyWait bounds how long Open waits for other processes opening the
// same fresh SQLite file, as busy_timeout does for every other statement.
const openBusyWait = 5 * time.Second

// openBusyBackoff spaces those attempts: 10 ms doubling to 200 ms.
var openBusyBackoff = backoff.Schedule{First: 10 * time.Millisecond, Factor: 2, Max: 200 * time.Millisecond}

// pingAndMigrate connects and migrates. On a fresh SQLite file, switching
// it to WAL while another process does the same answers SQLITE_BUSY at
// once, without SQLite's busy handler: that is retried for openBusyWait.
func (s *Store) pingAndMigrate(ctx context.Context) error {
	pause := openBusyBackoff.Start(backoff.Wall)
	deadline := pause.Now().Add(openBusyWait)
	for {
		err := s.db.PingContext(ctx)
		if err == nil {
			err = s.migrate(ctx)
		}
		if err == nil || !s.dialect.busy(err) || pause.Now().After(deadline) {
			return err
		}
		if pause.Wait(ctx) != nil {
			return err
		}
	}
}

// Close closes the database. Jobs leased through this Store stay leased until
// their lease runs out.
func (s *Store) Close() error {
	stmtErr := s.stmts.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s store: %w", s.dialect.name, err)
	}
	if stmtErr != nil {
		return fmt.Errorf("close %s store: %w", s.dialect.name, stmtErr)
	}
	return nil
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// maxBeginAttempts bounds how often begin tries to start a transaction
// while another process holds SQLite's write lock.
const maxBeginAttempts = 6

// begin starts a write transaction. SQLite's busy_timeout already waits 5
// seconds for another process's write lock; when that is not enough (several
// processes writing hard to one file), begin tries again, up to
// maxBeginAttempts times, while ctx allows.
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	for attempt := 1; ; attempt++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err == nil || !s.dialect.busy(err) || attempt == maxBeginAttempts || ctx.Err() != nil {
			return tx, err
		}
	}
}

// micros converts a time to the stored form; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts a stored time back; 0 is the zero time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// nonNil keeps NOT NULL blob columns happy: PostgreSQL stores a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
