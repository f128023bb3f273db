#!/usr/bin/env bash
# demo.sh — the `make demo` walk-through, end to end on a private broker:
#   start the demo broker (left running; `make demo-stop` stops it),
#   tweetd setup, purge the queues, publish samples/tweets.jsonl with
#   --priority auto, tweetd run --drain, then show the results and dead letters.
#
# Environment: BROKER_NAME (default tweetddemo), BROKER_PORT (default 5674),
# TWEETD (binary, default .build/debug/tweetd), SAMPLES (default
# samples/tweets.jsonl), DEMO_CONFIG (optional config file passed as --config).
# The broker URL is exported to tweetd as TWEETD_BROKER_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

export BROKER_NAME="${BROKER_NAME:-tweetddemo}"
export BROKER_PORT="${BROKER_PORT:-5674}"
TWEETD="${TWEETD:-.build/debug/tweetd}"
SAMPLES="${SAMPLES:-samples/tweets.jsonl}"
PYTHON=/usr/bin/python3
[[ -x "$PYTHON" ]] || PYTHON=python3

step() { printf '\n==> %s\n' "$*"; }

[[ -x "$TWEETD" ]] || { echo "demo: $TWEETD is not built (run 'make build')" >&2; exit 1; }
[[ -r "$SAMPLES" ]] || { echo "demo: cannot read $SAMPLES" >&2; exit 1; }
CONFIG_ARGS=()
if [[ -n "${DEMO_CONFIG:-}" ]]; then
    CONFIG_ARGS=(--config "$DEMO_CONFIG")
fi

step "demo broker"
bash scripts/broker.sh start
TWEETD_BROKER_URL="$(bash scripts/broker.sh url)"
export TWEETD_BROKER_URL
echo "TWEETD_BROKER_URL=$TWEETD_BROKER_URL"

step "tweetd setup"
"$TWEETD" setup "${CONFIG_ARGS[@]}"

step "purging queues from earlier runs"
queues=(tweets.in tweets.results tweets.dead)
# Retry queues (tweets.retry.<seconds>) would send old messages back later.
while read -r name _; do
    [[ "$name" == tweets.retry.* ]] && queues+=("$name")
done < <(bash scripts/broker.sh ctl -q list_queues name 2>/dev/null || true)
for q in "${queues[@]}"; do
    if bash scripts/broker.sh ctl -q purge_queue "$q" >/dev/null 2>&1; then
        echo "  purged $q"
    else
        echo "  $q: absent, skipped"
    fi
done

step "tweetd publish $SAMPLES --priority auto"
"$TWEETD" publish "$SAMPLES" --priority auto "${CONFIG_ARGS[@]}"

step "tweetd run --drain"
"$TWEETD" run --drain "${CONFIG_ARGS[@]}"

step "results"
"$PYTHON" scripts/show_results.py "$TWEETD_BROKER_URL"

echo
echo "The demo broker is still running at $TWEETD_BROKER_URL (node $BROKER_NAME@localhost)."
echo "Process more: TWEETD_BROKER_URL=$TWEETD_BROKER_URL $TWEETD run    — stop the broker with: make demo-stop"
