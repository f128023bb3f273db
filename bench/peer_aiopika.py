#!/usr/bin/env python3
"""peer_aiopika.py — what a Python user would write with aio-pika for tweetd's job.

    peer_aiopika.py URL QUEUE EXCHANGE COUNT PREFETCH

Consumes COUNT tweets with PREFETCH in flight, parses each, computes simple
content statistics, publishes a JSON result (persistent, mandatory) on a
channel with publisher confirms (`await exchange.publish` returns once
confirmed) and acks the input afterwards. Prints "aio-pika COUNT messages in S s (R msg/s)".
"""
import asyncio
import json
import sys
import time

import aio_pika

from peer_job import analyse


async def main():
    url, queue_name, exchange_name, count, prefetch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    connection = await aio_pika.connect(url)
    channel = await connection.channel(publisher_confirms=True)
    await channel.set_qos(prefetch_count=prefetch)
    exchange = await channel.get_exchange(exchange_name, ensure=False)
    queue = await channel.get_queue(queue_name, ensure=False)
    done = 0
    started = None
    finished = asyncio.Event()

    async def handle(message):
        nonlocal done, started
        if started is None:
            started = time.monotonic()
        result = json.dumps(analyse(message.body)).encode()
        await exchange.publish(
            aio_pika.Message(result, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key="peer", mandatory=True,
        )
        await message.ack()
        done += 1
        if done == count:
            finished.set()

    tag = await queue.consume(handle)
    await finished.wait()
    seconds = time.monotonic() - started
    print(f"aio-pika {done} messages in {seconds:.3f} s ({done / seconds:.0f} msg/s)")
    await queue.cancel(tag)
    await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
