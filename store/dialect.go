package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"               // registers the "sqlite" database/sql driver
)

// Advisory lock ids (PostgreSQL) for the two places where every replica must
// take turns. Arbitrary constants; "gw" followed by a small number.
const (
	advisoryMigrate int64 = 0x67770001
	advisoryClaim   int64 = 0x67770002
)

// dialect is what differs between the two databases.
type dialect struct {
	name string
	// numbered is true when placeholders are $1, $2, ... (PostgreSQL).
	numbered bool
}

func dialectFor(driver string) (dialect, error) {
	switch driver {
	case "", DriverSQLite:
		return dialect{name: DriverSQLite}, nil
	case DriverPostgres:
		return dialect{name: DriverPostgres, numbered: true}, nil
	default:
		return dialect{}, fmt.Errorf("open store: unknown driver %q (want %q or %q)", driver, DriverSQLite, DriverPostgres)
	}
}

// open returns a connection pool configured for the driver.
func (d dialect) open(dsn string) (*sql.DB, error) {
	if dsn == "" {
		if d.name == DriverSQLite {
			return nil, fmt.Errorf("open sqlite store: DSN must be the database file's path")
		}
		return nil, fmt.Errorf("open postgres store: DSN must be a postgres:// URL or key=value connection string")
	}
	if d.name == DriverPostgres {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres store: %w", err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(4)
		return db, nil
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite store %s: create directory: %w", dsn, err)
		}
	}
	db, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", dsn, err)
	}
	// One connection: this process's statements queue in database/sql
	// instead of contending for SQLite's single write lock.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// sqliteDSN turns a file path into a modernc.org/sqlite DSN with the pragmas
// the Store relies on.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: q.Encode()}
	return u.String()
}

// where names the database in errors without leaking credentials: the file
// path for SQLite, nothing for PostgreSQL (its DSN may hold a password).
func (d dialect) where(dsn string) string {
	if d.name == DriverSQLite {
		return " " + dsn
	}
	return ""
}

// rebind rewrites ? placeholders to $1, $2, ... for PostgreSQL. Queries in
// this package never hold a literal question mark.
func (d dialect) rebind(query string) string {
	if !d.numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// serialize makes concurrent transactions that call it take turns on id
// until they end. SQLite needs nothing: BEGIN IMMEDIATE already holds the
// database's write lock.
func (d dialect) serialize(ctx context.Context, tx *sql.Tx, id int64) error {
	if d.name != DriverPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", id); err != nil {
		return fmt.Errorf("take advisory lock %#x: %w", id, err)
	}
	return nil
}

// sqliteBusy is SQLite's primary result code SQLITE_BUSY.
const sqliteBusy = 5

// busy reports whether err is SQLite saying another connection holds the
// lock it needs after busy_timeout ran out.
func (d dialect) busy(err error) bool {
	var se *sqlite.Error
	return d.name == DriverSQLite && errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}
