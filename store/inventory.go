package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gitwave/gitwave/applier/record"
)

// InventoryEntry names one object an app deployed to a cluster.
type InventoryEntry = record.InventoryEntry

// compareEntries orders entries by group, kind, namespace, name, then version.
func compareEntries(a, b InventoryEntry) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
}

// Inventory returns the objects app last deployed to cluster and the revision
// they came from, sorted by group, kind, namespace and name. An app never
// deployed there has an empty revision and no entries (not an error), so that
// prune, previous minus now, removes nothing.
func (s *Store) Inventory(ctx context.Context, app, cluster string) (revision string, entries []InventoryEntry, err error) {
	var blob string
	err = s.queryRow(ctx, s.db, `SELECT revision, entries FROM inventories WHERE app = ? AND cluster = ?`,
		app, cluster).Scan(&revision, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("read inventory of app %s on cluster %s: %w", app, cluster, err)
	}
	if err := json.Unmarshal([]byte(blob), &entries); err != nil {
		return "", nil, fmt.Errorf("read inventory of app %s on cluster %s: decode: %w", app, cluster, err)
	}
	if len(entries) == 0 {
		entries = nil
	}
	return revision, entries, nil
}

// SaveInventory replaces the inventory of app on cluster with entries,
// deployed from revision. Duplicate entries are stored once.
func (s *Store) SaveInventory(ctx context.Context, app, cluster, revision string, entries []InventoryEntry) error {
	if app == "" || cluster == "" {
		return fmt.Errorf("save inventory: app (%q) and cluster (%q) are required", app, cluster)
	}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, compareEntries)
	sorted = slices.Compact(sorted)
	if sorted == nil {
		sorted = []InventoryEntry{}
	}
	blob, err := json.Marshal(sorted)
	if err != nil {
		return fmt.Errorf("save inventory of app %s on cluster %s: encode: %w", app, cluster, err)
	}
	_, err = s.exec(ctx, s.db, `INSERT INTO inventories (app, cluster, revision, entries, updated_us) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (app, cluster) DO UPDATE SET revision = excluded.revision, entries = excluded.entries, updated_us = excluded.updated_us`,
		app, cluster, revision, string(blob), micros(s.now()))
	if err != nil {
		return fmt.Errorf("save inventory of app %s on cluster %s: %w", app, cluster, err)
	}
	return nil
}
