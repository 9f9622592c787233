#!/bin/sh
# start.sh starts a throwaway PostgreSQL server on loopback for gitwave's store
# tests and prints its DSN on stdout (nothing else goes to stdout):
#
#   export GITWAVE_TEST_POSTGRES_DSN="$(hack/postgres/start.sh)"
#
# It is idempotent: when a server already answers on the port it is reused.
# The cluster lives in $GITWAVE_PG_DIR (default /tmp/gitwave-postgres-PORT),
# trusts local connections, and trades durability for speed (fsync off): it is
# for tests only. Run as root, the server runs as the "postgres" user, since
# PostgreSQL refuses to run as root. Stop it with hack/postgres/stop.sh.
set -eu

PORT=${GITWAVE_PG_PORT:-55432}
BASE=${GITWAVE_PG_DIR:-/tmp/gitwave-postgres-$PORT}
DATA=$BASE/data
SOCK=$BASE/sock
LOG=$BASE/server.log
DB=gitwave
USER_NAME=gitwave
DSN="postgres://$USER_NAME@127.0.0.1:$PORT/$DB?sslmode=disable"

log() { echo "hack/postgres/start.sh: $*" >&2; }

bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
	done
	if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
	log "no PostgreSQL server binaries found; install them: apt-get install -y postgresql"
	return 1
}
if ! BIN=$(bindir 2>/dev/null); then
	# A new machine without the server: install Debian's package (root only).
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing PostgreSQL from Debian's packages ..."
		apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
	fi
	BIN=$(bindir)
fi

# as_owner runs a command as the user that owns the cluster.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres >/dev/null 2>&1; }

if ready; then
	log "reusing the server already answering on 127.0.0.1:$PORT"
	echo "$DSN"
	exit 0
fi

mkdir -p "$BASE" "$SOCK"
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		log "running as root needs a 'postgres' user to own the server (apt-get install postgresql creates it)"
		exit 1
	fi
	chown postgres "$BASE" "$SOCK"
fi

if [ ! -s "$DATA/PG_VERSION" ]; then
	log "initializing a cluster in $DATA"
	as_owner "$BIN/initdb" -D "$DATA" -U "$USER_NAME" -A trust -E UTF8 --no-sync >"$BASE/initdb.log" 2>&1 || {
		log "initdb failed; see $BASE/initdb.log"
		exit 1
	}
fi

log "starting PostgreSQL on 127.0.0.1:$PORT (log: $LOG)"
as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
	-o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
	start >&2 || {
	log "pg_ctl start failed; see $LOG"
	exit 1
}

if ! as_owner "$BIN/psql" -h "$SOCK" -p "$PORT" -U "$USER_NAME" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
	as_owner "$BIN/createdb" -h "$SOCK" -p "$PORT" -U "$USER_NAME" "$DB" >&2
fi

echo "$DSN"
