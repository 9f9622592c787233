// Package store keeps gitwave's state: sync history and the objects each sync
// touched, the inventory each app last deployed (prune is previous minus now),
// rollback pins, webhook deliveries already seen, a durable job queue, the ids
// of the comments gitwave posted on each pull request, and a leader lock.
//
// # Model
//
// One Store wraps one database. SQLite (modernc.org/sqlite, no cgo) is the
// default and needs nothing but a file; PostgreSQL (pgx) is for several
// replicas sharing state. Both run the same SQL, written with `?` placeholders
// and rewritten to `$n` for PostgreSQL. The schema is embedded, numbered per
// driver under migrations/, applied by Open and recorded in schema_migrations;
// two processes opening one database at once apply each migration once.
//
// Every guard that must hold across processes lives in the database, not in
// memory:
//
//   - One sync at a time per (app, cluster): a partial unique index admits a
//     single Running sync. A Running sync holds a lease that HeartbeatSync
//     renews; once it is older than SyncLease, a crashed process's sync no
//     longer blocks the next one and is reported as Error.
//   - Webhooks: Accept stores the delivery and enqueues its jobs in one
//     transaction, so an accepted event survives a crash and a redelivered one
//     (same host and delivery id) enqueues nothing; nor does a replayed one
//     (same host and work, under a new delivery id).
//   - Jobs: Claim leases the oldest ready job. A job whose lease runs out
//     (its worker died) is claimable again, so work is done at least once;
//     jobs sharing a Key never run at the same time; Dedupe collapses jobs
//     that are waiting or running. Fail retries after a delay until
//     MaxAttempts, then keeps the job as dead.
//   - TryLock elects one holder of a named lock for a time to live.
//
// Times are stored as Unix microseconds from the Store's clock. Leases
// compare times written by different replicas, so their clocks should agree
// to well under a lease (NTP is enough).
//
// SQLite runs in WAL mode with busy_timeout=5000, foreign keys on and every
// transaction started with BEGIN IMMEDIATE; each Store holds one connection,
// so statements of one process queue in database/sql rather than fight for
// SQLite's write lock. PostgreSQL serializes Claim with a transaction-level
// advisory lock and the migrations with another.
package store
