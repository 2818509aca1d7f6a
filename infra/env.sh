# Shared settings and helpers for infra/run and infra/test. Sourced, never executed.
# Every value can be overridden from the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${TAKEDOWNS_DATA:-$ROOT/.data}"
PG_PORT="${TAKEDOWNS_PG_PORT:-55432}"
PG_REPLICA_PORT="${TAKEDOWNS_PG_REPLICA_PORT:-55433}"
PG_DB="${TAKEDOWNS_PG_DB:-takedowns}"
PG_USER="${TAKEDOWNS_PG_USER:-takedowns}"
PG_PASSWORD="${TAKEDOWNS_PG_PASSWORD:-takedowns}"
RABBIT_PORT="${TAKEDOWNS_RABBITMQ_PORT:-56720}"
RABBIT_DIST_PORT="${TAKEDOWNS_RABBITMQ_DIST_PORT:-56721}"
RABBIT_NODE="${TAKEDOWNS_RABBITMQ_NODE:-takedowns@localhost}"
RABBIT_USER="${TAKEDOWNS_RABBITMQ_USER:-takedowns}"
RABBIT_PASSWORD="${TAKEDOWNS_RABBITMQ_PASSWORD:-takedowns}"

export TAKEDOWNS_RABBITMQ_NODE="$RABBIT_NODE"
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=$PG_DB;Username=$PG_USER;Password=$PG_PASSWORD;Maximum Pool Size=50"
export RabbitMq__Host="127.0.0.1"
export RabbitMq__Port="$RABBIT_PORT"
export RabbitMq__Username="$RABBIT_USER"
export RabbitMq__Password="$RABBIT_PASSWORD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[takedowns] %s\n' "$*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

# Installs PostgreSQL and RabbitMQ from the distribution's packages when they are missing.
install_dependencies() {
  local missing=()
  pg_bin >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d refuses to start the system-wide services inside containers; that is expected.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || true
  pg_bin >/dev/null && [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || { log "installing ${missing[*]} failed"; exit 1; }
}

# The servers run as the postgres and rabbitmq users, which cannot enter a checkout under /root.
# Then their data lives under /var/lib/takedowns/<hash of the checkout path>, linked from .data/.
server_dir() { # name owner
  local name="$1" owner="$2" link="$DATA/$1"
  mkdir -p "$DATA"
  if [ -L "$link" ] || [ -d "$link" ]; then echo "$link"; return; fi
  if runuser -u "$owner" -- test -x "$DATA" 2>/dev/null; then
    mkdir -p "$link"
  else
    local target="/var/lib/takedowns/$(printf '%s' "$DATA" | sha256sum | cut -c1-12)/$name"
    mkdir -p "$target"; chmod 755 /var/lib/takedowns "$(dirname "$target")"
    ln -sfn "$target" "$link"
  fi
  chown "$owner" "$link/"
  echo "$link"
}

# PostgreSQL sized to the machine (or its cgroup's memory limit, whichever is less): a quarter of the memory for shared
# buffers (at most 4 GiB), half as the planner's idea of the page cache; a WAL ceiling of a quarter of the free space on
# the data directory's disk (1 to 16 GiB), so that a history import checkpoints a few times rather than every couple of
# minutes (each checkpoint writes every dirty buffer again and logs each page's first change after it whole), and those
# whole pages compressed (lz4). Random reads priced near sequential ones (1.1: the working set is in memory), so that
# lookups of a page's ids use their indexes instead of scanning tables that grew since they were last analysed; parallel
# query only with cores to spare (a quarter of them per query; none on two), as a page's short statements cost more in
# starting workers than the workers save. Fixed values can be given in TAKEDOWNS_PG_SETTINGS ("-c name=value ...").
pg_settings() { # data directory
  if [ -n "${TAKEDOWNS_PG_SETTINGS:-}" ]; then echo "$TAKEDOWNS_PG_SETTINGS"; return; fi
  local mb limit free wal
  mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
  limit="$(cat /sys/fs/cgroup/memory.max 2>/dev/null || echo max)"
  if [[ "$limit" =~ ^[0-9]+$ ]] && [ $(( limit / 1048576 )) -lt "$mb" ]; then mb=$(( limit / 1048576 )); fi
  local buffers=$(( mb / 4 )); [ "$buffers" -gt 4096 ] && buffers=4096; [ "$buffers" -lt 128 ] && buffers=128
  local maintenance=$(( mb / 16 )); [ "$maintenance" -gt 1024 ] && maintenance=1024; [ "$maintenance" -lt 64 ] && maintenance=64
  free=$(df -Pm "$1" 2>/dev/null | awk 'NR == 2 {print $4}'); [[ "$free" =~ ^[0-9]+$ ]] || free=0
  wal=$(( free / 4 )); [ "$wal" -gt 16384 ] && wal=16384; [ "$wal" -lt 1024 ] && wal=1024
  local parallel=$(( $(nproc) / 4 ))
  echo "-c shared_buffers=${buffers}MB -c effective_cache_size=$(( mb / 2 ))MB -c maintenance_work_mem=${maintenance}MB" \
    "-c work_mem=16MB -c max_wal_size=${wal}MB -c checkpoint_timeout=15min -c wal_compression=lz4" \
    "-c random_page_cost=1.1 -c max_parallel_workers_per_gather=$parallel"
}

pg_running() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

STARTED_POSTGRES=0
STARTED_RABBITMQ=0
STARTED_REPLICA=0

replica_running() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_REPLICA_PORT" 2>/dev/null; }

# A streaming replica of the private PostgreSQL on 127.0.0.1:$PG_REPLICA_PORT, read-only: copied once with pg_basebackup
# (which writes standby.signal and the primary's address), then kept up to date by streaming replication. Public
# queries can be pointed at it (ConnectionStrings__PostgresReplica). Small settings: it serves reads only.
start_replica() {
  if replica_running; then log "PostgreSQL replica already answers on 127.0.0.1:$PG_REPLICA_PORT"; return; fi
  STARTED_REPLICA=1
  local bin dir; bin="$(pg_bin)"; dir="$(server_dir pg-replica postgres)"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "copying PostgreSQL into a replica in $dir (pg_basebackup)"
    chown postgres "$dir"; chmod 700 "$dir"
    # (the primary's socket sits in its data directory: pg_basebackup says it skips it)
    runuser -u postgres -- "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$dir" -R -X stream -c fast \
      2> >(grep -v 'skipping special file' >&2) >/dev/null
  fi
  log "starting the PostgreSQL replica on 127.0.0.1:$PG_REPLICA_PORT"
  local base="-p $PG_REPLICA_PORT -c listen_addresses=127.0.0.1 -k $dir -c hot_standby=on -c max_connections=300"
  base+=" -c shared_buffers=128MB -c shared_preload_libraries=pg_stat_statements"
  base+=" -c log_error_verbosity=terse -c log_min_error_statement=panic -c log_parameter_max_length_on_error=0 -c log_parameter_max_length=0"
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$base" start >/dev/null
}

stop_replica() {
  local dir="$DATA/pg-replica"
  [ -f "$dir/postmaster.pid" ] || return 0
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

start_postgres() {
  if pg_running; then log "PostgreSQL already answers on 127.0.0.1:$PG_PORT"; else
    STARTED_POSTGRES=1
    local bin dir; bin="$(pg_bin)"; dir="$(server_dir pg postgres)"
    if [ ! -f "$dir/PG_VERSION" ]; then
      log "initialising PostgreSQL in $dir"
      chown postgres "$dir"; chmod 700 "$dir"
      runuser -u postgres -- "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    rm -f "$dir/postmaster.pid.stale"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # The server's log never quotes what a statement carried: no statement text, no CONTEXT (a JSON error's context
    # quotes the row), no parameters.
    local base="-p $PG_PORT -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300 -c fsync=on -c shared_preload_libraries=pg_stat_statements"
    base+=" -c log_error_verbosity=terse -c log_min_error_statement=panic -c log_parameter_max_length_on_error=0 -c log_parameter_max_length=0"
    local sized; sized="$(pg_settings "$dir")"
    if ! runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$base $sized" start >/dev/null; then
      # A machine that refuses the memory asked for (a container's shared-memory limit, say) still gets a server.
      log "PostgreSQL did not start with '$sized' (see $dir/server.log); starting it with its default settings"
      runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$base" start >/dev/null
    fi
  fi
  local psql=("$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -d postgres -c "select 1 from pg_roles where rolname='$PG_USER'")" != 1 ]; then
    "${psql[@]}" -d postgres -c "create role \"$PG_USER\" login superuser password '$PG_PASSWORD'"
  fi
  if [ "$("${psql[@]}" -d postgres -c "select 1 from pg_database where datname='$PG_DB'")" != 1 ]; then
    "${psql[@]}" -d postgres -c "create database \"$PG_DB\" owner \"$PG_USER\""
  fi
}

stop_postgres() {
  local dir="$DATA/pg"
  [ -f "$dir/postmaster.pid" ] || return 0
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

rabbitmqctl_() { # runs rabbitmqctl as the rabbitmq user, so it shares the node's Erlang cookie
  runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$RABBIT_NODE" "$@"
}

rabbit_running() { rabbitmqctl_ await_startup --timeout 2 >/dev/null 2>&1; }

# Launches one RabbitMQ node on loopback, with its data under .data/<dirname>, and waits until it answers.
launch_rabbit_node() { # node port dist-port dirname [nowait]
  local node="$1" port="$2" dist="$3" dir; dir="$(server_dir "$4" rabbitmq)"
  mkdir -p "$dir/mnesia" "$dir/log"; chown -R rabbitmq "$dir"
  log "starting RabbitMQ node $node on 127.0.0.1:$port"
  # a stale pid file from a crash would make the start script believe the node runs
  rm -f "$dir/rabbit.pid"
  ( cd /var/lib/rabbitmq && exec setsid runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq \
      ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
      RABBITMQ_DIST_PORT="$dist" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
      RABBITMQ_PID_FILE="$dir/rabbit.pid" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
      /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/log/console.log" 2>&1 ) &
  echo $! > "$DATA/$4.launcher.pid"
  [ "${5:-}" = nowait ] || wait_rabbit_node "$node" "$dir"
}

wait_rabbit_node() { # node dir
  local i
  for i in $(seq 1 120); do node_running "$1" && return 0; sleep 1; done
  log "RabbitMQ node $1 did not start; see $2/log"; tail -20 "$2/log/console.log" >&2; exit 1
}

node_running() { RABBIT_NODE="$1" rabbitmqctl_ await_startup --timeout 2 >/dev/null 2>&1; }

# The user the services connect as, and the policy every virtual host gets (below), on a running node.
prepare_rabbit_node() { # node
  local node="$1"
  if ! RABBIT_NODE="$node" rabbitmqctl_ list_users | grep -q "^$RABBIT_USER"; then
    RABBIT_NODE="$node" rabbitmqctl_ add_user "$RABBIT_USER" "$RABBIT_PASSWORD" >/dev/null
    RABBIT_NODE="$node" rabbitmqctl_ set_user_tags "$RABBIT_USER" administrator >/dev/null
    RABBIT_NODE="$node" rabbitmqctl_ set_permissions -p / "$RABBIT_USER" '.*' '.*' '.*' >/dev/null
  fi
  RABBIT_NODE="$node" queue_policy /
}

# Every quorum queue of a virtual host: a message delivered 20 times without being settled (its consumer crashed each
# time) is dead-lettered to the exchange takedowns.dead-letters (a queue of that name, which the services declare, keeps
# it) instead of being delivered for ever.
queue_policy() { # vhost
  rabbitmqctl_ set_policy -p "$1" --apply-to queues takedowns-queues '.*' \
    '{"delivery-limit": 20, "dead-letter-exchange": "takedowns.dead-letters"}' >/dev/null
}

start_rabbitmq() {
  if rabbit_running; then log "RabbitMQ node $RABBIT_NODE already running"; else
    STARTED_RABBITMQ=1
    launch_rabbit_node "$RABBIT_NODE" "$RABBIT_PORT" "$RABBIT_DIST_PORT" rabbitmq
  fi
  prepare_rabbit_node "$RABBIT_NODE"
}

# A three-node RabbitMQ cluster on this machine (for the fault suite): nodes takedowns-a, -b and -c on ports
# $RABBIT_CLUSTER_PORT, +2 and +4 (their distribution ports one above each), joined to takedowns-a.
RABBIT_CLUSTER_PORT="${TAKEDOWNS_RABBITMQ_CLUSTER_PORT:-56730}"
CLUSTER_NODES=(a b c)
cluster_node() { echo "takedowns-$1@localhost"; }
cluster_port() { local i; for i in "${!CLUSTER_NODES[@]}"; do [ "${CLUSTER_NODES[$i]}" = "$1" ] && echo $(( RABBIT_CLUSTER_PORT + 2 * i )); done; }

start_cluster_node() { # a|b|c [nowait]
  local node; node="$(cluster_node "$1")"
  node_running "$node" && return 0
  launch_rabbit_node "$node" "$(cluster_port "$1")" "$(( $(cluster_port "$1") + 1 ))" "rabbitmq-$1" "${2:-}"
}

start_rabbitmq_cluster() {
  local n first; first="$(cluster_node a)"
  # All at once: a node that stopped before the others waits for them to come back before it answers.
  for n in "${CLUSTER_NODES[@]}"; do start_cluster_node "$n" nowait; done
  for n in "${CLUSTER_NODES[@]}"; do wait_rabbit_node "$(cluster_node "$n")" "$DATA/rabbitmq-$n"; done
  for n in b c; do
    local node; node="$(cluster_node "$n")"
    if ! RABBIT_NODE="$node" rabbitmqctl_ cluster_status 2>/dev/null | grep -q "$first"; then
      log "joining $node to $first"
      RABBIT_NODE="$node" rabbitmqctl_ stop_app >/dev/null
      RABBIT_NODE="$node" rabbitmqctl_ reset >/dev/null
      RABBIT_NODE="$node" rabbitmqctl_ join_cluster "$first" >/dev/null
      RABBIT_NODE="$node" rabbitmqctl_ start_app >/dev/null
    fi
  done
  prepare_rabbit_node "$first"
}

stop_cluster_node() { # a|b|c
  RABBIT_NODE="$(cluster_node "$1")" rabbitmqctl_ stop >/dev/null 2>&1 || true
}

stop_rabbitmq_cluster() {
  local n; for n in "${CLUSTER_NODES[@]}"; do stop_cluster_node "$n"; done
}

stop_rabbitmq() {
  rabbit_running || return 0
  rabbitmqctl_ stop >/dev/null 2>&1 || true
  # Erlang's port mapper outlives the node; asked to stop (it refuses while another node still uses it).
  runuser -u rabbitmq -- env ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill >/dev/null 2>&1 || true
}

start_dependencies() {
  install_dependencies
  start_postgres
  start_replica
  start_rabbitmq
}

# --- the services ---------------------------------------------------------------------------------
SERVICES=(correlation publishing escalation intake gateway)   # start order: consumers bind their queues first
declare -A SERVICE_PROJECT=([intake]=Takedowns.Intake [correlation]=Takedowns.Correlation [publishing]=Takedowns.Publishing [escalation]=Takedowns.Escalation [gateway]=Takedowns.Gateway)
declare -A SERVICE_PORT=([intake]="${TAKEDOWNS_INTAKE_PORT:-5101}" [correlation]="${TAKEDOWNS_CORRELATION_PORT:-5102}" [publishing]="${TAKEDOWNS_PUBLISHING_PORT:-5103}" [escalation]="${TAKEDOWNS_ESCALATION_PORT:-5104}" [gateway]="${TAKEDOWNS_GATEWAY_PORT:-8080}")
CONFIGURATION="${TAKEDOWNS_CONFIGURATION:-Release}"
PIDS="$DATA/pids"

service_url() { echo "http://127.0.0.1:${SERVICE_PORT[$1]}"; }

admin_key() {
  if [ -n "${TAKEDOWNS_ADMIN_KEY:-}" ]; then echo "$TAKEDOWNS_ADMIN_KEY"; return; fi
  if [ ! -s "$DATA/admin.key" ]; then
    mkdir -p "$DATA"; (umask 077; head -c 32 /dev/urandom | base64 | tr -d '=+/\n' > "$DATA/admin.key")
  fi
  cat "$DATA/admin.key"
}

# The key webhook secrets are encrypted with: TAKEDOWNS_SECRETS_KEY, else kept in .data/secrets.key.
secrets_key() {
  if [ -n "${TAKEDOWNS_SECRETS_KEY:-}" ]; then echo "$TAKEDOWNS_SECRETS_KEY"; return; fi
  if [ ! -s "$DATA/secrets.key" ]; then
    mkdir -p "$DATA"; (umask 077; head -c 32 /dev/urandom | base64 > "$DATA/secrets.key")
  fi
  cat "$DATA/secrets.key"
}

# The P-256 key escalation packets are signed with (PKCS#8, base64): TAKEDOWNS_SIGNING_KEY, else kept in .data/signing.key.
signing_key() {
  if [ -n "${TAKEDOWNS_SIGNING_KEY:-}" ]; then echo "$TAKEDOWNS_SIGNING_KEY"; return; fi
  if [ ! -s "$DATA/signing.key" ]; then
    mkdir -p "$DATA"
    (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null \
      | openssl pkcs8 -topk8 -nocrypt -outform DER | base64 -w0 > "$DATA/signing.key")
  fi
  cat "$DATA/signing.key"
}

# Stops the services a previous run started, by the PIDs it recorded.
stop_services() {
  local f pid
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

start_service() { # name
  local name="$1" project="${SERVICE_PROJECT[$1]}" dir
  dir="$ROOT/artifacts/bin/$project/${CONFIGURATION,,}"
  mkdir -p "$PIDS" "$DATA/logs"
  if (exec 3<>"/dev/tcp/127.0.0.1/${SERVICE_PORT[$name]}") 2>/dev/null; then
    log "port ${SERVICE_PORT[$name]} ($name) is taken by another process; free it or set TAKEDOWNS_${name^^}_PORT"; return 1
  fi
  ( cd "$dir" && exec env ASPNETCORE_URLS="$(service_url "$name")" TAKEDOWNS_ADMIN_KEY="$(admin_key)" \
      TAKEDOWNS_SECRETS_KEY="$(secrets_key)" TAKEDOWNS_SIGNING_KEY="$(signing_key)" \
      Services__intake="$(service_url intake)" Services__correlation="$(service_url correlation)" \
      Services__publishing="$(service_url publishing)" Services__escalation="$(service_url escalation)" \
      dotnet "$project.dll" >>"$DATA/logs/$name.log" 2>&1 ) &
  echo $! > "$PIDS/$name.pid"
}

wait_ready() { # name [seconds]
  local name="$1" limit="${2:-120}" i
  for i in $(seq 1 "$limit"); do
    curl -fsS -o /dev/null "$(service_url "$name")/health/ready" 2>/dev/null && return 0
    kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null || { log "$name exited; last lines of $DATA/logs/$name.log:"; tail -30 "$DATA/logs/$name.log" >&2; return 1; }
    sleep 1
  done
  log "$name not ready after ${limit}s; see $DATA/logs/$name.log"; return 1
}

# --- tools the tests use --------------------------------------------------------------------------
REDOCLY_VERSION="${TAKEDOWNS_REDOCLY_VERSION:-2.77.0}"
# The deployment files' validators (DeploymentFilesTests): the Compose specification's schema and rules (dclint), the
# Kubernetes API's schemas (kubernetes-models) and a YAML parser for infra/deploy/validate.mjs.
DCLINT_VERSION="${TAKEDOWNS_DCLINT_VERSION:-3.1.0}"
KUBERNETES_MODELS_VERSION="${TAKEDOWNS_KUBERNETES_MODELS_VERSION:-5.1.0}"
YAML_VERSION="${TAKEDOWNS_YAML_VERSION:-2.9.1}"
TOOLS="$DATA/tools"
export TAKEDOWNS_TOOLS="$TOOLS"

# The test tools, from the npm registry, kept under .data/tools; only the missing ones are installed.
install_tools() {
  local wanted=()
  [ -x "$TOOLS/node_modules/.bin/redocly" ] || wanted+=("@redocly/cli@$REDOCLY_VERSION")
  [ -x "$TOOLS/node_modules/.bin/dclint" ] || wanted+=("dclint@$DCLINT_VERSION")
  [ -f "$TOOLS/node_modules/kubernetes-models/package.json" ] || wanted+=("kubernetes-models@$KUBERNETES_MODELS_VERSION")
  [ -f "$TOOLS/node_modules/yaml/package.json" ] || wanted+=("yaml@$YAML_VERSION")
  [ ${#wanted[@]} -eq 0 ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm (apt-get)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
  fi
  log "installing ${wanted[*]} into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error "${wanted[@]}" >/dev/null
}
