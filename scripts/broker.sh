#!/usr/bin/env bash
# broker.sh — a PRIVATE RabbitMQ node for tests and demos.
#
#   scripts/broker.sh start    boot the node (idempotent: a running node is left alone)
#   scripts/broker.sh stop     stop it, keep its data (add --wipe to delete BROKER_DIR too)
#   scripts/broker.sh status   exit 0 when the node is running, 1 otherwise
#   scripts/broker.sh url      print the AMQP URL of the node
#   scripts/broker.sh ctl ARGS  run `rabbitmqctl -n NODE ARGS` (e.g. ctl list_queues)
#
# The node never clashes with another broker on the machine (the system
# rabbitmq-server on 5672, or another private node): it has its own node name,
# its own AMQP and distribution ports, its own data/log directories, its own
# (empty) plugin list and its own config files; nothing from /etc/rabbitmq is read.
#
# Parameters (environment):
#   BROKER_NAME           node name prefix, default "tweetdtest" (node = NAME@localhost)
#   BROKER_PORT           AMQP port on 127.0.0.1, default 5673
#   BROKER_DIST_PORT      Erlang distribution port, default BROKER_PORT+20000
#   BROKER_DIR            data, logs and config, default /tmp/tweetd-broker-$BROKER_NAME
#   BROKER_START_TIMEOUT  seconds to wait for the boot, default 90
#   BROKER_TLS_PORT       also listen for amqps:// on 127.0.0.1:PORT (TLS 1.2 and 1.3);
#                         needs BROKER_TLS_DIR with ca.pem, server.pem and server.key,
#                         which are copied into BROKER_DIR for the node's user
#   BROKER_DLX_RESEND_MS  how often a quorum queue re-sends a dead-lettered message its
#                         target did not take (dead_letter_worker_publisher_confirm_timeout),
#                         default 5000 (the broker's own default is 180000)
#   BROKER_PRODUCER_USER  also create this broker user (password = name) with full
#                         permissions on /, for tests that publish as another user
#   BROKER_EXTRA_CONF     extra rabbitmq.conf lines (newline-separated) appended to the
#                         node's config, e.g. "cluster_partition_handling = pause_minority"
#                         (scripts/cluster.sh uses it)
#
# Run it as root (the node then runs as the `rabbitmq` user through Debian's
# wrappers, which use the cookie in ~rabbitmq) or as any other user (the node
# then runs as that user with the scripts in /usr/lib/rabbitmq/bin and the
# cookie in ~/.erlang.cookie). It does not install anything: see
# scripts/install-deps.sh (`make deps`).
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

BROKER_NAME="${BROKER_NAME:-tweetdtest}"
BROKER_PORT="${BROKER_PORT:-5673}"
BROKER_DIST_PORT="${BROKER_DIST_PORT:-$((BROKER_PORT + 20000))}"
BROKER_DIR="${BROKER_DIR:-/tmp/tweetd-broker-$BROKER_NAME}"
BROKER_START_TIMEOUT="${BROKER_START_TIMEOUT:-90}"
BROKER_TLS_PORT="${BROKER_TLS_PORT:-}"
BROKER_TLS_DIR="${BROKER_TLS_DIR:-}"
BROKER_DLX_RESEND_MS="${BROKER_DLX_RESEND_MS:-5000}"
BROKER_PRODUCER_USER="${BROKER_PRODUCER_USER:-}"
BROKER_EXTRA_CONF="${BROKER_EXTRA_CONF:-}"

NODE="$BROKER_NAME@localhost"
URL="amqp://guest:guest@127.0.0.1:$BROKER_PORT/"
MARKER="$BROKER_DIR/.tweetd-broker"
PID_FILE="$BROKER_DIR/$BROKER_NAME.pid"
LOG_DIR="$BROKER_DIR/log"
LOG_FILE="$LOG_DIR/$NODE.log"

say() { printf 'broker[%s]: %s\n' "$BROKER_NAME" "$*"; }
die() { printf 'broker[%s]: error: %s\n' "$BROKER_NAME" "$*" >&2; exit 1; }

validate_params() {
    [[ "$BROKER_NAME" =~ ^[A-Za-z0-9_-]+$ ]] \
        || die "BROKER_NAME must be letters, digits, '_' or '-' (got '$BROKER_NAME')"
    local p
    for p in BROKER_PORT BROKER_DIST_PORT BROKER_START_TIMEOUT; do
        [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number (got '${!p}')"
    done
    ((BROKER_PORT >= 1 && BROKER_PORT <= 65535)) || die "BROKER_PORT out of range: $BROKER_PORT"
    ((BROKER_DIST_PORT >= 1 && BROKER_DIST_PORT <= 65535)) \
        || die "BROKER_DIST_PORT out of range: $BROKER_DIST_PORT (set it explicitly)"
    ((BROKER_PORT != BROKER_DIST_PORT)) || die "BROKER_PORT and BROKER_DIST_PORT must differ"
    if [[ -n "$BROKER_TLS_PORT" ]]; then
        [[ "$BROKER_TLS_PORT" =~ ^[0-9]+$ ]] || die "BROKER_TLS_PORT must be a number (got '$BROKER_TLS_PORT')"
        local f
        for f in ca.pem server.pem server.key; do
            [[ -r "$BROKER_TLS_DIR/$f" ]] || die "BROKER_TLS_PORT needs $f in BROKER_TLS_DIR (got '$BROKER_TLS_DIR')"
        done
    fi
    [[ "$BROKER_DIR" == /* ]] || die "BROKER_DIR must be an absolute path (got '$BROKER_DIR')"
    case "$BROKER_DIR" in
        / | /tmp | /tmp/ | /var | /var/* | /usr | /usr/* | /etc | /etc/* | /home | /root)
            die "refusing to use BROKER_DIR=$BROKER_DIR" ;;
    esac
}

# --- which RabbitMQ scripts, run as whom ------------------------------------

RMQ_BIN=/usr/lib/rabbitmq/bin
if [[ "$(id -u)" -eq 0 || "$(id -un)" == rabbitmq ]]; then
    # Debian's wrappers: as root they drop to the `rabbitmq` user.
    RMQ_SERVER=/usr/sbin/rabbitmq-server
    RMQ_CTL=/usr/sbin/rabbitmqctl
    RMQ_DIAG=/usr/sbin/rabbitmq-diagnostics
    RUN_AS=rabbitmq
else
    RMQ_SERVER=$RMQ_BIN/rabbitmq-server
    RMQ_CTL=$RMQ_BIN/rabbitmqctl
    RMQ_DIAG=$RMQ_BIN/rabbitmq-diagnostics
    RUN_AS="$(id -un)"
fi

require_installed() {
    local missing=()
    [[ -x "$RMQ_SERVER" && -x "$RMQ_CTL" ]] || missing+=("rabbitmq-server")
    command -v erl >/dev/null 2>&1 || missing+=("erlang (erl)")
    command -v epmd >/dev/null 2>&1 || missing+=("epmd")
    if ((${#missing[@]})); then
        die "not installed: ${missing[*]} — run 'make deps' (scripts/install-deps.sh) first"
    fi
    if [[ "$RUN_AS" == rabbitmq ]] && ! id rabbitmq >/dev/null 2>&1; then
        die "the 'rabbitmq' system user does not exist (broken rabbitmq-server install?)"
    fi
}

# Run a command as the user the node runs as (only used for checks).
as_node_user() {
    if [[ "$(id -un)" == "$RUN_AS" ]]; then
        "$@"
    else
        runuser -u "$RUN_AS" -- "$@"
    fi
}

# The environment of the private node. Everything RABBITMQ_* inherited from the
# caller is dropped first so that nothing leaks in; /etc/rabbitmq is never read.
export_node_env() {
    local v
    while read -r v; do
        unset "$v"
    done < <(compgen -e | grep '^RABBITMQ_' || true)
    export RABBITMQ_NODENAME="$NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$BROKER_PORT"
    export RABBITMQ_DIST_PORT="$BROKER_DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$BROKER_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$LOG_DIR"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$BROKER_DIR/enabled_plugins"
    export RABBITMQ_PID_FILE="$PID_FILE"
    export RABBITMQ_CONFIG_FILE="$BROKER_DIR/rabbitmq.conf"
    export RABBITMQ_CONFIG_FILES="$BROKER_DIR/conf.d"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$BROKER_DIR/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$BROKER_DIR/rabbitmq-env.conf"
    # Distribution (cookie-protected) on loopback only, like AMQP.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_CRASH_DUMP="$BROKER_DIR/erl_crash.dump"
}

# --- state probes ----------------------------------------------------------

# Is a node with this name registered with epmd? (fast: no Erlang VM started)
registered() {
    epmd -names 2>/dev/null | grep -q "^name $BROKER_NAME at port "
}

node_pid() {
    local pid=""
    [[ -r "$PID_FILE" ]] && pid="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
    printf '%s\n' "$pid"
}

# Is the RabbitMQ application running on the node?
app_running() {
    registered || return 1
    "$RMQ_DIAG" -n "$NODE" -q check_running >/dev/null 2>&1
}

port_in_use() {
    local port="$1"
    if command -v ss >/dev/null 2>&1; then
        [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

show_log_tail() {
    {
        if [[ -f "$LOG_FILE" ]]; then
            say "last lines of $LOG_FILE:"
            tail -n 25 "$LOG_FILE" | sed 's/^/    /'
        else
            say "no log file at $LOG_FILE"
        fi
        if [[ -f "$BROKER_DIR/erl_crash.dump" ]]; then
            say "crash dump: $BROKER_DIR/erl_crash.dump"
        fi
    } >&2
}

# --- commands ---------------------------------------------------------------

prepare_dir() {
    if [[ -e "$BROKER_DIR" && ! -d "$BROKER_DIR" ]]; then
        die "BROKER_DIR=$BROKER_DIR exists and is not a directory"
    fi
    if [[ -d "$BROKER_DIR" && ! -e "$MARKER" && -n "$(ls -A "$BROKER_DIR")" ]]; then
        die "BROKER_DIR=$BROKER_DIR is not empty and was not created by this script"
    fi
    mkdir -p "$BROKER_DIR/mnesia" "$LOG_DIR" "$BROKER_DIR/conf.d"
    printf 'private RabbitMQ node %s, managed by scripts/broker.sh\n' "$NODE" >"$MARKER"
    printf '[].\n' >"$BROKER_DIR/enabled_plugins"
    # Quorum queues with at-least-once dead-lettering (tweetd's delay queues) re-send a
    # message whose target queue is missing or full every this many milliseconds; the
    # broker's default is 3 minutes, too long for a test to wait out.
    printf '[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, %s}]}].\n' "$BROKER_DLX_RESEND_MS" >"$BROKER_DIR/advanced.config"
    printf '# empty on purpose: keeps /etc/rabbitmq/rabbitmq-env.conf out\n' \
        >"$BROKER_DIR/rabbitmq-env.conf"
    cat >"$BROKER_DIR/rabbitmq.conf" <<EOF
# Written by scripts/broker.sh for the private node $NODE.
# Loopback only; the guest user may log in from localhost (RabbitMQ default).
listeners.tcp.default = 127.0.0.1:$BROKER_PORT
log.file.level = info
log.console = false
# Below the 50MB default: a disk alarm on a small CI disk would block publishers.
disk_free_limit.absolute = 16MB
EOF
    if [[ -n "$BROKER_TLS_PORT" ]]; then
        mkdir -p "$BROKER_DIR/tls"
        cp "$BROKER_TLS_DIR/ca.pem" "$BROKER_TLS_DIR/server.pem" "$BROKER_TLS_DIR/server.key" "$BROKER_DIR/tls/"
        cat >>"$BROKER_DIR/rabbitmq.conf" <<EOF
listeners.ssl.default = 127.0.0.1:$BROKER_TLS_PORT
ssl_options.cacertfile = $BROKER_DIR/tls/ca.pem
ssl_options.certfile = $BROKER_DIR/tls/server.pem
ssl_options.keyfile = $BROKER_DIR/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
EOF
    fi
    if [[ -n "$BROKER_EXTRA_CONF" ]]; then
        printf '# From BROKER_EXTRA_CONF:\n%s\n' "$BROKER_EXTRA_CONF" >>"$BROKER_DIR/rabbitmq.conf"
    fi
    if [[ "$(id -un)" != "$RUN_AS" ]]; then
        chown -R "$RUN_AS:$(id -gn "$RUN_AS")" "$BROKER_DIR"
    fi
    # The node user must reach the directory (e.g. not below a 0700 home).
    as_node_user test -w "$BROKER_DIR/mnesia" \
        || die "user '$RUN_AS' cannot write to $BROKER_DIR/mnesia (choose another BROKER_DIR)"
}

ensure_epmd() {
    if ! epmd -names >/dev/null 2>&1; then
        say "starting epmd (Erlang port mapper)"
        as_node_user epmd -daemon
        local i
        for i in $(seq 1 20); do
            epmd -names >/dev/null 2>&1 && return 0
            sleep 0.1
        done
        die "epmd does not answer on port ${ERL_EPMD_PORT:-4369}"
    fi
}

cmd_start() {
    require_installed
    if registered; then
        if app_running; then
            say "already running: node $NODE, $URL"
            return 0
        fi
        say "node $NODE is registered but RabbitMQ is not up yet; waiting"
    else
        local port
        for port in "$BROKER_PORT" "$BROKER_DIST_PORT" $BROKER_TLS_PORT; do
            if port_in_use "$port"; then
                die "port $port is already in use by another process (set BROKER_PORT / BROKER_DIST_PORT)"
            fi
        done
        prepare_dir
        ensure_epmd
        export_node_env
        say "starting node $NODE (AMQP 127.0.0.1:$BROKER_PORT, dist port $BROKER_DIST_PORT, dir $BROKER_DIR, user $RUN_AS)"
        "$RMQ_SERVER" -detached
    fi

    local deadline=$((SECONDS + BROKER_START_TIMEOUT))
    # -detached returns before the node registers with epmd; await_startup
    # needs a reachable node, so wait for the registration first.
    until registered; do
        if ((SECONDS >= deadline)); then
            say "node did not register with epmd within ${BROKER_START_TIMEOUT}s"
            show_log_tail
            die "start failed"
        fi
        sleep 0.2
    done
    local left=$((deadline - SECONDS))
    ((left > 0)) || left=1
    if ! "$RMQ_CTL" -n "$NODE" -q --timeout "$left" await_startup >/dev/null 2>&1; then
        say "RabbitMQ did not finish booting on $NODE within ${BROKER_START_TIMEOUT}s"
        show_log_tail
        cmd_stop || true
        die "start failed"
    fi
    if [[ -n "$BROKER_PRODUCER_USER" ]]; then
        # A second broker user for tests that publish as another producer would (user_id).
        "$RMQ_CTL" -n "$NODE" -q add_user "$BROKER_PRODUCER_USER" "$BROKER_PRODUCER_USER" >/dev/null 2>&1 || true
        "$RMQ_CTL" -n "$NODE" -q set_permissions -p / "$BROKER_PRODUCER_USER" '.*' '.*' '.*' >/dev/null 2>&1 \
            || die "could not give user $BROKER_PRODUCER_USER permissions on $NODE"
    fi
    say "running: node $NODE (pid $(node_pid || echo '?')), $URL"
}

cmd_stop() {
    local wipe=0 arg
    for arg in "$@"; do
        case "$arg" in
            --wipe) wipe=1 ;;
            *) die "stop: unknown option '$arg' (only --wipe)" ;;
        esac
    done
    if ((wipe)) && [[ -d "$BROKER_DIR" && ! -e "$MARKER" && -n "$(ls -A "$BROKER_DIR")" ]]; then
        die "not wiping $BROKER_DIR: it was not created by this script"
    fi
    local pid="" i
    pid="$(node_pid || true)"
    if registered || [[ -n "$pid" ]]; then
        require_installed
        say "stopping node $NODE"
        if registered; then
            # With the pid file, `stop` returns only when the process has exited.
            if [[ -n "$pid" ]]; then
                "$RMQ_CTL" -n "$NODE" -q stop "$PID_FILE" >/dev/null 2>&1 || true
            else
                "$RMQ_CTL" -n "$NODE" -q stop >/dev/null 2>&1 || true
            fi
        fi
        if [[ -n "$pid" ]]; then
            for i in $(seq 1 100); do
                [[ -d "/proc/$pid" ]] || break
                if ((i == 50)); then
                    say "node still alive after 10s; sending SIGTERM to pid $pid"
                    kill -TERM "$pid" 2>/dev/null || true
                fi
                sleep 0.2
            done
            if [[ -d "/proc/$pid" ]]; then
                say "sending SIGKILL to pid $pid"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
        for i in $(seq 1 25); do
            registered || break
            sleep 0.2
        done
        if registered; then
            die "node $NODE is still registered with epmd after stop"
        fi
        say "stopped"
    else
        say "not running"
    fi
    if ((wipe)); then
        if [[ -d "$BROKER_DIR" ]]; then
            rm -rf -- "$BROKER_DIR"
            say "wiped $BROKER_DIR"
        else
            say "nothing to wipe at $BROKER_DIR"
        fi
    fi
}

cmd_status() {
    if app_running; then
        say "running: node $NODE (pid $(node_pid || echo '?')), $URL, dir $BROKER_DIR"
        return 0
    fi
    if registered; then
        say "node $NODE is up but RabbitMQ is not running (booting or stopping?)"
    else
        say "not running"
    fi
    return 1
}

validate_params
case "${1:-}" in
    start)  shift; (($# == 0)) || die "start takes no arguments"; cmd_start ;;
    stop)   shift; cmd_stop "$@" ;;
    status) shift; (($# == 0)) || die "status takes no arguments"; cmd_status ;;
    url)    printf '%s\n' "$URL" ;;
    ctl)    shift; require_installed; exec "$RMQ_CTL" -n "$NODE" "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
