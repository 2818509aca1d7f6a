#!/bin/bash
# The replica: on first start its data directory is copied from the primary with pg_basebackup (-R writes
# primary_conninfo and standby.signal, so it starts as a hot standby streaming from the primary through its slot);
# afterwards it simply starts. It answers read-only queries (ConnectionStrings__PostgresReplica).
set -euo pipefail
: "${PGDATA:?}" "${PRIMARY_HOST:?}" "${REPLICATION_SLOT:=replica_1}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do echo "waiting for $PRIMARY_HOST"; sleep 2; done
  rm -rf "$PGDATA"
  PGPASSWORD="$(cat /run/secrets/postgres_replication_password)" \
    pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator -D "$PGDATA" -X stream -S "$REPLICATION_SLOT" -R -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on -c max_connections=400 \
  -c log_error_verbosity=terse -c log_min_error_statement=panic -c log_parameter_max_length_on_error=0 -c log_parameter_max_length=0
