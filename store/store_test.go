package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// postgresEnv names the PostgreSQL server the postgres variants run against,
// e.g. the DSN printed by hack/postgres/start.sh.
const postgresEnv = "GITWAVE_TEST_POSTGRES_DSN"

// testClock is a settable clock shared by every Store opened on a testDB.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testDB is one empty database; every Store a test opens on it shares the
// database and the clock, as replicas share a database.
type testDB struct {
	driver string
	dsn    string
	clock  *testClock
}

// open opens another Store on the database, closed when the test ends.
func (db *testDB) open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Driver: db.driver, DSN: db.dsn})
	if err != nil {
		t.Fatalf("open %s store: %v", db.driver, err)
	}
	s.now = db.clock.Now
	t.Cleanup(func() { s.Close() })
	return s
}

// forEachDB runs fn once per driver, each time on a fresh empty database.
func forEachDB(t *testing.T, fn func(t *testing.T, db *testDB)) {
	t.Helper()
	for _, driver := range []string{DriverSQLite, DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			db := &testDB{driver: driver, clock: &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
			if driver == DriverSQLite {
				db.dsn = filepath.Join(t.TempDir(), "state", "gitwave.db")
			} else {
				db.dsn = postgresSchema(t)
			}
			fn(t, db)
		})
	}
}

// forEachDriver runs fn once per driver with a Store on a fresh database.
func forEachDriver(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	forEachDB(t, func(t *testing.T, db *testDB) { fn(t, db.open(t)) })
}

var schemaSeq atomic.Int64

// postgresSchema creates a schema of its own for the test on the server in
// GITWAVE_TEST_POSTGRES_DSN, drops it when the test ends, and returns a DSN
// whose search_path points at it. Without the variable the test is skipped,
// except in CI, where it fails.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(postgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must start PostgreSQL (hack/postgres/start.sh) and export its DSN", postgresEnv)
		}
		t.Skipf("%s is not set; run: export %s=\"$(hack/postgres/start.sh)\"", postgresEnv, postgresEnv)
	}
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to %s: %v", postgresEnv, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("connect to drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

// withSearchPath adds a search_path runtime parameter to a URL or key=value DSN.
func withSearchPath(t *testing.T, dsn, schema string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ctx is the context of every call in the tests.
func ctx(t *testing.T) context.Context { return t.Context() }
