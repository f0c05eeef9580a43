#!/usr/bin/env bash
# Entrypoint of the local PostgreSQL stand-in (scripts/cluster/postgres-image.sh), written to behave
# like the official image's docker-entrypoint.sh for what the chart relies on:
#  - `postgres` (or `-flags`) as the command; anything else is exec'd as is;
#  - as root: creates $PGDATA and /var/run/postgresql, chowns them to postgres, re-runs itself as
#    postgres; as any other uid: creates them if it can (mkdir -p; chmod 700 $PGDATA);
#  - $PGDATA without PG_VERSION: POSTGRES_PASSWORD required (or POSTGRES_HOST_AUTH_METHOD=trust),
#    initdb with POSTGRES_USER (default postgres) and POSTGRES_INITDB_ARGS, scram-sha-256 for host
#    connections, POSTGRES_DB (default POSTGRES_USER) created, then
#    "PostgreSQL init process complete; ready for start up." (/docker-entrypoint-initdb.d is refused:
#    the image has no psql);
#  - an initialised $PGDATA is started as is.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
export PGDATA POSTGRES_USER POSTGRES_DB

create_dirs() {
  local user; user=$(id -u)
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [ "$user" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

create_dirs
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
MSG
    exit 1
  fi
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") ${POSTGRES_INITDB_ARGS:-}
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    # The official image runs CREATE DATABASE through psql on a socket-only temporary server;
    # this image has no psql, so it runs the same statement in single-user mode.
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  if compgen -G '/docker-entrypoint-initdb.d/*' >/dev/null; then
    echo "$0: /docker-entrypoint-initdb.d is not supported by this stand-in (no psql)" >&2
    exit 1
  fi
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
fi
exec "$@"
