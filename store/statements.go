package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// statements caches prepared statements by query text. SQLite spends more
// time parsing a short statement than running it, so every query the Store
// runs more than once is prepared once per connection.
type statements struct {
	mu    sync.Mutex
	bySQL map[string]*sql.Stmt
}

// get returns the statement for query, preparing it on db the first time.
// The lock is not held while preparing: that waits for a free connection,
// and the connection may be in a transaction that needs the cache.
func (c *statements) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st, ok := c.cached(query); ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.bySQL[query]; ok {
		st.Close()
		return prev, nil
	}
	if c.bySQL == nil {
		c.bySQL = map[string]*sql.Stmt{}
	}
	c.bySQL[query] = st
	return st, nil
}

// cached returns the statement for query if it was prepared.
func (c *statements) cached(query string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.bySQL[query]
	return st, ok
}

// close closes every cached statement.
func (c *statements) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.bySQL {
		if err := st.Close(); err != nil && first == nil {
			first = fmt.Errorf("close prepared statement: %w", err)
		}
		delete(c.bySQL, q)
	}
	return first
}

// txStatements are the statements that run inside transactions. They are
// prepared by Open, because preparing needs a free connection and SQLite's
// only one is busy with the transaction.
var txStatements = []string{
	sqlExpireSyncs, sqlInsertSync, sqlRunningSync,
	sqlBuryJobs, sqlReadyJob, sqlLeaseJob, sqlInsertJob,
	sqlInsertDelivery,
}

// prepareTxStatements fills the cache with txStatements.
func (s *Store) prepareTxStatements(ctx context.Context) error {
	for _, q := range txStatements {
		if _, err := s.stmts.get(ctx, s.db, s.dialect.rebind(q)); err != nil {
			return fmt.Errorf("prepare %.40q...: %w", q, err)
		}
	}
	return nil
}

// stmt returns the prepared form of query (written with ? placeholders),
// bound to tx when q is one, or nil when q is a transaction and the query
// was not prepared beforehand.
func (s *Store) stmt(ctx context.Context, q execer, query string) (*sql.Stmt, error) {
	query = s.dialect.rebind(query)
	tx, inTx := q.(*sql.Tx)
	if inTx {
		st, ok := s.stmts.cached(query)
		if !ok {
			return nil, nil
		}
		return tx.StmtContext(ctx, st), nil
	}
	return s.stmts.get(ctx, s.db, query)
}

// exec runs a statement written with ? placeholders.
func (s *Store) exec(ctx context.Context, q execer, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, q, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return q.ExecContext(ctx, s.dialect.rebind(query), args...)
	}
	return st.ExecContext(ctx, args...)
}

// query runs a query written with ? placeholders.
func (s *Store) query(ctx context.Context, q execer, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return q.QueryContext(ctx, s.dialect.rebind(query), args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row query written with ? placeholders. When the
// statement cannot be prepared, the unprepared query reports the error.
func (s *Store) queryRow(ctx context.Context, q execer, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q, query)
	if err != nil || st == nil {
		return q.QueryRowContext(ctx, s.dialect.rebind(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// execer is what *sql.DB and *sql.Tx share.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
