#!/usr/bin/env python3
"""latency.py — publish -> result time of a running tweetd at low load.

    latency.py URL INPUT_EXCHANGE RESULTS_EXCHANGE COUNT

Binds a private queue to RESULTS_EXCHANGE, then publishes COUNT tweets one at
a time (persistent; the producer does not wait for a confirm, so the broker's
disk syncs for the input do not count) and waits for each result before the
next, measuring from just before the publish to the result's arrival. Prints {"count", "p50_ms", "p99_ms", "max_ms", "mean_ms"} as JSON.
"""
import json
import statistics
import sys
import time

import pika


def main():
    url, input_exchange, results_exchange, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    consumer = pika.BlockingConnection(pika.URLParameters(url))
    receive = consumer.channel()
    queue = receive.queue_declare("", exclusive=True, auto_delete=True).method.queue
    receive.queue_bind(queue, results_exchange, "#")
    producer = pika.BlockingConnection(pika.URLParameters(url))
    send = producer.channel()
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    samples = []
    results = receive.consume(queue, auto_ack=True, inactivity_timeout=10)
    for i in range(count + 20):
        body = json.dumps({"id": f"lat-{i}", "text": f"measuring latency, tweet {i} #bench"}).encode()
        started = time.perf_counter()
        send.basic_publish(input_exchange, "tweet", body, properties)
        method, _, result = next(results)
        if method is None:
            raise SystemExit(f"no result for tweet {i} within 10 s")
        elapsed = (time.perf_counter() - started) * 1000
        if json.loads(result)["id"] != f"lat-{i}":
            raise SystemExit("results arrived out of order")
        if i >= 20:  # the first ones warm up connections and caches
            samples.append(elapsed)
    samples.sort()
    print(json.dumps({
        "count": len(samples),
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 3),
        "max_ms": round(samples[-1], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }))
    producer.close()
    consumer.close()


if __name__ == "__main__":
    main()
