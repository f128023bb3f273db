#!/usr/bin/env python3
"""tcp_proxy.py — a TCP proxy on loopback that tests can cut, for broker faults.

    python3 scripts/tcp_proxy.py --target 127.0.0.1:5673 [--port 0]

Prints "listening on 127.0.0.1:PORT control 127.0.0.1:CPORT" once ready.
Clients connect to PORT; bytes go both ways to --target until told otherwise.
The control port speaks minimal HTTP:

    POST /open        forward again and accept new connections (the start state)
    POST /close       close every connection now and refuse new ones (RST-like:
                      the client sees the connection drop at once)
    POST /blackhole   keep connections open but drop every byte both ways and
                      accept new connections without forwarding (the client
                      sees silence: only heartbeats can tell)
    GET  /stats       {"mode", "accepted", "active", "bytes_up", "bytes_down"}

Stops on SIGTERM or SIGINT with exit 0. Standard library only.
"""

import argparse
import asyncio
import json
import signal
import sys

MODES = ("open", "close", "blackhole")


class Proxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.mode = "open"
        self.connections = set()  # (client_writer, upstream_writer or None)
        self.accepted = 0
        self.bytes_up = 0
        self.bytes_down = 0

    async def handle(self, reader, writer):
        if self.mode == "close":
            writer.transport.abort()
            return
        self.accepted += 1
        upstream_writer = None
        upstream_reader = None
        if self.mode == "open":
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            except OSError:
                writer.transport.abort()
                return
        entry = (writer, upstream_writer)
        self.connections.add(entry)
        try:
            tasks = [asyncio.create_task(self.pump(reader, upstream_writer, up=True))]
            if upstream_reader is not None:
                tasks.append(asyncio.create_task(self.pump(upstream_reader, writer, up=False)))
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
        finally:
            self.connections.discard(entry)
            for w in (writer, upstream_writer):
                if w is not None:
                    w.transport.abort()

    async def pump(self, reader, writer, up):
        while True:
            data = await reader.read(65536)
            if not data:
                return
            if self.mode != "open" or writer is None:
                continue  # black hole: swallow
            if up:
                self.bytes_up += len(data)
            else:
                self.bytes_down += len(data)
            writer.write(data)
            await writer.drain()

    def set_mode(self, mode):
        self.mode = mode
        if mode == "close":
            for client, upstream in list(self.connections):
                for w in (client, upstream):
                    if w is not None:
                        w.transport.abort()

    async def control(self, reader, writer):
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            method, path, _ = request.split(b"\r\n", 1)[0].decode().split(" ", 2)
            status, body = 200, None
            name = path.strip("/")
            if method == "POST" and name in MODES:
                self.set_mode(name)
                body = {"mode": self.mode}
            elif method == "GET" and name == "stats":
                body = {"mode": self.mode, "accepted": self.accepted, "active": len(self.connections),
                        "bytes_up": self.bytes_up, "bytes_down": self.bytes_down}
            else:
                status, body = 404, {"error": f"unknown {method} {path}"}
            payload = json.dumps(body).encode()
            reason = "OK" if status == 200 else "Not Found"
            writer.write(f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
                         f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n".encode() + payload)
            await writer.drain()
        except (asyncio.IncompleteReadError, ValueError, ConnectionError):
            pass
        finally:
            writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="host:port to forward to")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    proxy = Proxy(host or "127.0.0.1", int(port))
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
    control = await asyncio.start_server(proxy.control, "127.0.0.1", args.control_port)
    listen_port = server.sockets[0].getsockname()[1]
    control_port = control.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{listen_port} control 127.0.0.1:{control_port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    control.close()
    proxy.set_mode("close")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
