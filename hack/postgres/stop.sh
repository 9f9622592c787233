#!/bin/sh
# stop.sh stops the PostgreSQL server started by hack/postgres/start.sh.
# With --purge it also deletes its data directory.
set -eu

PORT=${GITWAVE_PG_PORT:-55432}
BASE=${GITWAVE_PG_DIR:-/tmp/gitwave-postgres-$PORT}
DATA=$BASE/data

log() { echo "hack/postgres/stop.sh: $*" >&2; }

bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
	done
	dirname "$(command -v pg_ctl)"
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

if [ -s "$DATA/postmaster.pid" ]; then
	as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >&2
else
	log "no server running from $DATA"
fi

if [ "${1:-}" = "--purge" ]; then
	rm -rf "$BASE"
	log "removed $BASE"
fi
