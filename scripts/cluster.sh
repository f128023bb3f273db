#!/usr/bin/env bash
# cluster.sh — a PRIVATE RabbitMQ cluster (3 nodes by default) on this machine, for tests.
#
#   scripts/cluster.sh start          boot every node (in parallel), join nodes 2..N to node 1,
#                                     wait until node 1 sees all N running (idempotent)
#   scripts/cluster.sh stop [--wipe]  stop every node, keep their data (--wipe deletes it)
#   scripts/cluster.sh status         exit 0 when every node runs and they are one cluster
#   scripts/cluster.sh urls           the nodes' AMQP URLs, comma-separated, in node order
#   scripts/cluster.sh url N          node N's AMQP URL (N = 1..CLUSTER_SIZE)
#   scripts/cluster.sh node N         node N's Erlang node name
#   scripts/cluster.sh kill N         SIGKILL node N's Erlang VM (a crash); returns once it is gone
#   scripts/cluster.sh start-node N   start node N again; it rejoins by itself (its data
#                                     remembers the cluster); waits until it runs in the cluster
#   scripts/cluster.sh kill-all       SIGKILL every node
#   scripts/cluster.sh start-all      same as start: nodes of a cluster that all went down must
#                                     be started together, or each waits for its peers
#   scripts/cluster.sh leader QUEUE [VHOST]
#                                     print the number (1..N) of the node that leads quorum
#                                     queue QUEUE (vhost default /); nothing and exit 1 if unknown
#   scripts/cluster.sh ctl N ARGS     run `rabbitmqctl -n NODE ARGS` on node N
#
# Each node is a scripts/broker.sh node (its own ports, data and log directory, nothing
# read from /etc/rabbitmq; guest may log in from 127.0.0.1), all with the same Erlang
# cookie (~rabbitmq/.erlang.cookie as root, ~/.erlang.cookie otherwise) and
# `cluster_partition_handling = pause_minority`.
#
# Parameters (environment):
#   CLUSTER_NAME           node name prefix, default "tweetdcluster": nodes NAME1@localhost,
#                          NAME2@localhost, ...; node N's data in /tmp/tweetd-broker-NAMEN
#   CLUSTER_PORT           AMQP port of node 1 on 127.0.0.1, default 5681; node N listens
#                          on CLUSTER_PORT+N-1 and its distribution port is that +20000
#   CLUSTER_SIZE           number of nodes, default 3
#   CLUSTER_START_TIMEOUT  seconds for each wait (a node's boot, the cluster forming), default 120
#   CLUSTER_PRODUCER_USER  also create this broker user (password = name) with full
#                          permissions on / (BROKER_PRODUCER_USER of node 1; users are
#                          shared by the whole cluster)
#   BROKER_DLX_RESEND_MS   passed on to every node (see scripts/broker.sh); any other
#                          BROKER_* variable of the caller is ignored
#
# Nodes 2..N join with stop_app, join_cluster NODE1, start_app (join_cluster resets the
# joining node, so its data is lost; only a node that is not yet a member joins).
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BROKER_SH="$HERE/broker.sh"

CLUSTER_NAME="${CLUSTER_NAME:-tweetdcluster}"
CLUSTER_PORT="${CLUSTER_PORT:-5681}"
CLUSTER_SIZE="${CLUSTER_SIZE:-3}"
CLUSTER_START_TIMEOUT="${CLUSTER_START_TIMEOUT:-120}"
CLUSTER_PRODUCER_USER="${CLUSTER_PRODUCER_USER:-}"

# A caller's broker.sh parameters (e.g. `make test` exports the test broker's) must not
# reach the cluster's nodes: each node's are set below.
unset BROKER_NAME BROKER_PORT BROKER_DIST_PORT BROKER_DIR BROKER_TLS_PORT BROKER_TLS_DIR \
    BROKER_PRODUCER_USER BROKER_EXTRA_CONF BROKER_START_TIMEOUT

# pause_minority: a node that sees only a minority of the cluster stops serving
# clients until the majority is back. cluster_name: else "NAME1@<hostname>".
EXTRA_CONF="cluster_partition_handling = pause_minority
cluster_name = $CLUSTER_NAME"

say() { printf 'cluster[%s]: %s\n' "$CLUSTER_NAME" "$*"; }
die() { printf 'cluster[%s]: error: %s\n' "$CLUSTER_NAME" "$*" >&2; exit 1; }

validate_params() {
    [[ "$CLUSTER_NAME" =~ ^[A-Za-z0-9_-]+$ ]] \
        || die "CLUSTER_NAME must be letters, digits, '_' or '-' (got '$CLUSTER_NAME')"
    local p
    for p in CLUSTER_PORT CLUSTER_SIZE CLUSTER_START_TIMEOUT; do
        [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number (got '${!p}')"
    done
    ((CLUSTER_SIZE >= 1 && CLUSTER_SIZE <= 9)) || die "CLUSTER_SIZE must be 1..9 (got $CLUSTER_SIZE)"
    ((CLUSTER_PORT >= 1 && CLUSTER_PORT + CLUSTER_SIZE - 1 + 20000 <= 65535)) \
        || die "CLUSTER_PORT out of range: $CLUSTER_PORT (its nodes' distribution ports are AMQP port + 20000)"
    [[ -f "$BROKER_SH" ]] || die "missing $BROKER_SH"
}

# --- nodes --------------------------------------------------------------------

node_name() { printf '%s%s' "$CLUSTER_NAME" "$1"; }        # short name (epmd)
node_full() { printf '%s%s@localhost' "$CLUSTER_NAME" "$1"; }
node_port() { printf '%s' $((CLUSTER_PORT + $1 - 1)); }
node_dir() { printf '/tmp/tweetd-broker-%s%s' "$CLUSTER_NAME" "$1"; }
node_url() { printf 'amqp://guest:guest@127.0.0.1:%s/' "$(node_port "$1")"; }

# broker.sh for node N: broker N ARGS...
broker() {
    local n="$1"
    shift
    local producer=""
    ((n == 1)) && producer="$CLUSTER_PRODUCER_USER"
    BROKER_NAME="$(node_name "$n")" BROKER_PORT="$(node_port "$n")" BROKER_DIR="$(node_dir "$n")" \
        BROKER_START_TIMEOUT="$CLUSTER_START_TIMEOUT" BROKER_EXTRA_CONF="$EXTRA_CONF" \
        BROKER_PRODUCER_USER="$producer" bash "$BROKER_SH" "$@"
}

# rabbitmqctl on node N (quiet, with a timeout): ctl N ARGS...
ctl() {
    local n="$1"
    shift
    broker "$n" ctl -q --timeout 30 "$@"
}

check_n() {
    [[ "${1:-}" =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= CLUSTER_SIZE)) \
        || die "node number must be 1..$CLUSTER_SIZE (got '${1:-}')"
}

all_nodes() { seq 1 "$CLUSTER_SIZE"; }

# Is node N's Erlang VM registered with epmd? (fast: no VM started)
registered() {
    epmd -names 2>/dev/null | grep -q "^name $(node_name "$1") at port "
}

# The pid of node N's Erlang VM, from broker.sh's pid file; fails when it is not alive.
node_pid() {
    local f pid=""
    f="$(node_dir "$1")/$(node_name "$1").pid"
    [[ -r "$f" ]] && pid="$(tr -dc '0-9' <"$f")"
    [[ -n "$pid" ]] && alive "$pid" || return 1
    printf '%s\n' "$pid"
}

# A killed process whose parent does not reap it stays a zombie: that counts as gone.
alive() {
    [[ -r "/proc/$1/stat" ]] || return 1
    local state
    state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The running nodes (one full name a line) as node N sees them; fails if N does not answer.
running_nodes_seen_by() {
    local out
    out="$(ctl "$1" cluster_status --formatter json 2>/dev/null)" || return 1
    printf '%s' "$out" | grep -o '"running_nodes":\[[^]]*\]' | grep -o '"[^"]*@[^"]*"' | tr -d '"'
}

# The cluster members (disc nodes, running or not) as node N sees them.
members_seen_by() {
    local out
    out="$(ctl "$1" cluster_status --formatter json 2>/dev/null)" || return 1
    printf '%s' "$out" | grep -o '"disk_nodes":\[[^]]*\]' | grep -o '"[^"]*@[^"]*"' | tr -d '"'
}

# Does node N see all nodes running?
sees_all_running() {
    local seen i
    seen="$(running_nodes_seen_by "$1")" || return 1
    for i in $(all_nodes); do
        grep -qx "$(node_full "$i")" <<<"$seen" || return 1
    done
}

# Run `broker N start` for the given nodes at once; fails (after all finished) if any failed.
start_parallel() {
    local n pids=() failed=()
    for n in "$@"; do
        broker "$n" start &
        pids+=("$!")
    done
    local k
    for k in "${!pids[@]}"; do
        wait "${pids[$k]}" || failed+=("$(node_full "${@:k+1:1}")")
    done
    ((${#failed[@]} == 0)) || die "could not start: ${failed[*]} (logs in /tmp/tweetd-broker-$CLUSTER_NAME*/log)"
}

# Every node's Erlang VM must use the same cookie. The VM writes a missing cookie file
# itself, so nodes booting in parallel on a machine without one could each write their own.
ensure_cookie() {
    local user home
    if [[ "$(id -u)" -eq 0 || "$(id -un)" == rabbitmq ]]; then user=rabbitmq; else user="$(id -un)"; fi
    home="$(getent passwd "$user" | cut -d: -f6)"
    [[ -n "$home" && -d "$home" ]] || die "no home directory for user '$user' (needed for its .erlang.cookie)"
    [[ -e "$home/.erlang.cookie" ]] && return 0
    say "creating $home/.erlang.cookie (shared by every node)"
    local cookie
    cookie="$(tr -dc 'A-Z' </dev/urandom | head -c 20)" || true
    ((${#cookie} == 20)) || die "could not make a cookie"
    (umask 077 && printf '%s' "$cookie" >"$home/.erlang.cookie")
    chmod 400 "$home/.erlang.cookie"
    [[ "$(id -un)" == "$user" ]] || chown "$user:$(id -gn "$user")" "$home/.erlang.cookie"
}

wait_all_running() {
    local deadline=$((SECONDS + CLUSTER_START_TIMEOUT))
    until sees_all_running 1; do
        ((SECONDS < deadline)) || die "node 1 does not see all $CLUSTER_SIZE nodes running after ${CLUSTER_START_TIMEOUT}s (see '$0 ctl 1 cluster_status')"
        sleep 1
    done
}

# --- commands -----------------------------------------------------------------

cmd_start() {
    local t0=$SECONDS i
    # Nodes whose data remembers a cluster whose node 1 was wiped would wait forever
    # for peers that no longer know them: start them afresh too.
    if [[ ! -d "$(node_dir 1)/mnesia" ]]; then
        for i in $(all_nodes); do
            ((i > 1)) || continue
            if [[ -d "$(node_dir "$i")" ]] && ! registered "$i"; then
                say "node 1 has no data: wiping the stale data of $(node_full "$i")"
                broker "$i" stop --wipe >/dev/null
            fi
        done
    fi
    ensure_cookie
    start_parallel $(all_nodes)
    local members
    members="$(members_seen_by 1)" || die "node 1 does not answer cluster_status"
    for i in $(all_nodes); do
        ((i > 1)) || continue
        if grep -qx "$(node_full "$i")" <<<"$members"; then
            continue
        fi
        say "joining $(node_full "$i") to $(node_full 1)"
        ctl "$i" stop_app >/dev/null || die "stop_app failed on $(node_full "$i")"
        ctl "$i" join_cluster "$(node_full 1)" >/dev/null || die "join_cluster $(node_full 1) failed on $(node_full "$i")"
        ctl "$i" start_app >/dev/null || die "start_app failed on $(node_full "$i")"
    done
    wait_all_running
    say "running: $CLUSTER_SIZE nodes in $((SECONDS - t0))s: $(cmd_urls)"
}

cmd_stop() {
    local arg
    for arg in "$@"; do
        [[ "$arg" == --wipe ]] || die "stop: unknown option '$arg' (only --wipe)"
    done
    local i pids=() rc=0
    for i in $(all_nodes); do
        broker "$i" stop "$@" &
        pids+=("$!")
    done
    for i in "${pids[@]}"; do
        wait "$i" || rc=1
    done
    ((rc == 0)) || die "could not stop every node"
}

cmd_status() {
    local i down=()
    for i in $(all_nodes); do
        registered "$i" || down+=("$(node_full "$i")")
    done
    if ((${#down[@]})); then
        say "not running: ${down[*]}"
        return 1
    fi
    if sees_all_running 1; then
        say "running: $CLUSTER_SIZE nodes, one cluster: $(cmd_urls)"
        return 0
    fi
    say "not every node is running in the cluster; node 1 sees: $(running_nodes_seen_by 1 | paste -sd' ')"
    return 1
}

cmd_urls() {
    local i out=""
    for i in $(all_nodes); do
        out+="${out:+,}$(node_url "$i")"
    done
    printf '%s\n' "$out"
}

cmd_kill() {
    local n="$1" pid i
    if ! pid="$(node_pid "$n")"; then
        registered "$n" && die "$(node_full "$n") is registered with epmd but its pid file names no live process"
        say "$(node_full "$n") is not running"
        return 0
    fi
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == beam.smp ]] \
        || die "pid $pid of $(node_full "$n") is not beam.smp (stale pid file?)"
    kill -KILL "$pid"
    for i in $(seq 1 100); do
        if ! alive "$pid" && ! registered "$n"; then
            say "killed $(node_full "$n") (pid $pid)"
            return 0
        fi
        sleep 0.1
    done
    die "$(node_full "$n") (pid $pid) is still there 10s after SIGKILL"
}

cmd_start_node() {
    local n="$1"
    broker "$n" start
    local deadline=$((SECONDS + CLUSTER_START_TIMEOUT)) seen i
    while :; do
        # In the cluster: node N runs and is a member, as the node itself reports.
        if seen="$(running_nodes_seen_by "$n")" && grep -qx "$(node_full "$n")" <<<"$seen"; then
            local members ok=1
            members="$(members_seen_by "$n")" || ok=0
            for i in $(all_nodes); do
                grep -qx "$(node_full "$i")" <<<"$members" || ok=0
            done
            if ((ok)); then
                say "$(node_full "$n") is running in the cluster (running: $(paste -sd' ' <<<"$seen"))"
                return 0
            fi
        fi
        ((SECONDS < deadline)) || die "$(node_full "$n") is not running in the cluster after ${CLUSTER_START_TIMEOUT}s"
        sleep 1
    done
}

cmd_leader() {
    local queue="$1" vhost="${2:-/}" i out leader
    for i in $(all_nodes); do
        registered "$i" || continue
        out="$(ctl "$i" list_queues -p "$vhost" --no-table-headers name leader 2>/dev/null)" || continue
        leader="$(awk -F'\t' -v q="$queue" '$1 == q { print $2; exit }' <<<"$out")"
        if [[ "$leader" =~ ^${CLUSTER_NAME}([0-9]+)@localhost$ ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
            return 0
        fi
        return 1
    done
    return 1
}

validate_params
cmd="${1:-}"
(($#)) && shift
case "$cmd" in
    start | start-all) (($# == 0)) || die "$cmd takes no arguments"; cmd_start ;;
    stop) cmd_stop "$@" ;;
    status) (($# == 0)) || die "status takes no arguments"; cmd_status ;;
    urls) cmd_urls ;;
    url) check_n "${1:-}"; node_url "$1"; echo ;;
    node) check_n "${1:-}"; node_full "$1"; echo ;;
    kill) check_n "${1:-}"; cmd_kill "$1" ;;
    start-node) check_n "${1:-}"; cmd_start_node "$1" ;;
    kill-all)
        pids=()
        for i in $(all_nodes); do
            cmd_kill "$i" &
            pids+=("$!")
        done
        rc=0
        for p in "${pids[@]}"; do wait "$p" || rc=1; done
        exit "$rc"
        ;;
    leader) (($# >= 1 && $# <= 2)) || die "usage: leader QUEUE [VHOST]"; cmd_leader "$@" ;;
    ctl) check_n "${1:-}"; n="$1"; shift; broker "$n" ctl "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
