# Sourced by test.sh: a throwaway PostgreSQL for the suites that run on
# it, from Debian's postgresql package, in a temp dir on a loopback port;
# stopped and removed when the calling script exits. A server given in
# SLUICE_TEST_POSTGRES_URL (a role that may create databases) is used
# instead. If neither can be had, the run stops and says why: nothing is
# skipped.
#
# The same server is the workspace cluster of the tests: sign-in over TCP
# checks passwords (SCRAM), and `sluice_admin` is the role Sluice
# administers it as (CREATEDB and CREATEROLE, not a superuser), exported
# as SLUICE_TEST_CLUSTER_URL (its superuser, which the tests read the
# catalogs as, as SLUICE_TEST_CLUSTER_SUPERUSER_URL).

start_test_postgres() {
  if [ -n "${SLUICE_TEST_POSTGRES_URL:-}" ]; then
    say "PostgreSQL: using SLUICE_TEST_POSTGRES_URL (and SLUICE_TEST_CLUSTER_URL, or the same, as the workspace cluster)"
    export SLUICE_TEST_CLUSTER_URL="${SLUICE_TEST_CLUSTER_URL:-$SLUICE_TEST_POSTGRES_URL}"
    export SLUICE_TEST_CLUSTER_SUPERUSER_URL="${SLUICE_TEST_CLUSTER_SUPERUSER_URL:-$SLUICE_TEST_POSTGRES_URL}"
    return
  fi
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is needed for the tests and could not be installed (no initdb under /usr/lib/postgresql)." >&2
    exit 1
  fi
  pg_dir="$(mktemp -d /tmp/sluice-pg.XXXXXX)"
  # PostgreSQL refuses to run as root.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$pg_dir"
    as=(runuser -u postgres --)
  fi
  local port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  say "Starting a throwaway PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
  local password
  password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$pg_dir/pwfile"
  chmod 644 "$pg_dir/pwfile"
  "${as[@]}" "$bin/initdb" -D "$pg_dir/data" -U sluice --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }
  # Test data need not survive a power cut: no fsync. Many servers at
  # once, each with its pool: room for a few hundred connections.
  "${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start -o \
    "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" >/dev/null \
    || { tail -n 20 "$pg_dir/log" >&2; echo "PostgreSQL did not start" >&2; exit 1; }
  pg_stop=("${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -m immediate stop)
  trap 'stop_test_postgres' EXIT
  export SLUICE_TEST_POSTGRES_URL="postgres://sluice:$password@127.0.0.1:$port/postgres"
  "$bin/psql" -q -v ON_ERROR_STOP=1 "$SLUICE_TEST_POSTGRES_URL" >/dev/null <<SQL \
    || { echo "Could not make the workspace cluster's administrative role" >&2; exit 1; }
CREATE ROLE sluice_admin LOGIN CREATEDB CREATEROLE PASSWORD '$password';
GRANT SET ON PARAMETER temp_file_limit TO sluice_admin WITH GRANT OPTION;
REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE postgres TO sluice_admin;
SQL
  export SLUICE_TEST_CLUSTER_URL="postgres://sluice_admin:$password@127.0.0.1:$port/postgres"
  export SLUICE_TEST_CLUSTER_SUPERUSER_URL="$SLUICE_TEST_POSTGRES_URL"
}

stop_test_postgres() {
  if [ -n "${pg_dir:-}" ]; then
    "${pg_stop[@]}" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
