#!/usr/bin/env bash
# Entrypoint of the PostgreSQL stand-in (scripts/cluster/postgres-image.sh, the one builder of it),
# written to behave like the official postgres:*-alpine image's docker-entrypoint.sh in what the
# chart, the pipeline's test service and docker run rely on:
#  - `postgres` (or `-flags`) as the command; anything else, and postgres --help/--version/-C/
#    --describe-config, is exec'd as is;
#  - POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS or their *_FILE variants;
#  - creates $PGDATA (chmod 700), /var/run/postgresql (chmod 3775) and $POSTGRES_INITDB_WALDIR if
#    set; as root it also chowns them to postgres (uid/gid 70, as alpine's) and re-runs itself as
#    postgres; as any other uid (runAsUser: 70, or docker run --user) it uses what it can create;
#  - $PGDATA without PG_VERSION: POSTGRES_PASSWORD required (or POSTGRES_HOST_AUTH_METHOD=trust),
#    initdb with POSTGRES_USER (default postgres) and POSTGRES_INITDB_ARGS, scram-sha-256 for host
#    connections, POSTGRES_DB (default POSTGRES_USER) created, /docker-entrypoint-initdb.d/*.sh and
#    *.sql run, then "PostgreSQL init process complete; ready for start up.";
#  - an initialised $PGDATA is started as is.
# Differences: the image has no psql, so CREATE DATABASE and *.sql files run through postgres
# --single instead of psql against a temporary server; the socket directory /var/run/postgresql is a
# line in the new postgresql.conf instead of compiled in.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
wants_help() { local a; for a; do case "$a" in -'?'|--help|--describe-config|-V|--version|-C) return 0 ;; esac; done; return 1; }
if [ "$1" != postgres ] || wants_help "$@"; then exec "$@"; fi

# VAR or the contents of the file VAR_FILE names (never both), as the official image reads secrets
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-} value=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  if [ -n "${!var:-}" ]; then value=${!var}; elif [ -n "${!file_var:-}" ]; then value=$(<"${!file_var}"); fi
  export "$var"="$value"
  unset "$file_var"
}
file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
export PGDATA POSTGRES_HOST_AUTH_METHOD

create_dirs() {
  local user; user=$(id -u)
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :          # postgres refuses a data directory others can read
  mkdir -p /var/run/postgresql || :   # the image has it; a read-only root with an emptyDir there too
  chmod 03775 /var/run/postgresql || :
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    [ "$user" = 0 ] && find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
    chmod 700 "$POSTGRES_INITDB_WALDIR"
  fi
  if [ "$user" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

create_dirs
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

single() { postgres --single -j -D "$PGDATA" "$@" >/dev/null; }

if [ -s "$PGDATA/PG_VERSION" ]; then
  echo
  echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
  echo
else
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
MSG
    exit 1
  fi
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    ${POSTGRES_INITDB_WALDIR:+--waldir "$POSTGRES_INITDB_WALDIR"} $POSTGRES_INITDB_ARGS
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
  # The official build has /var/run/postgresql compiled in as the socket directory; this build has
  # /tmp, and initdb rewrites the setting in the sample, so it goes into the new postgresql.conf.
  printf "\nunix_socket_directories = '/var/run/postgresql'\n" >>"$PGDATA/postgresql.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | single postgres
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        # executable: run; otherwise sourced, as the official image does
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) echo "$0: running $f"; single "$POSTGRES_DB" <"$f" ;;
      *) [ -e "$f" ] && echo "$0: ignoring $f" ;;
    esac
  done
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
fi
exec "$@"
