package store

import (
	"context"
	"fmt"
)

// Ping runs one query on the database, so that a server's readiness probe
// fails while its store cannot answer (PostgreSQL down, SQLite file gone
// or locked past busy_timeout).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping %s store: %w", s.dialect.name, err)
	}
	return nil
}
