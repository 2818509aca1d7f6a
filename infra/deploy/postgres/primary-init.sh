#!/bin/bash
# Run once by the postgres image when the primary's data directory is created: a role that may stream the WAL to the
# replica (its password from the postgres_replication_password secret), the replica's slot, and a pg_hba.conf line
# letting that role replicate over the network with a password.
set -euo pipefail
password="$(cat /run/secrets/postgres_replication_password)"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --set=password="$password" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('replica_1');
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
