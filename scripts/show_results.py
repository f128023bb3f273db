#!/usr/bin/python3
"""Show what tweetd produced: drain the results and dead-letter queues and summarise.

Usage:
  /usr/bin/python3 scripts/show_results.py [BROKER_URL] [--show N] [--peek]
      [--results-queue NAME] [--dead-queue NAME] [--max-dead N] [--limit N]

BROKER_URL defaults to $TWEETD_BROKER_URL, then amqp://guest:guest@127.0.0.1:5674/
(the demo broker of `make demo`). Messages are read with basic.get and acked,
so they leave the queues; with --peek nothing is acked and everything goes
back to its queue when the script disconnects.

Needs python3-pika (Debian: apt-get install python3-pika).
"""

import argparse
import collections
import json
import os
import sys

try:
    import pika
    import pika.exceptions
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        "show_results.py: the 'pika' module is missing "
        "(apt-get install python3-pika, or run `make deps`)\n"
    )
    sys.exit(1)

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5674/"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Read tweetd results and dead letters from RabbitMQ and summarise them."
    )
    p.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("TWEETD_BROKER_URL") or DEFAULT_URL,
        help="AMQP URL (default: $TWEETD_BROKER_URL or %s)" % DEFAULT_URL,
    )
    p.add_argument("--results-queue", default="tweets.results", help="default: tweets.results")
    p.add_argument("--dead-queue", default="tweets.dead", help="default: tweets.dead")
    p.add_argument("--show", type=int, default=5, metavar="N", help="results to print (default 5)")
    p.add_argument("--max-dead", type=int, default=20, metavar="N",
                   help="dead letters to print (default 20)")
    p.add_argument("--limit", type=int, default=0, metavar="N",
                   help="read at most N messages per queue (default: all)")
    p.add_argument("--peek", action="store_true",
                   help="do not ack: messages return to their queues on exit")
    return p.parse_args(argv)


def text_of(value):
    """Header values arrive as str or bytes depending on pika's decoding."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)


def one_line(s, width):
    s = " ".join(str(s).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def body_preview(body, n=60):
    head = body[:n]
    text = head.decode("utf-8", errors="backslashreplace")
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text + ("…" if len(body) > n else "")


class Reader:
    """basic.get every message of a queue, reopening the channel after a 404."""

    def __init__(self, connection, peek, limit):
        self.connection = connection
        self.peek = peek
        self.limit = limit
        self.channel = connection.channel()

    def drain(self, queue):
        """Return (list of (properties, body), error or None)."""
        messages = []
        try:
            while not self.limit or len(messages) < self.limit:
                method, props, body = self.channel.basic_get(queue=queue, auto_ack=False)
                if method is None:
                    break
                messages.append((props, body))
                if not self.peek:
                    self.channel.basic_ack(method.delivery_tag)
        except pika.exceptions.ChannelClosedByBroker as e:
            self.channel = self.connection.channel()
            if e.reply_code == 404:
                return messages, "queue %r does not exist (run `tweetd setup`?)" % queue
            return messages, "broker closed the channel: %s %s" % (e.reply_code, e.reply_text)
        return messages, None


def decode_result(body):
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def dig(doc, *path, default=None):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return default
        doc = doc[key]
    return doc


def fmt_score(x):
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return "%+.2f" % x
    return "?"


def print_result(doc):
    rid = text_of(doc.get("id", "?"))
    lang = text_of(dig(doc, "analysis", "language", default="?")) or "?"
    label = text_of(dig(doc, "analysis", "sentiment", "label", default="?"))
    score = fmt_score(dig(doc, "analysis", "sentiment", "score"))
    topics = dig(doc, "analysis", "topics", default=[])
    if not isinstance(topics, list):
        topics = [topics]
    summary = text_of(dig(doc, "analysis", "summary", default=""))
    provider = text_of(doc.get("provider", "?"))
    model = text_of(doc.get("model", ""))
    prio = dig(doc, "priority", "assigned", default="?")
    pscore = dig(doc, "priority", "score")
    attempts = doc.get("attempts", "?")
    prio_text = str(prio)
    if isinstance(pscore, (int, float)) and not isinstance(pscore, bool):
        prio_text += " (score %.2f)" % pscore
    print("  %s  lang=%s  sentiment=%s %s  priority=%s  provider=%s%s  attempts=%s" % (
        one_line(rid, 24), lang, label, score, prio_text, provider,
        "/" + model if model else "", attempts))
    print("      topics: %s" % (one_line(", ".join(text_of(t) for t in topics), 100) or "-"))
    print("      summary: %s" % (one_line(summary, 100) or "-"))


def print_dead(props, body):
    headers = props.headers or {}
    category = text_of(headers.get("x-error-category")) or "?"
    message = text_of(headers.get("x-error-message")) or "-"
    extra = []
    if headers.get("x-attempts") is not None:
        extra.append("attempts=%s" % text_of(headers.get("x-attempts")))
    if headers.get("x-provider"):
        extra.append("provider=%s" % text_of(headers.get("x-provider")))
    print("  [%s] %s%s" % (category, one_line(message, 100),
                           ("  (" + ", ".join(extra) + ")") if extra else ""))
    print("      body (%d bytes): %s" % (len(body), body_preview(body)))


def counts(counter):
    if not counter:
        return "-"
    return ", ".join("%s=%d" % (k, n) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def main(argv):
    args = parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    try:
        params = pika.URLParameters(args.url)
    except Exception as e:  # bad URL
        sys.stderr.write("show_results.py: bad broker URL %r: %s\n" % (args.url, e))
        return 2
    params.connection_attempts = 1
    params.socket_timeout = 5
    try:
        connection = pika.BlockingConnection(params)
    except pika.exceptions.AMQPError as e:
        sys.stderr.write("show_results.py: cannot connect to %s: %s\n"
                         % (redact(args.url), e.__class__.__name__ + (": %s" % e if str(e) else "")))
        return 1

    try:
        reader = Reader(connection, args.peek, args.limit)
        results, results_err = reader.drain(args.results_queue)
        dead, dead_err = reader.drain(args.dead_queue)
    finally:
        try:
            connection.close()
        except Exception:
            pass

    by_lang = collections.Counter()
    by_sentiment = collections.Counter()
    by_provider = collections.Counter()
    undecodable = 0
    docs = []
    for _props, body in results:
        doc = decode_result(body)
        if doc is None:
            undecodable += 1
            continue
        docs.append(doc)
        by_lang[text_of(dig(doc, "analysis", "language", default="?")) or "?"] += 1
        by_sentiment[text_of(dig(doc, "analysis", "sentiment", "label", default="?")) or "?"] += 1
        by_provider[text_of(doc.get("provider", "?"))] += 1

    by_category = collections.Counter(
        text_of((props.headers or {}).get("x-error-category")) or "?" for props, _body in dead
    )

    print("broker %s%s" % (redact(args.url), "  (peek: nothing acked)" if args.peek else ""))
    print()
    shown = docs[: max(args.show, 0)]
    print("results in %s: %d%s" % (
        args.results_queue, len(results),
        (" (showing %d)" % len(shown)) if len(shown) < len(results) else ""))
    if results_err:
        print("  (%s)" % results_err)
    for doc in shown:
        print_result(doc)
    if undecodable:
        print("  (%d result bodies were not JSON objects)" % undecodable)
    print()
    shown_dead = dead[: max(args.max_dead, 0)]
    print("dead letters in %s: %d%s" % (
        args.dead_queue, len(dead),
        (" (showing %d)" % len(shown_dead)) if len(shown_dead) < len(dead) else ""))
    if dead_err:
        print("  (%s)" % dead_err)
    for props, body in shown_dead:
        print_dead(props, body)
    print()
    print("results: %d, dead letters: %d (by category: %s)" % (
        len(results), len(dead), counts(by_category)))
    print("by language: %s" % counts(by_lang))
    print("by sentiment: %s" % counts(by_sentiment))
    if len(by_provider) > 1:
        print("by provider: %s" % counts(by_provider))
    return 0


def redact(url):
    """Hide the password of an amqp://user:pass@host URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    cred, _, host = rest.rpartition("@")
    user = cred.split(":", 1)[0]
    return "%s://%s:***@%s" % (scheme, user, host) if ":" in cred else url


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
