#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (installing it if missing) and makes the test role.
# Prints the admin URL the database tests use to create a throw-away database per test.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null; then
  echo "[ehd] installing postgresql" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
cluster=$(pg_lsclusters --no-header | head -1)
[[ -n "$cluster" ]] || { echo "no PostgreSQL cluster found" >&2; exit 1; }
read -r version name port status _ <<<"$cluster"
if [[ "$status" != online* ]]; then
  echo "[ehd] starting PostgreSQL $version/$name" >&2
  pg_ctlcluster "$version" "$name" start >&2
fi
su postgres -c "psql -qp $port" >&2 <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ehd_test') THEN
    CREATE ROLE ehd_test LOGIN CREATEDB PASSWORD 'ehd_test';
  END IF;
END$$;
SQL
echo "postgres://ehd_test:ehd_test@127.0.0.1:$port/postgres"
