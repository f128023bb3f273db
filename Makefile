# tweetd — build, test and demo.
#
#   make deps        install missing Debian packages (scripts/install-deps.sh)
#   make build       swift build
#   make test        unit + integration tests against private RabbitMQ nodes (tweetdtest
#                    on 5673, shared; tweetdchaos on 5676, which chaos tests stop and
#                    start; tweetdtls on 5677 with amqps on 5678, certificates made fresh
#                    by scripts/test-certs.sh; a three-node cluster tweetdcluster1..3 on
#                    5681-5683, distribution ports 25681-25683, scripts/cluster.sh, whose
#                    nodes tests kill and restart), the chaos suite included, and the loopback
#                    LLM server's self-test; first scripts/check-layers.py (Engine's folders
#                    depend one way, see docs/ARCHITECTURE.md)
#   make chaos       only the chaos suite (make test SWIFT_TEST_FLAGS="--filter Chaos")
#                    (tweetdtest@localhost on 127.0.0.1:5673, wiped before each run,
#                    always stopped afterwards)
#   make demo        build, start the demo broker (tweetddemo@localhost on 5674, left
#                    running), publish samples/tweets.jsonl, process it, show results
#   make demo-stop   stop the demo broker
#   make broker-up / broker-down   start / stop the test broker by hand
#   make cluster-up / cluster-down start / stop the test cluster by hand
#   make bench       release build, private broker (tweetdbench@localhost on 5675,
#                    wiped, stopped afterwards) and, for the cluster section, a private
#                    three-node cluster (tweetdbenchcluster1..3 on 5691-5693, distribution
#                    ports 25691-25693, scripts/cluster.sh, wiped, stopped afterwards),
#                    scripts/bench.py, BENCHMARKS.md
#   make package     dist/tweetd_<version>_<arch>.deb (static Swift runtime, systemd unit)
#   make package-check  install that .deb, check it, remove it (as root)
#   make samples     regenerate samples/ (deterministic)
#   make clean       swift package clean, remove dist/
#
# The private brokers never touch a system RabbitMQ: see scripts/broker.sh.

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
PYTHON ?= /usr/bin/python3

TEST_BROKER_NAME ?= tweetdtest
TEST_BROKER_PORT ?= 5673
DEMO_BROKER_NAME ?= tweetddemo
DEMO_BROKER_PORT ?= 5674
BENCH_BROKER_NAME ?= tweetdbench
BENCH_BROKER_PORT ?= 5675
BENCH_CLUSTER_NAME ?= tweetdbenchcluster
BENCH_CLUSTER_PORT ?= 5691
BENCH_FLAGS ?=
SWIFT_TEST_FLAGS ?=

TEST_BROKER := BROKER_NAME=$(TEST_BROKER_NAME) BROKER_PORT=$(TEST_BROKER_PORT) BROKER_PRODUCER_USER=tweetdproducer
CHAOS_BROKER_NAME ?= tweetdchaos
CHAOS_BROKER_PORT ?= 5676
CHAOS_BROKER := BROKER_NAME=$(CHAOS_BROKER_NAME) BROKER_PORT=$(CHAOS_BROKER_PORT)
TLS_BROKER_NAME ?= tweetdtls
TLS_BROKER_PORT ?= 5677
TLS_BROKER_TLS_PORT ?= 5678
TLS_CERT_DIR ?= /tmp/tweetd-test-certs
TLS_BROKER := BROKER_NAME=$(TLS_BROKER_NAME) BROKER_PORT=$(TLS_BROKER_PORT) BROKER_TLS_PORT=$(TLS_BROKER_TLS_PORT) BROKER_TLS_DIR=$(TLS_CERT_DIR)
CLUSTER_NAME ?= tweetdcluster
CLUSTER_PORT ?= 5681
CLUSTER := CLUSTER_NAME=$(CLUSTER_NAME) CLUSTER_PORT=$(CLUSTER_PORT) CLUSTER_PRODUCER_USER=tweetdproducer
DEMO_BROKER := BROKER_NAME=$(DEMO_BROKER_NAME) BROKER_PORT=$(DEMO_BROKER_PORT)
BENCH_BROKER := BROKER_NAME=$(BENCH_BROKER_NAME) BROKER_PORT=$(BENCH_BROKER_PORT)
BENCH_CLUSTER := CLUSTER_NAME=$(BENCH_CLUSTER_NAME) CLUSTER_PORT=$(BENCH_CLUSTER_PORT)

.DEFAULT_GOAL := build
.PHONY: deps build test chaos demo demo-stop bench package package-check broker-up broker-down cluster-up cluster-down samples clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

# One shell: the trap stops the broker whatever happens, and the exit code of
# the build/tests is the exit code of the target. The broker data stays in
# /tmp/tweetd-broker-$(TEST_BROKER_NAME) (logs for post-mortems) until the next run.
test: deps
	@set -euo pipefail; \
	$(CHAOS_BROKER) bash scripts/broker.sh stop --wipe; \
	BROKER_NAME=$(TLS_BROKER_NAME) BROKER_PORT=$(TLS_BROKER_PORT) bash scripts/broker.sh stop --wipe; \
	$(CLUSTER) bash scripts/cluster.sh stop --wipe; \
	export $(TEST_BROKER); \
	bash scripts/broker.sh stop --wipe; \
	trap 'rc=$$?; bash scripts/broker.sh stop || true; $(CHAOS_BROKER) bash scripts/broker.sh stop || true; BROKER_NAME=$(TLS_BROKER_NAME) BROKER_PORT=$(TLS_BROKER_PORT) bash scripts/broker.sh stop || true; $(CLUSTER) bash scripts/cluster.sh stop || true; exit $$rc' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	bash scripts/broker.sh start; \
	$(CHAOS_BROKER) bash scripts/broker.sh start; \
	bash scripts/test-certs.sh $(TLS_CERT_DIR); \
	$(TLS_BROKER) bash scripts/broker.sh start; \
	$(CLUSTER) bash scripts/cluster.sh start; \
	TWEETD_CLUSTER_BROKER_URLS="$$($(CLUSTER) bash scripts/cluster.sh urls)"; \
	TWEETD_CLUSTER_NAME=$(CLUSTER_NAME); TWEETD_CLUSTER_PORT=$(CLUSTER_PORT); \
	export TWEETD_CLUSTER_BROKER_URLS TWEETD_CLUSTER_NAME TWEETD_CLUSTER_PORT; \
	TWEETD_TLS_BROKER_TLS_PORT=$(TLS_BROKER_TLS_PORT); TWEETD_TLS_CERT_DIR=$(TLS_CERT_DIR); \
	export TWEETD_TLS_BROKER_TLS_PORT TWEETD_TLS_CERT_DIR; \
	TWEETD_TEST_BROKER_URL="$$(bash scripts/broker.sh url)"; \
	TWEETD_CHAOS_BROKER_URL="$$($(CHAOS_BROKER) bash scripts/broker.sh url)"; \
	TWEETD_CHAOS_BROKER_NAME=$(CHAOS_BROKER_NAME); TWEETD_CHAOS_BROKER_PORT=$(CHAOS_BROKER_PORT); \
	TWEETD_TEST_BROKER_NAME=$(TEST_BROKER_NAME); TWEETD_TEST_BROKER_PORT=$(TEST_BROKER_PORT); \
	TWEETD_BINARY="$$(pwd)/.build/debug/tweetd"; \
	export TWEETD_TEST_BROKER_URL TWEETD_CHAOS_BROKER_URL TWEETD_CHAOS_BROKER_NAME TWEETD_CHAOS_BROKER_PORT TWEETD_BINARY; \
	export TWEETD_TEST_BROKER_NAME TWEETD_TEST_BROKER_PORT; \
	echo "TWEETD_TEST_BROKER_URL=$$TWEETD_TEST_BROKER_URL TWEETD_CHAOS_BROKER_URL=$$TWEETD_CHAOS_BROKER_URL TWEETD_CLUSTER_BROKER_URLS=$$TWEETD_CLUSTER_BROKER_URLS TWEETD_BINARY=$$TWEETD_BINARY"; \
	echo "$(PYTHON) scripts/check-layers.py"; \
	$(PYTHON) scripts/check-layers.py; \
	echo "$(PYTHON) scripts/test_fake_llm_server.py"; \
	$(PYTHON) scripts/test_fake_llm_server.py; \
	echo "$(SWIFT) build --build-tests"; \
	$(SWIFT) build --build-tests; \
	if [[ -n "$(SWIFT_TEST_FLAGS)" ]]; then \
		echo "$(SWIFT) test $(SWIFT_TEST_FLAGS)"; \
		$(SWIFT) test $(SWIFT_TEST_FLAGS); \
	else \
		echo "$(SWIFT) test --skip IntegrationTests.ClusterTests"; \
		$(SWIFT) test --skip IntegrationTests.ClusterTests; \
		echo "$(SWIFT) test --filter IntegrationTests.ClusterTests   # alone: its 20,000-tweet runs and node kills load both cores"; \
		$(SWIFT) test --filter IntegrationTests.ClusterTests; \
	fi

package: deps
	@bash scripts/package.sh

package-check: package
	@bash scripts/package-check.sh

chaos:
	@$(MAKE) --no-print-directory test SWIFT_TEST_FLAGS="--filter Chaos"

demo: deps build
	@$(DEMO_BROKER) bash scripts/demo.sh

# Benchmarks run on a release build against their own private broker, which is
# wiped first and stopped whatever happens; likewise the bench cluster, started only
# when the cluster section runs (no --only in BENCH_FLAGS, or one naming cluster:
# it takes about 30 s to boot). BENCH_FLAGS passes options to scripts/bench.py,
# e.g. BENCH_FLAGS="--only batch" (then BENCHMARKS.md is not written).
bench: deps
	@set -euo pipefail; \
	export $(BENCH_BROKER); \
	$(SWIFT) build -c release; \
	cluster=0; if [[ "$(BENCH_FLAGS)" != *--only* || "$(BENCH_FLAGS)" == *cluster* ]]; then cluster=1; fi; \
	bash scripts/broker.sh stop --wipe; \
	if ((cluster)); then $(BENCH_CLUSTER) bash scripts/cluster.sh stop --wipe; fi; \
	trap 'rc=$$?; bash scripts/broker.sh stop || true; if ((cluster)); then $(BENCH_CLUSTER) bash scripts/cluster.sh stop || true; fi; exit $$rc' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	bash scripts/broker.sh start; \
	cluster_urls=""; \
	if ((cluster)); then $(BENCH_CLUSTER) bash scripts/cluster.sh start; cluster_urls="$$($(BENCH_CLUSTER) bash scripts/cluster.sh urls)"; fi; \
	write="--write BENCHMARKS.md"; [[ -z "$(BENCH_FLAGS)" ]] || write=""; \
	$(PYTHON) scripts/bench.py --binary .build/release/tweetd --broker-url "$$(bash scripts/broker.sh url)" \
		$${cluster_urls:+--cluster-urls "$$cluster_urls"} $$write $(BENCH_FLAGS)

demo-stop:
	@$(DEMO_BROKER) bash scripts/broker.sh stop

broker-up:
	@$(TEST_BROKER) bash scripts/broker.sh start

broker-down:
	@$(TEST_BROKER) bash scripts/broker.sh stop

cluster-up:
	@$(CLUSTER) bash scripts/cluster.sh start

cluster-down:
	@$(CLUSTER) bash scripts/cluster.sh stop

samples:
	$(PYTHON) scripts/make_samples.py

clean:
	$(SWIFT) package clean
	rm -rf dist/
