#!/usr/bin/env python3
"""bench.py — tweetd benchmarks, driven from outside as an operator would.

    python3 scripts/bench.py --binary .build/release/tweetd \\
        --broker-url amqp://guest:guest@127.0.0.1:5675/ [--only NAME ...] \\
        [--cluster-urls URL,URL,URL] [--write BENCHMARKS.md]

`make bench` builds the release binary, starts a private broker
(tweetdbench@localhost on 5675, wiped) and, when the cluster section runs, a
private three-node cluster (scripts/cluster.sh, tweetdbenchcluster1..3 on
5691-5693, wiped), runs this script with --cluster-urls and stops them.

Sections (--only picks some; default all):
  throughput the same 50,000 varied tweets through: the floor (bench/floor.c, a
             bare librabbitmq consume -> confirmed persistent publish -> ack loop,
             no processing) and tweetd run --drain (built-in analysis, default
             settings), alternating for --throughput-rounds rounds (default 3;
             the median ratio counts), then pika and aio-pika consumers doing a
             small job (installed from PyPI into .build/bench-venv);
             goals: tweetd >= 0.85 x floor, tweetd >= 5 x aio-pika
  memory     peak resident memory of tweetd run --drain on 20,000 tweets at 15,
             64 and 256 workers; goal: <= 64 MiB at 64 workers
  latency    publish -> result at low load (one tweet at a time, 1,000 of them);
             goal: p99 <= 5 ms
  batch      the original pipeline's batch: 98 tweets, 2.3 s per provider call,
             15 workers; goal: wall time <= 1.1 x ceil(98/15) x 2.3 s = 17.7 s
  sustained  1,200 tweets against a server enforcing 600 requests per 60 s;
             goal: >= 97 % of 600 rpm, zero 429s
  shared     1,200 tweets at a 600 rpm budget with shared: true, taken by one
             tweetd instance, then by three at once, against a server enforcing
             600 requests per 60 s (arrivals recorded); goals: one instance
             >= 97 % of rpm, three >= 85 %, zero 429s, at most 600 in any 60 s
             and at most the shared default burst (11) in any 1 s
  processing the built-in path (decode, analyse, score, encode) per message on
             one thread without a broker (.build/release/ProcessingBench);
             no goal: the stable yardstick for work on the analysis
  cluster    the same 20,000 varied tweets (--cluster-tweets) through tweetd
             run --drain (default settings) on a private three-node cluster
             (--cluster-urls; make bench starts tweetdbenchcluster1..3 on
             5691-5693), connected to node 1 (node_order: listed), with
             queue_type classic and quorum alternating for --cluster-rounds
             rounds (default 2); the medians and quorum/classic; no goal:
             what quorum queues cost on this machine

Every section uses its own exchanges and queues (prefix bench.<section>) and
the loopback LLM server scripts/fake_llm_server.py. Each prints what went in
and what came out; a section whose counts do not add up fails the bench
(exit 1) whatever its speed.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_SERVER = os.path.join(ROOT, "scripts", "fake_llm_server.py")

TEXTS = [
    "I love this new phone, the battery lasts two days!",
    "Worst customer service ever, still waiting for a refund.",
    "The match last night was incredible, what a goal",
    "New study shows coffee might be good for your heart",
    "Traffic on the bridge again. Every single morning.",
    "Just finished the marathon, exhausted but happy",
    "El nuevo restaurante del centro es fantástico",
    "Das Wetter heute ist wirklich schrecklich",
    "Our team shipped the release two weeks early, proud of everyone",
    "Is anyone else having trouble logging in to the bank app?",
]


class BenchFailure(Exception):
    """A section whose counts do not add up."""


# --------------------------------------------------------------------------
# plumbing


def tweets(count, prefix):
    """Deterministic, varied tweets as JSON lines."""
    lines = []
    for i in range(count):
        text = f"{TEXTS[i % len(TEXTS)]} #{prefix}{i}"
        lines.append(json.dumps({
            "id": f"{prefix}-{i}",
            "text": text,
            "author": {"id": str(1000 + i % 97), "username": f"user{i % 97}"},
            "created_at": "2026-11-29T09:00:00Z",
        }))
    return "\n".join(lines) + "\n"


class FakeServer:
    """scripts/fake_llm_server.py on a free loopback port."""

    def __init__(self, config):
        self.proc = subprocess.Popen(
            [sys.executable, FAKE_SERVER, "--port", "0", "--config", json.dumps(config)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r":(\d+)\s*$", line)
        if not match:
            self.proc.kill()
            raise BenchFailure(f"fake LLM server did not start: {line!r}")
        self.port = int(match.group(1))

    def base_url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}/v1"

    def stats(self, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=10) as response:
            return json.load(response)["providers"].get(name, {})

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Section:
    """One bench run's private topology and configuration file."""

    def __init__(self, args, name, workdir):
        self.args = args
        self.name = name
        self.prefix = f"bench.{name}"
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.config = os.path.join(self.dir, "tweetd.yaml")

    def write_config(self, processing, providers, broker_urls=None, queue_type=None):
        """Writes tweetd.yaml: the bench broker, or the nodes of `broker_urls` tried in
        the listed order (so every run connects to the first); `queue_type` sets
        topology.queue_type (default: tweetd's, classic)."""
        p = self.prefix
        if broker_urls:
            broker = "  urls: [" + ", ".join(f'"{url}"' for url in broker_urls) + "]\n  node_order: listed"
        else:
            broker = f'  url: "{self.args.broker_url}"'
        queue_type_line = f"\n  queue_type: {queue_type}" if queue_type else ""
        text = f"""broker:
{broker}
topology:
  exchange: {p}.tweets
  queues:
    - name: {p}.in
      bindings: ["#"]
  results_exchange: {p}.results
  results_queue: {p}.results
  dead_letter_exchange: {p}.dead
  dead_letter_queue: {p}.dead
  retry_exchange: {p}.retry
  metrics_exchange: {p}.metrics{queue_type_line}
processing:
{processing}
log:
  level: warning
providers:
{providers}
"""
        with open(self.config, "w") as f:
            f.write(text)

    def tweetd(self, *arguments, timeout=600):
        command = [self.args.binary, *arguments, "--config", self.config]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def checked(self, *arguments, timeout=600):
        done = self.tweetd(*arguments, timeout=timeout)
        if done.returncode != 0:
            raise BenchFailure(f"tweetd {' '.join(arguments)} exited {done.returncode}: {done.stderr[-2000:]}")
        return done

    def prepare(self, count):
        """Declares the topology, empties it and publishes `count` tweets."""
        self.checked("setup")
        for queue in ("in", "results", "dead"):
            subprocess.run(["bash", os.path.join(ROOT, "scripts", "broker.sh"), "ctl", "-q", "purge_queue",
                            f"{self.prefix}.{queue}"], capture_output=True, check=False)
        path = os.path.join(self.dir, "tweets.jsonl")
        with open(path, "w") as f:
            f.write(tweets(count, self.name))
        self.checked("publish", path)

    def queue_counts(self):
        status = json.loads(self.checked("status", "--json").stdout)
        return {q["role"] if q["role"] != "retry" else q["name"]: q["messages"] for q in status["queues"]}

    def drain(self, timeout):
        """Runs `tweetd run --drain` with a report; returns (wall seconds, report)."""
        report = os.path.join(self.dir, "report.json")
        started = time.monotonic()
        self.checked("run", "--drain", "--report", report, timeout=timeout)
        wall = time.monotonic() - started
        with open(report) as f:
            return wall, json.load(f)

    def expect_all_results(self, count):
        counts = self.queue_counts()
        print(f"  in: {count} tweets; out: {counts.get('results')} results, {counts.get('dead_letter')} dead letters, "
              f"{counts.get('input')} left in the input queue")
        if counts.get("results") != count or counts.get("dead_letter") != 0 or counts.get("input") != 0:
            raise BenchFailure(f"{self.name}: expected {count} results and nothing else, got {counts}")


def provider_yaml(name, kind, base_url, rpm, burst=None, timeout=30):
    lines = [f"  {name}:", f"    kind: {kind}", f"    base_url: {base_url}", "    model: bench-model",
             f"    rpm: {rpm}", f"    timeout_seconds: {timeout}"]
    if burst is not None:
        lines.append(f"    burst: {burst}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# sections


def bench_batch(args, workdir):
    """The original pipeline's batch: 98 tweets, 2.3 s per call, 15 workers."""
    count, workers, call_seconds = 98, 15, 2.3
    ideal = math.ceil(count / workers) * call_seconds
    section = Section(args, "batch", workdir)
    server = FakeServer({"llm": {"latency_ms": int(call_seconds * 1000)}})
    try:
        section.write_config(
            f"  workers: {workers}\n  chain: [llm]",
            provider_yaml("llm", "openai-compatible", server.base_url("llm"), rpm=3500))
        section.prepare(count)
        wall, report = section.drain(timeout=120)
        stats = server.stats("llm")
    finally:
        server.stop()
    section.expect_all_results(count)
    if stats.get("requests") != count:
        raise BenchFailure(f"batch: expected {count} provider calls, the server saw {stats.get('requests')}")
    goal = 1.1 * ideal
    print(f"  wall {wall:.2f} s, ideal {ideal:.1f} s, ratio {wall / ideal:.3f}, max concurrent calls {stats.get('max_concurrent')}")
    return {
        "name": "batch: 98 tweets, 2.3 s a call, 15 workers",
        "value": f"{wall:.2f} s ({wall / ideal:.3f} x ideal {ideal:.1f} s)",
        "goal": f"<= {goal:.1f} s (1.1 x ideal)",
        "ok": wall <= goal,
        "details": {"wall_seconds": round(wall, 3), "ideal_seconds": round(ideal, 2),
                    "max_concurrent_calls": stats.get("max_concurrent"),
                    "processing_p50_seconds": report["statistics"]["processing_time_stats"]["p50"]},
    }


def bench_sustained(args, workdir):
    """A long run against a server that enforces exactly 600 requests per 60 s."""
    count, rpm = args.sustained_tweets, 600
    section = Section(args, "sustained", workdir)
    server = FakeServer({"local": {"latency_ms": 150, "latency_jitter_ms": 100, "rpm_limit": rpm}})
    try:
        section.write_config(
            "  workers: 15\n  chain: [local]",
            provider_yaml("local", "openai-compatible", server.base_url("local"), rpm=rpm))
        section.prepare(count)
        wall, _ = section.drain(timeout=count / rpm * 60 * 2 + 120)
        stats = server.stats("local")
    finally:
        server.stop()
    section.expect_all_results(count)
    statuses = stats.get("status_counts", {})
    rejected = statuses.get("429", 0)
    span = stats["last_at"] - stats["first_at"]
    # Requests per minute between the first and the last request: n requests span n - 1 gaps.
    throughput = (stats["accepted"] - 1) / span * 60 if span > 0 else 0.0
    share = throughput / rpm
    print(f"  {stats['accepted']} requests in {span:.1f} s = {throughput:.1f} rpm ({share:.1%} of {rpm}), "
          f"429s {rejected}, max in any 60 s {stats.get('max_received_in_any_60s')}, wall {wall:.1f} s")
    return {
        "name": f"sustained: {count} tweets at a 600 rpm limit",
        "value": f"{throughput:.1f} rpm ({share:.1%}), {rejected} x 429",
        "goal": ">= 97 % of 600 rpm, zero 429s",
        "ok": share >= 0.97 and rejected == 0,
        "details": {"requests": stats["accepted"], "span_seconds": round(span, 2),
                    "requests_per_minute": round(throughput, 1), "status_counts": statuses,
                    "max_received_in_any_60s": stats.get("max_received_in_any_60s"),
                    "wall_seconds": round(wall, 2)},
    }


def worst_windows(arrivals):
    """The most requests that arrived in any 60 s and in any 1 s window (closed on the left)."""
    times = sorted(a[0] for a in arrivals)
    worst = {}
    for span in (60.0, 1.0):
        best, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= span:
                first += 1
            best = max(best, last - first + 1)
        worst[span] = best
    return worst[60.0], worst[1.0]


def bench_shared(args, workdir):
    """One budget in the broker: one instance, then three, against a server enforcing 600 per 60 s."""
    rpm, count = 600, args.shared_tweets
    rows = []
    for instances in (1, 3):
        section = Section(args, f"shared{instances}", workdir)
        server = FakeServer({"local": {"latency_ms": 150, "latency_jitter_ms": 100, "rpm_limit": rpm}})
        try:
            section.write_config(
                "  workers: 15\n  chain: [local]",
                provider_yaml("local", "openai-compatible", server.base_url("local"), rpm=rpm) + "\n    shared: true")
            section.prepare(count)
            started = time.monotonic()
            runs = [subprocess.Popen([args.binary, "run", "--drain", "--config", section.config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                    for _ in range(instances)]
            for run in runs:
                _, stderr = run.communicate(timeout=count / rpm * 60 * 2 + 180)
                if run.returncode != 0:
                    raise BenchFailure(f"shared: tweetd exited {run.returncode}: {stderr[-2000:]}")
            wall = time.monotonic() - started
            stats = server.stats("local")
        finally:
            server.stop()
        section.expect_all_results(count)
        statuses = stats.get("status_counts", {})
        rejected = statuses.get("429", 0)
        arrivals = stats.get("arrivals", [])
        span = max(a[0] for a in arrivals) - min(a[0] for a in arrivals) if arrivals else 0
        throughput = (len(arrivals) - 1) / span * 60 if span > 0 else 0.0
        worst60, worst1 = worst_windows(arrivals)
        burst = math.ceil(rpm * 1.08 / 60)
        share = throughput / rpm
        print(f"  {instances} instance(s): {len(arrivals)} requests in {span:.1f} s = {throughput:.1f} rpm ({share:.1%}), "
              f"429s {rejected}, worst 60 s {worst60}, worst 1 s {worst1} (burst {burst}), wall {wall:.1f} s", flush=True)
        rows.append({
            "name": f"shared budget: {count} tweets, {instances} instance{'s' if instances > 1 else ''}, one 600 rpm budget",
            "value": f"{throughput:.1f} rpm ({share:.1%}), {rejected} x 429, worst 60 s {worst60}, worst 1 s {worst1}",
            "goal": f">= {'97' if instances == 1 else '85'} % of 600 rpm, zero 429s, <= 600 in 60 s, <= {burst} in 1 s",
            "ok": share >= (0.97 if instances == 1 else 0.85) and rejected == 0 and worst60 <= rpm and worst1 <= burst,
            "details": {"instances": instances, "requests": len(arrivals), "span_seconds": round(span, 2),
                        "requests_per_minute": round(throughput, 1), "status_counts": statuses,
                        "worst_60s": worst60, "worst_1s": worst1, "wall_seconds": round(wall, 2)},
        })
    return rows


# --------------------------------------------------------------------------
# throughput, memory, latency


def varied_tweets(count, prefix):
    """`count` tweets cycling through the sample file's valid tweets and the templates, each with its own id."""
    samples = []
    with open(os.path.join(ROOT, "samples", "tweets.jsonl")) as f:
        for line in f:
            try:
                tweet = json.loads(line)
            except ValueError:
                continue
            # The sample file's invalid tweets (ids inv-…) are there for the demo's dead letters, not for throughput.
            if isinstance(tweet, dict) and isinstance(tweet.get("text"), str) and not str(tweet.get("id", "inv")).startswith("inv"):
                try:
                    json.dumps(tweet, ensure_ascii=False).encode("utf-8")
                except UnicodeEncodeError:
                    continue  # the sample file's lone-surrogate tweet: invalid on purpose
                samples.append(tweet)
    samples += [{"text": text} for text in TEXTS]
    lines = []
    for i in range(count):
        tweet = dict(samples[i % len(samples)])
        tweet["id"] = f"{prefix}-{i}"
        lines.append(json.dumps(tweet, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def bench_python():
    """A virtual environment with pika and aio-pika from PyPI, made once."""
    venv = os.path.join(ROOT, ".build", "bench-venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    check = subprocess.run([python, "-c", "import pika, aio_pika"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "pika", "aio-pika"], check=True)
    return python


def floor_binary():
    """bench/floor.c compiled against librabbitmq."""
    output = os.path.join(ROOT, ".build", "bench-floor")
    source = os.path.join(ROOT, "bench", "floor.c")
    if not os.path.exists(output) or os.path.getmtime(output) < os.path.getmtime(source):
        subprocess.run(["gcc", "-O2", "-o", output, source, "-lrabbitmq"], check=True)
    return output


def run_measured(command, timeout):
    """Runs `command`; returns (exit code, stdout, stderr)."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr


def timed_drain(section, count, timeout=900):
    """Runs `tweetd run --drain` on `count` queued tweets; returns (msg/s, first line of its summary)."""
    started = time.monotonic()
    done = section.checked("run", "--drain", timeout=timeout)
    # From start to exit, as an operator would time it.
    rate = count / (time.monotonic() - started)
    summary = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return rate, summary


def broker_host_port(url):
    match = re.match(r"amqps?://(?:[^@]*@)?([^:/]+):(\d+)", url)
    return match.group(1), int(match.group(2))


def rate_from(text, name):
    match = re.search(r"\((\d+) msg/s\)", text)
    if not match:
        raise BenchFailure(f"{name} printed no rate: {text[-500:]}")
    return float(match.group(1))


def bench_throughput(args, workdir):
    """The floor and tweetd in alternating rounds, then the Python peers once each.

    One run of each moves by ±15 % on two cores (the broker's fsync batching and
    scheduling), so the floor and tweetd alternate for `--throughput-rounds` rounds
    and the ratio reported is the median of the rounds' ratios, each round's pair
    measured back to back.
    """
    count = args.throughput_tweets
    host, port = broker_host_port(args.broker_url)
    python = bench_python()
    floor = floor_binary()

    def measure(name, label):
        section = Section(args, f"throughput-{label}", workdir)
        section.write_config("  workers: 15", "  builtin:\n    kind: builtin")
        section.checked("setup")
        path = os.path.join(section.dir, "tweets.jsonl")
        with open(path, "w") as f:
            f.write(varied_tweets(count, label))
        section.checked("publish", path)
        queue, exchange = f"{section.prefix}.in", f"{section.prefix}.results"
        summary = ""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        if name == "floor":
            code, out, err = run_measured([floor, host, str(port), queue, exchange, str(count), "15"], timeout=600)
            if code != 0:
                raise BenchFailure(f"floor failed: {err}")
            rate = rate_from(out, name)
        elif name == "tweetd":
            rate, summary = timed_drain(section, count)
        else:
            script = os.path.join(ROOT, "bench", "peer_pika.py" if name == "pika" else "peer_aiopika.py")
            code, out, err = run_measured([python, script, args.broker_url, queue, exchange, str(count), "15"], timeout=1800)
            if code != 0:
                raise BenchFailure(f"{name} failed: {err[-1000:]}")
            rate = rate_from(out, name)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # User and system CPU of the consumer process alone, per message (the broker's is not in it).
        cpu_us = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / count * 1e6
        counts = section.queue_counts()
        if counts.get("results") != count or counts.get("input") != 0:
            raise BenchFailure(f"{label}: expected {count} results and an empty input, got {counts}")
        print(f"  {label}: {rate:.0f} msg/s, {cpu_us:.0f} us CPU/msg ({count} in, {counts.get('results')} results)", flush=True)
        return rate, summary, cpu_us

    rounds = []
    for number in range(1, args.throughput_rounds + 1):
        floor_rate, _, floor_cpu = measure("floor", f"floor-{number}")
        tweetd_rate, summary, tweetd_cpu = measure("tweetd", f"tweetd-{number}")
        rounds.append({"floor": round(floor_rate), "tweetd": round(tweetd_rate), "ratio": tweetd_rate / floor_rate,
                       "floor_cpu_us_per_msg": round(floor_cpu), "tweetd_cpu_us_per_msg": round(tweetd_cpu),
                       "tweetd_summary": summary})
    # An odd number of rounds (enforced in main), so the median is one round's pair, shown as measured.
    middle = sorted(rounds, key=lambda r: r["ratio"])[len(rounds) // 2]
    peers = {name: measure(name, name)[0] for name in ("pika", "aiopika")}
    tweetd_cpu = statistics.median(r["tweetd_cpu_us_per_msg"] for r in rounds)
    floor_cpu = statistics.median(r["floor_cpu_us_per_msg"] for r in rounds)
    tweetd_median = statistics.median(r["tweetd"] for r in rounds)
    floor_median = statistics.median(r["floor"] for r in rounds)
    ratios = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
    over_aiopika = tweetd_median / peers["aiopika"]
    return [
        {
            "name": f"throughput: {count:,} tweets, tweetd vs the librabbitmq floor",
            "value": f"{middle['tweetd']} vs {middle['floor']} msg/s ({middle['ratio']:.2f} x, median of {len(rounds)} rounds: {ratios}); "
                     f"CPU {tweetd_cpu:.0f} vs {floor_cpu:.0f} us/msg",
            "goal": ">= 0.85 x floor",
            # Judged on the exact ratio; the details show it rounded.
            "ok": middle["ratio"] >= 0.85,
            "details": {"rounds": [{**r, "ratio": round(r["ratio"], 3)} for r in rounds]},
        },
        {
            "name": f"throughput: tweetd vs aio-pika and pika",
            "value": f"{over_aiopika:.1f} x aio-pika ({peers['aiopika']:.0f} msg/s), {tweetd_median / peers['pika']:.1f} x pika "
                     f"({peers['pika']:.0f} msg/s); the floor itself is {floor_median / peers['aiopika']:.1f} x aio-pika",
            "goal": ">= 5 x aio-pika",
            "ok": over_aiopika >= 5,
            "details": {"tweetd_median": tweetd_median, "floor_median": floor_median,
                        **{k: round(v) for k, v in peers.items()}},
        },
    ]


def bench_memory(args, workdir):
    peaks = {}
    count = 20_000
    for workers in (15, 64, 256):
        section = Section(args, f"memory-{workers}", workdir)
        section.write_config(f"  workers: {workers}", "  builtin:\n    kind: builtin")
        section.checked("setup")
        path = os.path.join(section.dir, "tweets.jsonl")
        with open(path, "w") as f:
            f.write(varied_tweets(count, f"m{workers}"))
        section.checked("publish", path)
        # A fresh Python process per measurement: RUSAGE_CHILDREN keeps the largest child ever seen.
        probe = (
            "import resource, subprocess, sys; "
            "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
            "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        done = subprocess.run([sys.executable, "-c", probe, args.binary, "run", "--drain", "--config", section.config],
                              capture_output=True, text=True, timeout=900)
        code, peak = done.stdout.split()
        if code != "0":
            raise BenchFailure(f"memory at {workers} workers: tweetd exited {code}")
        peaks[workers] = int(peak) / 1024
        print(f"  {workers} workers: peak RSS {peaks[workers]:.1f} MiB", flush=True)
    return [{
        "name": "memory: peak RSS of run --drain on 20,000 tweets",
        "value": ", ".join(f"{w} workers {p:.1f} MiB" for w, p in peaks.items()),
        "goal": "<= 64 MiB at 64 workers",
        "ok": peaks[64] <= 64,
        "details": {f"workers_{w}_mib": round(p, 1) for w, p in peaks.items()},
    }]


def bench_latency(args, workdir):
    section = Section(args, "latency", workdir)
    section.write_config("  workers: 15", "  builtin:\n    kind: builtin")
    section.checked("setup")
    python = bench_python()
    daemon = subprocess.Popen([args.binary, "run", "--config", section.config],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        script = os.path.join(ROOT, "bench", "latency.py")
        done = subprocess.run([python, script, args.broker_url, f"{section.prefix}.tweets", f"{section.prefix}.results", "1000"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchFailure(f"latency probe failed: {done.stderr[-1000:]}")
        numbers = json.loads(done.stdout)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    print(f"  publish -> result: p50 {numbers['p50_ms']:.2f} ms, p99 {numbers['p99_ms']:.2f} ms, max {numbers['max_ms']:.2f} ms", flush=True)
    return [{
        "name": "latency: publish -> result at low load, 1,000 tweets one at a time",
        "value": f"p50 {numbers['p50_ms']:.2f} ms, p99 {numbers['p99_ms']:.2f} ms",
        "goal": "p99 <= 5 ms",
        "ok": numbers["p99_ms"] <= 5,
        "details": numbers,
    }]


def bench_processing(args, workdir):
    """The built-in path per message on one thread, no broker: the stable yardstick for analysis work."""
    path = os.path.join(workdir, "processing.jsonl")
    with open(path, "w") as f:
        f.write(varied_tweets(50_000, "proc"))
    tool = os.path.join(os.path.dirname(args.binary), "ProcessingBench")
    code, out, err = run_measured([tool, path, "5"], timeout=600)
    if code != 0:
        raise BenchFailure(f"ProcessingBench failed: {err[-1000:]}")
    numbers = json.loads(out)
    if numbers["messages"] != 50_000 or numbers["invalid"] != 0:
        raise BenchFailure(f"ProcessingBench: expected 50,000 valid tweets, got {numbers}")
    print(f"  {numbers['total_us']:.1f} us/message (prepare {numbers['prepare_us']:.1f}, result {numbers['result_us']:.1f})", flush=True)
    return [{
        "name": "processing: built-in path per message, one thread, no broker (50,000 varied tweets)",
        "value": f"{numbers['total_us']:.1f} us (decode + analyse + score {numbers['prepare_us']:.1f}, result {numbers['result_us']:.1f})",
        "goal": "none (yardstick)",
        "ok": None,
        "details": numbers,
    }]


def bench_cluster(args, workdir):
    """The same tweets through tweetd on a private three-node cluster, classic vs quorum queues.

    tweetd lists the nodes with node_order: listed, so every run (setup, publish,
    run --drain, status) connects to node 1, which then holds the classic queues
    and leads the quorum queues (RabbitMQ's default placement, client-local), their
    followers on nodes 2 and 3. Classic and quorum alternate for `--cluster-rounds`
    rounds, each run on queues of its own (a queue cannot change type), timed like
    the throughput section's tweetd; the medians are compared. No goal: what quorum
    queues cost on this machine.
    """
    if not args.cluster_urls:
        raise BenchFailure("cluster: no --cluster-urls (the nodes of a cluster, e.g. from scripts/cluster.sh urls)")
    urls = [url.strip() for url in args.cluster_urls.split(",") if url.strip()]
    count = args.cluster_tweets
    # One file: every run gets exactly the same tweets.
    path = os.path.join(workdir, "cluster-tweets.jsonl")
    with open(path, "w") as f:
        f.write(varied_tweets(count, "cluster"))

    def measure(queue_type, number):
        section = Section(args, f"cluster-{queue_type}-{number}", workdir)
        section.write_config("  workers: 15", "  builtin:\n    kind: builtin", broker_urls=urls, queue_type=queue_type)
        section.checked("setup")
        section.checked("publish", path)
        queued = section.queue_counts()
        if queued.get("input") != count or any(n != 0 for role, n in queued.items() if role != "input"):
            raise BenchFailure(f"cluster {queue_type}: expected {count} tweets in the input queue and nothing else "
                               f"before the run, got {queued} (queues left from an earlier run? wipe the bench cluster)")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        rate, summary = timed_drain(section, count)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_us = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / count * 1e6
        counts = section.queue_counts()
        left = {role: n for role, n in counts.items() if role != "results" and n != 0}
        print(f"  {queue_type}-{number}: {rate:.0f} msg/s, {cpu_us:.0f} us CPU/msg ({count} in, {counts.get('results')} results, "
              f"{counts.get('dead_letter')} dead letters, {counts.get('input')} left in the input queue)", flush=True)
        if counts.get("results") != count or left:
            raise BenchFailure(f"cluster {queue_type}: expected {count} results and nothing else, got {counts}")
        return rate, cpu_us, summary

    rounds = []
    for number in range(1, args.cluster_rounds + 1):
        classic_rate, classic_cpu, _ = measure("classic", number)
        quorum_rate, quorum_cpu, summary = measure("quorum", number)
        rounds.append({"classic": round(classic_rate), "quorum": round(quorum_rate), "ratio": round(quorum_rate / classic_rate, 3),
                       "classic_cpu_us_per_msg": round(classic_cpu), "quorum_cpu_us_per_msg": round(quorum_cpu),
                       "quorum_summary": summary})
    classic = statistics.median(r["classic"] for r in rounds)
    quorum = statistics.median(r["quorum"] for r in rounds)
    ratio = quorum / classic
    ratios = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
    print(f"  median: quorum {quorum:.0f} vs classic {classic:.0f} msg/s, quorum/classic {ratio:.2f}", flush=True)
    return [{
        "name": f"cluster: {count:,} tweets, tweetd on node 1 of a 3-node cluster, input/results/dead-letter queues "
                f"quorum (3 replicas, led by node 1) vs classic (on node 1); retry queues quorum in both",
        "value": f"quorum {quorum:.0f} vs classic {classic:.0f} msg/s: {ratio:.2f} x ({ratio - 1:+.0%}; "
                 f"median of {len(rounds)} rounds, ratios {ratios})",
        "goal": "none (information)",
        "ok": None,
        "details": {"nodes": len(urls), "classic_median": classic, "quorum_median": quorum,
                    "ratio": round(ratio, 3), "rounds": rounds},
    }]


SECTIONS = {
    "throughput": bench_throughput, "memory": bench_memory, "latency": bench_latency,
    "batch": bench_batch, "sustained": bench_sustained, "processing": bench_processing,
    "shared": bench_shared, "cluster": bench_cluster,
}


# --------------------------------------------------------------------------
# report


def machine_facts(binary):
    def run(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu} x {os.cpu_count()}",
        "memory": memory,
        "kernel": platform.release(),
        "rabbitmq": run(["dpkg-query", "-W", "-f=${Version}", "rabbitmq-server"]),
        "librabbitmq": run(["dpkg-query", "-W", "-f=${Version}", "librabbitmq4"]),
        "swift": run(["swift", "--version"]).splitlines()[0] if run(["swift", "--version"]) else "?",
        "tweetd": run([binary, "--version"]),
        "commit": run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
    }


def markdown(facts, rows, command):
    lines = [
        "# Benchmarks", "",
        "Written by `make bench` (scripts/bench.py); do not edit by hand. Every number below",
        "comes from one `make bench` on the machine described here, against a private RabbitMQ node",
        "(the cluster row: a private three-node cluster on the same machine, scripts/cluster.sh)",
        "and the loopback LLM server `scripts/fake_llm_server.py`.", "",
        "## Machine", "",
    ]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "## Command", "", "```", command, "```", "", "## Results", "",
              "| benchmark | measured | goal | met |", "|---|---|---|---|"]
    for row in rows:
        met = "-" if row["ok"] is None else "yes" if row["ok"] else "NO"
        lines.append(f"| {row['name']} | {row['value']} | {row['goal']} | {met} |")
    lines += ["", "## Details", ""]
    for row in rows:
        lines.append(f"- {row['name']}: `{json.dumps(row['details'], sort_keys=True)}`")
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the tweetd binary (a release build)")
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="run only these sections")
    parser.add_argument("--sustained-tweets", type=int, default=1200)
    parser.add_argument("--shared-tweets", type=int, default=1200)
    parser.add_argument("--throughput-tweets", type=int, default=50_000)
    parser.add_argument("--throughput-rounds", type=int, default=3, help="alternating floor/tweetd rounds (median reported)")
    parser.add_argument("--cluster-urls", help="the AMQP URLs of a three-node cluster's nodes, comma-separated, node 1 first "
                                               "(scripts/cluster.sh urls); needed by the cluster section")
    parser.add_argument("--cluster-tweets", type=int, default=20_000)
    parser.add_argument("--cluster-rounds", type=int, default=2, help="alternating classic/quorum rounds (medians reported)")
    parser.add_argument("--write", metavar="FILE", help="write the results as Markdown to FILE")
    args = parser.parse_args()
    if args.throughput_rounds < 1 or args.throughput_rounds % 2 == 0:
        parser.error("--throughput-rounds must be odd and at least 1, so the median is one round")
    if args.cluster_rounds < 1:
        parser.error("--cluster-rounds must be at least 1")
    args.binary = os.path.abspath(args.binary)

    names = args.only or list(SECTIONS)
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="tweetd-bench-") as workdir:
        for name in names:
            print(f"==> {name}", flush=True)
            try:
                produced = SECTIONS[name](args, workdir)
                rows.extend(produced if isinstance(produced, list) else [produced])
            except (BenchFailure, subprocess.TimeoutExpired) as error:
                print(f"  FAILED: {error}", flush=True)
                failures.append(name)

    width = max((len(r["name"]) for r in rows), default=10)
    print()
    for row in rows:
        met = "-" if row["ok"] is None else "met" if row["ok"] else "NOT MET"
        print(f"{row['name']:<{width}}  {row['value']:<40}  goal {row['goal']:<32}  {met}")
    if args.write and rows:
        command = "make bench   # = " + " ".join(["python3 scripts/bench.py", "--binary", ".build/release/tweetd",
                                                  "--broker-url", "amqp://…@127.0.0.1:5675/", "--write", "BENCHMARKS.md"]
                                                 + (["--cluster-urls", "amqp://…@127.0.0.1:5691/,…:5692/,…:5693/"]
                                                    if args.cluster_urls else []))
        with open(args.write, "w") as f:
            f.write(markdown(machine_facts(args.binary), rows, command))
        print(f"\nwrote {args.write}")
    if failures:
        print(f"\nfailed: {', '.join(failures)}", file=sys.stderr)
        return 1
    # Goals not met are reported (NOT MET above and in the file), not an error: the numbers are the product.
    return 0


if __name__ == "__main__":
    sys.exit(main())
