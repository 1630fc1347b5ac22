#!/usr/bin/env bash
# Install (Debian package) and start PostgreSQL, and give the current user a role.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ]; then
    log "installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin)"
[ -n "$PG_BIN" ] || die "PostgreSQL is not installed and could not be installed"

if ! "$PG_BIN/pg_isready" -q -h "$PG_SOCKET_DIR"; then
    log "starting PostgreSQL"
    version="$(basename "$(dirname "$PG_BIN")")"
    if command -v pg_ctlcluster >/dev/null && [ -d "/etc/postgresql/$version/main" ]; then
        as_root pg_ctlcluster "$version" main start || true
    fi
    for _ in $(seq 1 30); do
        "$PG_BIN/pg_isready" -q -h "$PG_SOCKET_DIR" && break
        sleep 1
    done
    "$PG_BIN/pg_isready" -q -h "$PG_SOCKET_DIR" || die "PostgreSQL did not start (socket $PG_SOCKET_DIR)"
fi

role="$(id -un)"
if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; then
    exists="$(as_root su postgres -c "psql -h '$PG_SOCKET_DIR' -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$role'\"")"
    if [ "$exists" != 1 ]; then
        log "creating PostgreSQL role $role"
        as_root su postgres -c "psql -h '$PG_SOCKET_DIR' -qc 'CREATE ROLE \"$role\" LOGIN CREATEDB'"
    fi
fi
