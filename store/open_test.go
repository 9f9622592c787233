package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func migrationCount(t *testing.T, s *Store) (rows, distinct int) {
	t.Helper()
	if err := s.db.QueryRowContext(ctx(t), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	return rows, distinct
}

func TestOpenAppliesMigrationsOnceAndKeepsDataAcrossReopen(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		want, err := migrations(db.driver)
		if err != nil {
			t.Fatal(err)
		}
		first := db.open(t)
		if err := first.SaveInventory(ctx(t), "web", "prod", "abc123", []InventoryEntry{{Kind: "Service", Namespace: "web", Name: "web"}}); err != nil {
			t.Fatal(err)
		}
		if err := first.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		for i := range 2 {
			s := db.open(t)
			if rows, distinct := migrationCount(t, s); rows != len(want) || distinct != len(want) {
				t.Errorf("open #%d: schema_migrations has %d rows (%d versions), want %d", i+2, rows, distinct, len(want))
			}
			rev, entries, err := s.Inventory(ctx(t), "web", "prod")
			if err != nil || rev != "abc123" || len(entries) != 1 {
				t.Errorf("open #%d: inventory = %q, %v, %v; want the one saved before reopening", i+2, rev, entries, err)
			}
		}
	})
}

func TestOpenConcurrentlyOnAFreshDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		const n = 4
		stores := make([]*Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(ctx(t), Options{Driver: db.driver, DSN: db.dsn}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open #%d: %v", i, err)
			}
			defer stores[i].Close()
		}
		want, _ := migrations(db.driver)
		if rows, _ := migrationCount(t, stores[0]); rows != len(want) {
			t.Errorf("schema_migrations has %d rows after %d concurrent opens, want %d", rows, n, len(want))
		}
	})
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		if _, err := s.exec(ctx(t), s.db, `INSERT INTO schema_migrations (version, name, applied_us) VALUES (?, ?, ?)`, 9999, "9999_future.sql", 1); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(ctx(t), Options{Driver: db.driver, DSN: db.dsn})
		if err == nil || !strings.Contains(err.Error(), "schema version 9999, newer than this gitwave") {
			t.Fatalf("Open on a database from a newer gitwave: err = %v, want it to name version 9999", err)
		}
	})
}

func TestOpenRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"unknown driver", Options{Driver: "mysql", DSN: "x"}, `unknown driver "mysql"`},
		{"sqlite without path", Options{}, "DSN must be the database file's path"},
		{"postgres without DSN", Options{Driver: DriverPostgres}, "DSN must be a postgres:// URL"},
		{"sqlite path is a directory", Options{DSN: dir}, "open sqlite store " + dir + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx(t), tt.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%+v) succeeded, want an error containing %q", tt.opts, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%+v) = %v, want it to contain %q", tt.opts, err, tt.want)
			}
		})
	}
}

func TestOpenErrorNeverShowsThePostgresPassword(t *testing.T) {
	const password = "hunter2-s3cret"
	_, err := Open(ctx(t), Options{Driver: DriverPostgres, DSN: "postgres://gitwave:" + password + "@127.0.0.1:1/gitwave?connect_timeout=2"})
	if err == nil {
		t.Fatal("Open against a closed port succeeded")
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "open postgres store") {
		t.Errorf("error %q does not say what was being opened", err)
	}
}

func TestErrorsMatchWithErrorsIs(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		_, err := s.LastSucceeded(ctx(t), "nope", "", 0)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "app nope") {
			t.Errorf("LastSucceeded of an unknown app = %v, want ErrNotFound naming the app", err)
		}
	})
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, sqlite, postgres string }{
		{"SELECT 1", "SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"?,?,?,?,?,?,?,?,?,?,?", "?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
	}
	for _, tt := range tests {
		sq, _ := dialectFor(DriverSQLite)
		pg, _ := dialectFor(DriverPostgres)
		if got := sq.rebind(tt.in); got != tt.sqlite {
			t.Errorf("sqlite rebind(%q) = %q, want %q", tt.in, got, tt.sqlite)
		}
		if got := pg.rebind(tt.in); got != tt.postgres {
			t.Errorf("postgres rebind(%q) = %q, want %q", tt.in, got, tt.postgres)
		}
	}
}

func TestSQLiteFileIsCreatedWhereAskedWithWALAndTimeouts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data dir #1?", "gitwave.db")
	s, err := Open(ctx(t), Options{DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at %s: %v", path, err)
	}
	pragmas := []struct{ name, want string }{
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"foreign_keys", "1"},
	}
	for _, p := range pragmas {
		var got string
		if err := s.db.QueryRowContext(ctx(t), "PRAGMA "+p.name).Scan(&got); err != nil || got != p.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", p.name, got, err, p.want)
		}
	}
}
