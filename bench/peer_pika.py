#!/usr/bin/env python3
"""peer_pika.py — what a Python user would write with pika for tweetd's job.

    peer_pika.py URL QUEUE EXCHANGE COUNT PREFETCH

Consumes COUNT tweets, parses each, computes simple content statistics
(characters, words, hashtags, mentions, URLs), publishes a JSON result
(persistent, mandatory) in confirm mode and acks the input after the
confirm. BlockingConnection with confirm_delivery(): each publish waits for
its confirm, the usual way pika is used. Prints "pika COUNT messages in S s (R msg/s)".
"""
import json
import sys
import time

import pika

from peer_job import analyse


def main():
    url, queue, exchange, count, prefetch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_qos(prefetch_count=prefetch)
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    done = 0
    started = None
    for method, _, body in channel.consume(queue):
        if started is None:
            started = time.monotonic()
        result = json.dumps(analyse(body)).encode()
        channel.basic_publish(exchange, "peer", result, properties, mandatory=True)  # waits for the confirm
        channel.basic_ack(method.delivery_tag)
        done += 1
        if done == count:
            break
    seconds = time.monotonic() - started
    print(f"pika {done} messages in {seconds:.3f} s ({done / seconds:.0f} msg/s)")
    channel.cancel()
    connection.close()


if __name__ == "__main__":
    main()
