#!/usr/bin/env python3
"""A fake LLM provider server on loopback, for tweetd's tests and benchmarks.

Standard library only (Python 3.11). Binds 127.0.0.1 and nothing else.

    python3 scripts/fake_llm_server.py [--port 0] [--config JSON|@FILE]

Prints exactly one line, `listening on 127.0.0.1:PORT`, to stdout once ready
(--port 0 = ephemeral port), then serves until SIGTERM or SIGINT (exit 0).
HTTP/1.1 with keep-alive; one thread per connection.

Provider routes: the first path segment is the provider NAME, so one server
plays several providers (base_url http://127.0.0.1:PORT/NAME/v1, ...):
    POST /NAME/v1/chat/completions, /NAME/chat/completions     OpenAI format
    GET  /NAME/v1/models, /NAME/models                         OpenAI model list
    POST /NAME/v1/messages                                     Anthropic format
                                                               (needs anthropic-version)
    POST /NAME/v1beta/models/MODEL:generateContent,
         /NAME/v1/models/MODEL:generateContent,
         /NAME/models/MODEL:generateContent                    Gemini format
The answer text is JSON {"sentiment","sentiment_score","topics","summary",
"language"} computed deterministically from the tweet text (the last user
message; if it holds <tweet>...</tweet> or a "Tweet:" line, what follows).
usage: N = len(all request text)//4 + 1, M = len(answer text)//4 + 1.

Behaviour per provider NAME ("*" = defaults for every name), set with --config
'{"openai": {...}, "*": {...}}' and changed at run time (merged) with
POST /_control/NAME (JSON body); DELETE /_control/NAME drops NAME's overrides;
GET /_control[/NAME] shows them. Keys (unknown keys are rejected):
    latency_ms (0), latency_jitter_ms (0: uniform extra 0..jitter),
    rpm_limit (null: strict sliding 60 s window of accepted requests, counted
        at arrival; excess gets 429 + Retry-After, not counted),
    mode ("ok" | "error500" | "overloaded" | "unauthorized" | "garbage" |
        "bad_request" | "quota" | "timeout" | "fail_first_n" | "fenced"),
    n (0: for fail_first_n), require_key (null: check the provider's auth header),
    timeout_s (120: sleep of mode "timeout"), validate (true: 400 on a request
    missing required fields), answer (null: fixed answer text),
    send_retry_after (true: Retry-After header on 429s, Gemini included),
    send_budget_headers (true: x-ratelimit-* / anthropic-ratelimit-* limit,
        remaining and reset headers on successful answers),
    retry_after_s (null: a 429's delay is when the window frees a slot; an
        integer: always that many seconds).
Mode "throttle_first_n": the first n requests past the rpm check get a 429
(with Retry-After) as if the window were full.
Order per request: read body -> JSON/anthropic-version/field checks (400) ->
require_key (401) -> rpm_limit (429) -> accepted -> latency -> mode.

Observation: GET /_stats (counts, worst 60 s and 1 s windows, and each
request's arrival as seconds on the server's monotonic clock with its status
in "arrivals"), POST /_reset (stats, windows, fail_first_n counters;
?config=1 also restores the --config settings), POST /_reset/NAME,
GET /_requests/NAME?limit=N (last N stored requests, oldest first, with
lower-cased headers), GET /_health.
"""

import argparse
import collections
import datetime
import itertools
import json
import math
import random
import re
import signal
import socketserver
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

HOST = "127.0.0.1"
WINDOW_S = 60.0
MAX_STORED = 1000
MAX_AUTH_SEEN = 100

MODES = ("ok", "error500", "overloaded", "unauthorized", "garbage",
         "bad_request", "quota", "timeout", "fail_first_n", "fenced",
         "throttle_first_n")
DEFAULTS = {
    "latency_ms": 0,
    "latency_jitter_ms": 0,
    "rpm_limit": None,
    "mode": "ok",
    "n": 0,
    "require_key": None,
    "timeout_s": 120,
    "validate": True,
    "answer": None,
    "send_retry_after": True,
    "send_budget_headers": True,
    "retry_after_s": None,
}
GARBAGE = "Sure! Here is my analysis: the tweet is nice."

POSITIVE = {"love", "loved", "loves", "loving", "great", "good", "awesome",
            "excellent", "amazing", "happy", "best", "wonderful", "fantastic"}
NEGATIVE = {"hate", "hated", "hates", "awful", "bad", "terrible", "horrible",
            "worst", "sad", "angry", "disappointing", "broken"}


# --------------------------------------------------------------------------
# configuration


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_patch(patch):
    """Raise ValueError unless `patch` is a valid (partial) provider config."""
    if not isinstance(patch, dict):
        raise ValueError("provider config must be a JSON object")
    unknown = sorted(set(patch) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown keys {unknown}; known: {sorted(DEFAULTS)}")
    for key in ("latency_ms", "latency_jitter_ms", "timeout_s"):
        if key in patch and not (_is_number(patch[key]) and patch[key] >= 0):
            raise ValueError(f"{key} must be a number >= 0")
    if "rpm_limit" in patch and patch["rpm_limit"] is not None:
        v = patch["rpm_limit"]
        if not (_is_number(v) and v >= 0 and int(v) == v):
            raise ValueError("rpm_limit must be null or an integer >= 0")
    if "n" in patch and not (_is_number(patch["n"]) and patch["n"] >= 0
                             and int(patch["n"]) == patch["n"]):
        raise ValueError("n must be an integer >= 0")
    if "mode" in patch and patch["mode"] not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}")
    if "retry_after_s" in patch and patch["retry_after_s"] is not None:
        v = patch["retry_after_s"]
        if not (_is_number(v) and v >= 1 and int(v) == v):
            raise ValueError("retry_after_s must be null or an integer >= 1")
    for key in ("require_key", "answer"):
        if key in patch and not (patch[key] is None or isinstance(patch[key], str)):
            raise ValueError(f"{key} must be null or a string")
    for key in ("validate", "send_retry_after"):
        if key in patch and not isinstance(patch[key], bool):
            raise ValueError(f"{key} must be true or false")


def check_name(name):
    if not name or name.startswith("_") or "/" in name:
        raise ValueError(f"bad provider name {name!r}")


def load_config(text):
    """Parse --config: JSON text, or @path to a JSON file."""
    if not text:
        return {}
    if text.startswith("@"):
        with open(text[1:], encoding="utf-8") as f:
            text = f.read()
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"--config is not JSON: {e}") from None
    if not isinstance(cfg, dict):
        raise ValueError("--config must be a JSON object {name: {...}}")
    for name, patch in cfg.items():
        check_name(name)
        try:
            check_patch(patch)
        except ValueError as e:
            raise ValueError(f"--config {name}: {e}") from None
    return cfg


# --------------------------------------------------------------------------
# shared state


class ProviderStats:
    """Counters and windows of one provider name. Guarded by State.lock."""

    def __init__(self):
        self.requests = 0
        self.accepted = 0
        self.status_counts = {}
        self.acc60 = collections.deque()   # monotonic arrivals of accepted requests
        self.rec60 = collections.deque()   # monotonic arrivals of all requests
        self.acc1 = collections.deque()
        self.rec1 = collections.deque()
        self.max_rec1 = 0
        self.arrivals = []                 # [monotonic arrival, status] per request
        self.max_acc60 = 0
        self.max_rec60 = 0
        self.max_acc1 = 0
        self.first_at = None
        self.last_at = None
        self.in_flight = 0
        self.max_concurrent = 0
        self.auth_seen = {}                # insertion-ordered set
        self.stored = collections.deque(maxlen=MAX_STORED)
        self.fail_count = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    @staticmethod
    def _prune(dq, now, span):
        cut = now - span
        while dq and dq[0] <= cut:
            dq.popleft()

    def on_received(self, mono, wall, record, auth_value):
        self.requests += 1
        if self.first_at is None:
            self.first_at = wall
        self.last_at = wall
        self._prune(self.rec60, mono, WINDOW_S)
        self.rec60.append(mono)
        self.max_rec60 = max(self.max_rec60, len(self.rec60))
        self._prune(self.rec1, mono, 1.0)
        self.rec1.append(mono)
        self.max_rec1 = max(self.max_rec1, len(self.rec1))
        self.in_flight += 1
        self.max_concurrent = max(self.max_concurrent, self.in_flight)
        self.stored.append(record)
        if auth_value is not None and auth_value not in self.auth_seen \
                and len(self.auth_seen) < MAX_AUTH_SEEN:
            self.auth_seen[auth_value] = None

    def try_admit(self, mono, limit):
        """Sliding window (mono-60, mono]. Returns (admitted, info) where info
        has limit/remaining/reset_s (seconds until the oldest accepted request
        leaves the window)."""
        self._prune(self.acc60, mono, WINDOW_S)
        if limit is not None and len(self.acc60) >= limit:
            reset = (self.acc60[0] + WINDOW_S - mono) if self.acc60 else WINDOW_S
            return False, {"limit": limit, "remaining": 0, "reset_s": reset}
        self.accepted += 1
        self.acc60.append(mono)
        self.max_acc60 = max(self.max_acc60, len(self.acc60))
        self._prune(self.acc1, mono, 1.0)
        self.acc1.append(mono)
        self.max_acc1 = max(self.max_acc1, len(self.acc1))
        info = None
        if limit is not None:
            info = {"limit": limit, "remaining": max(0, limit - len(self.acc60)),
                    "reset_s": self.acc60[0] + WINDOW_S - mono}
        return True, info

    def snapshot(self):
        return {
            "requests": self.requests,
            "accepted": self.accepted,
            "status_counts": dict(sorted(self.status_counts.items())),
            "max_accepted_in_any_60s": self.max_acc60,
            "max_received_in_any_60s": self.max_rec60,
            "max_accepted_in_any_1s": self.max_acc1,
            "max_received_in_any_1s": self.max_rec1,
            "arrivals": [list(a) for a in self.arrivals],
            "first_at": self.first_at,
            "last_at": self.last_at,
            "max_concurrent": self.max_concurrent,
            "in_flight": self.in_flight,
            "auth_headers_seen": list(self.auth_seen),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


class State:
    def __init__(self, startup_config):
        self.lock = threading.Lock()
        self.startup = json.loads(json.dumps(startup_config))
        self.overrides = json.loads(json.dumps(startup_config))
        self.providers = {}
        self.seq = itertools.count(1)
        self.started = time.time()

    def effective(self, name):
        with self.lock:
            return self._effective(name)

    def _effective(self, name):
        cfg = dict(DEFAULTS)
        cfg.update(self.overrides.get("*", {}))
        if name != "*":
            cfg.update(self.overrides.get(name, {}))
        return cfg

    def stats_for(self, name):
        st = self.providers.get(name)
        if st is None:
            st = self.providers[name] = ProviderStats()
        return st


# --------------------------------------------------------------------------
# request text, answers, provider formats


def _parts_text(content):
    """Text of a message content: a string, or a list of parts with "text"."""
    if isinstance(content, str):
        return [content]
    out = []
    if isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                out.append(part["text"])
    elif isinstance(content, dict) and isinstance(content.get("text"), str):
        out.append(content["text"])
    return out


def extract_texts(kind, body):
    """(all text pieces of the request, text of the last user message)."""
    pieces, last_user = [], None
    if not isinstance(body, dict):
        return pieces, ""
    if kind == "openai":
        for m in body.get("messages") or []:
            if isinstance(m, dict):
                t = _parts_text(m.get("content"))
                pieces += t
                if m.get("role") == "user":
                    last_user = "\n".join(t)
    elif kind == "anthropic":
        pieces += _parts_text(body.get("system"))
        for m in body.get("messages") or []:
            if isinstance(m, dict):
                t = _parts_text(m.get("content"))
                pieces += t
                if m.get("role") == "user":
                    last_user = "\n".join(t)
    else:  # gemini
        si = body.get("systemInstruction") or body.get("system_instruction")
        if isinstance(si, dict):
            pieces += _parts_text(si.get("parts"))
        for c in body.get("contents") or []:
            if isinstance(c, dict):
                t = _parts_text(c.get("parts"))
                pieces += t
                if c.get("role", "user") == "user":
                    last_user = "\n".join(t)
    return pieces, last_user or ""


_TWEET_TAG = re.compile(r"<tweet>(.*?)</tweet>", re.S | re.I)
_TWEET_LINE = re.compile(r"^[ \t]*tweet(?:[ \t]+text)?[ \t]*:[ \t]*", re.M | re.I)
_QUOTES = ('"""', "'''", "```", '"', "'", "\u201c", "\u00ab")
_CLOSE = {'"""': '"""', "'''": "'''", "```": "```", '"': '"', "'": "'",
          "\u201c": "\u201d", "\u00ab": "\u00bb"}


def tweet_text(user_text):
    m = _TWEET_TAG.search(user_text)
    if m:
        return m.group(1).strip()
    m = _TWEET_LINE.search(user_text)
    if m:
        text = user_text[m.end():].strip()
        for q in _QUOTES:
            if text.startswith(q) and text.endswith(_CLOSE[q]) and len(text) >= 2 * len(q):
                return text[len(q):len(text) - len(_CLOSE[q])].strip()
        return text
    return user_text.strip()


_WORD = re.compile(r"[^\W\d_][\w'-]*")
_URL = re.compile(r"https?://\S+|www\.\S+|@\w+")


def analyse(text):
    words = [w.strip("'-").lower() for w in _WORD.findall(_URL.sub(" ", text))]
    words = [w for w in words if w]
    pos = sum(1 for w in words if w in POSITIVE)
    neg = sum(1 for w in words if w in NEGATIVE)
    if pos > neg:
        sentiment, score = "positive", 0.8
    elif neg > pos:
        sentiment, score = "negative", -0.8
    else:
        sentiment, score = "neutral", 0.0
    order = {}
    for i, w in enumerate(words):
        order.setdefault(w, i)
    topics = sorted(order, key=lambda w: (-len(w), order[w]))[:3]
    return {"sentiment": sentiment, "sentiment_score": score, "topics": topics,
            "summary": text[:100], "language": "en"}


def answer_text(cfg, tweet, mode):
    if mode == "garbage":
        return GARBAGE
    if cfg.get("answer") is not None:
        return cfg["answer"]
    text = json.dumps(analyse(tweet), ensure_ascii=False)
    if mode == "fenced":
        text = "```json\n" + text + "\n```"
    return text


def success_body(kind, model, answer, n_in, n_out, seq):
    if kind == "openai":
        return {"id": f"chatcmpl-fake{seq:06d}", "object": "chat.completion",
                "created": int(time.time()), "model": model,
                "choices": [{"index": 0,
                             "message": {"role": "assistant", "content": answer},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": n_in, "completion_tokens": n_out,
                          "total_tokens": n_in + n_out}}
    if kind == "anthropic":
        return {"id": f"msg_fake{seq:06d}", "type": "message", "role": "assistant",
                "model": model, "content": [{"type": "text", "text": answer}],
                "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": n_in, "output_tokens": n_out}}
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": answer}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": n_in, "candidatesTokenCount": n_out,
                              "totalTokenCount": n_in + n_out},
            "modelVersion": model, "responseId": f"fake{seq:06d}"}


def _openai_err(status, message, etype, code=None, param=None):
    return status, {"error": {"message": message, "type": etype, "param": param,
                              "code": code}}


def _anthropic_err(status, etype, message):
    return status, {"type": "error", "error": {"type": etype, "message": message}}


def _gemini_err(status, gstatus, message, details=None):
    err = {"code": status, "message": message, "status": gstatus}
    if details is not None:
        err["details"] = details
    return status, {"error": err}


def error_response(kind, what, message=None, param=None, retry_s=None, limit=None):
    """(status, body) of an error `what` in the wire format of `kind`."""
    if kind == "openai":
        if what == "server":
            return _openai_err(500, "The server had an error while processing your "
                               "request. Sorry about that!", "server_error")
        if what == "overloaded":
            return _openai_err(503, "The engine is currently overloaded, please try "
                               "again later.", "server_error")
        if what == "unauthorized":
            return _openai_err(401, message or "Incorrect API key provided.",
                               "invalid_request_error", "invalid_api_key")
        if what == "bad_request":
            return _openai_err(400, message or "Invalid request.",
                               "invalid_request_error", None, param)
        if what == "quota":
            return _openai_err(429, "You exceeded your current quota, please check "
                               "your plan and billing details.", "insufficient_quota",
                               "insufficient_quota")
        if what == "rate_limit":
            return _openai_err(429, f"Rate limit reached for requests per min (RPM): "
                               f"Limit {limit}, Used {limit}, Requested 1. Please try "
                               f"again in {retry_s}s.", "requests", "rate_limit_exceeded")
    elif kind == "anthropic":
        if what == "server":
            return _anthropic_err(500, "api_error", "Internal server error")
        if what == "overloaded":
            return _anthropic_err(529, "overloaded_error", "Overloaded")
        if what == "unauthorized":
            return _anthropic_err(401, "authentication_error",
                                  message or "invalid x-api-key")
        if what == "bad_request":
            return _anthropic_err(400, "invalid_request_error",
                                  message or "Invalid request.")
        if what == "quota":
            return _anthropic_err(400, "invalid_request_error",
                                  "Your credit balance is too low to access the "
                                  "Anthropic API. Please go to Plans & Billing to "
                                  "upgrade or purchase credits.")
        if what == "rate_limit":
            return _anthropic_err(429, "rate_limit_error",
                                  f"This request would exceed the rate limit for your "
                                  f"organization of {limit} requests per minute.")
    else:
        if what == "server":
            return _gemini_err(500, "INTERNAL", "An internal error has occurred. "
                               "Please retry or report in "
                               "https://developers.generativeai.google/guide/troubleshooting")
        if what == "overloaded":
            return _gemini_err(503, "UNAVAILABLE",
                               "The model is overloaded. Please try again later.")
        if what == "unauthorized":
            return _gemini_err(401, "UNAUTHENTICATED", message or
                               "API key not valid. Please pass a valid API key.")
        if what == "bad_request":
            return _gemini_err(400, "INVALID_ARGUMENT", message or
                               "Request contains an invalid argument.")
        if what == "quota":
            return _gemini_err(429, "RESOURCE_EXHAUSTED",
                               "You exceeded your current quota, please check your "
                               "plan and billing details.")
        if what == "rate_limit":
            return _gemini_err(429, "RESOURCE_EXHAUSTED",
                               "Resource has been exhausted (e.g. check quota).",
                               [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                 "retryDelay": f"{retry_s}s"}])
    raise AssertionError(f"no error {what!r} for {kind!r}")


def validate_body(kind, body):
    """None, or (message, param) of the first problem of a provider request."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object.", None
    if kind in ("openai", "anthropic"):
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "you must provide a model parameter", "model"
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return "'messages' must be a non-empty array", "messages"
        for i, m in enumerate(msgs):
            if not isinstance(m, dict) or not isinstance(m.get("role"), str) \
                    or "content" not in m:
                return f"messages.{i}: each message needs 'role' and 'content'", \
                    f"messages[{i}]"
        if kind == "anthropic":
            mt = body.get("max_tokens")
            if not (isinstance(mt, int) and not isinstance(mt, bool) and mt > 0):
                return "max_tokens: Field required", "max_tokens"
    else:
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return "* GenerateContentRequest.contents: contents is not specified", \
                "contents"
    return None


_GEMINI = re.compile(r"^(?:v1beta/|v1/)?models/(.+):generateContent$")


def route_of(path):
    """(kind, name, model_from_path) of a provider path, or None."""
    parts = path.split("/", 2)
    if len(parts) < 3 or parts[0] != "":
        return None
    name, rest = parts[1], parts[2]
    if not name or name.startswith("_") or name == "*":
        return None
    if rest in ("v1/chat/completions", "chat/completions"):
        return "openai", name, None
    if rest == "v1/messages":
        return "anthropic", name, None
    if rest in ("v1/models", "models"):
        return "models", name, None
    m = _GEMINI.match(rest)
    if m:
        model = m.group(1)
        if model.startswith("models/"):
            model = model[len("models/"):]
        return "gemini", name, model
    return None


def _rfc3339(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-llm/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 300  # idle keep-alive connections are closed after this

    def log_message(self, fmt, *args):  # quiet
        pass

    def version_string(self):
        return self.server_version

    # ---- plumbing

    @property
    def state(self):
        return self.server.state

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, obj, headers=(), on_status=None):
        body = obj if isinstance(obj, bytes) else \
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        if on_status is not None:
            on_status(status)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, str(v))
            # one write for headers and body (no Nagle / delayed-ACK stalls)
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(body)
            self.flush_headers()
        except OSError:
            self.close_connection = True

    def _json(self, status, obj):
        self._send(status, obj)

    def _not_found(self):
        self._json(404, {"error": {"message": f"no route for {self.command} "
                                              f"{self.path}", "type": "not_found"}})

    def _split(self):
        path, _, query = self.path.partition("?")
        return unquote(path), parse_qs(query)

    def _guard(self, fn):
        try:
            fn()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # never kill the connection thread silently
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._json(500, {"error": {"message": "fake server bug",
                                       "type": "fake_server_error"}})

    # ---- verbs

    def do_GET(self):
        self._guard(self._get)

    def do_POST(self):
        self._guard(self._post)

    def do_DELETE(self):
        self._guard(self._delete)

    def _get(self):
        path, query = self._split()
        st = self.state
        if path == "/_health":
            return self._json(200, {"ok": True})
        if path == "/_stats":
            with st.lock:
                provs = {k: v.snapshot() for k, v in sorted(st.providers.items())}
            return self._json(200, {"providers": provs,
                                    "uptime_s": time.time() - st.started})
        if path.startswith("/_requests/"):
            name = path[len("/_requests/"):]
            try:
                limit = int(query.get("limit", [MAX_STORED])[0])
            except ValueError:
                return self._json(400, {"error": {"message": "limit must be an integer"}})
            with st.lock:
                stats = st.providers.get(name)
                recs = list(stats.stored) if stats else []
                recs = recs[-limit:] if limit > 0 else []
                recs = json.loads(json.dumps(recs))  # copy under the lock
            return self._json(200, {"provider": name, "count": len(recs),
                                    "requests": recs})
        if path == "/_control":
            with st.lock:
                out = json.loads(json.dumps({"overrides": st.overrides,
                                             "defaults": DEFAULTS}))
            return self._json(200, out)
        if path.startswith("/_control/"):
            name = path[len("/_control/"):]
            with st.lock:
                out = {"name": name, "effective": st._effective(name),
                       "overrides": dict(st.overrides.get(name, {}))}
            return self._json(200, out)
        route = route_of(path)
        if route and route[0] == "models":
            self._read_body()
            return self._json(200, {"object": "list", "data": [
                {"id": "fake-model", "object": "model", "created": 0,
                 "owned_by": "fake"}]})
        if route:
            return self._json(405, {"error": {"message": "use POST"}})
        return self._not_found()

    def _delete(self):
        self._read_body()
        path, _ = self._split()
        st = self.state
        if path.startswith("/_control/"):
            name = path[len("/_control/"):]
            with st.lock:
                st.overrides.pop(name, None)
                for s in self._affected(name):
                    s.fail_count = 0
                out = {"name": name, "effective": st._effective(name), "overrides": {}}
            return self._json(200, out)
        return self._not_found()

    def _affected(self, name):
        st = self.state
        if name == "*":
            return list(st.providers.values())
        return [st.providers[name]] if name in st.providers else []

    def _post(self):
        path, query = self._split()
        st = self.state
        if path.startswith("/_control/"):
            raw = self._read_body()
            name = path[len("/_control/"):]
            try:
                if name != "*":
                    check_name(name)
                patch = json.loads(raw or b"{}")
                check_patch(patch)
            except (ValueError, UnicodeDecodeError) as e:
                return self._json(400, {"error": {"message": str(e)}})
            with st.lock:
                st.overrides.setdefault(name, {}).update(patch)
                if "mode" in patch or "n" in patch:
                    for s in self._affected(name):
                        s.fail_count = 0
                out = {"name": name, "effective": st._effective(name),
                       "overrides": dict(st.overrides[name])}
            return self._json(200, out)
        if path == "/_reset" or path.startswith("/_reset/"):
            self._read_body()
            name = path[len("/_reset/"):] if path.startswith("/_reset/") else None
            with st.lock:
                if name is None:
                    st.providers = {}
                    if query.get("config", ["0"])[0] not in ("0", "", "false"):
                        st.overrides = json.loads(json.dumps(st.startup))
                else:
                    st.providers.pop(name, None)
            return self._json(200, {"ok": True})
        route = route_of(path)
        if route is None or route[0] == "models":
            self._read_body()
            return self._not_found()
        self._provider(*route, query)

    # ---- provider requests

    def _auth_value(self, kind, query):
        if kind == "openai":
            return self.headers.get("Authorization")
        if kind == "anthropic":
            return self.headers.get("x-api-key")
        v = self.headers.get("x-goog-api-key")
        if v is None and "key" in query:
            return "key=" + query["key"][0]
        return v

    def _authorized(self, kind, key, query):
        if kind == "openai":
            v = self.headers.get("Authorization") or ""
            scheme, _, token = v.partition(" ")
            return scheme.lower() == "bearer" and token.strip() == key
        if kind == "anthropic":
            return self.headers.get("x-api-key") == key
        return self.headers.get("x-goog-api-key") == key or \
            query.get("key", [None])[0] == key

    def _provider(self, kind, name, path_model, query):
        st = self.state
        raw = self._read_body()
        mono, wall = time.monotonic(), time.time()
        cfg = st.effective(name)
        seq = next(st.seq)
        try:
            body = json.loads(raw) if raw else None
            body_for_record = body
        except (ValueError, UnicodeDecodeError):
            body, body_for_record = None, raw.decode("utf-8", "replace")
            bad_json = True
        else:
            bad_json = raw == b""
        record = {"seq": seq, "at": wall, "method": self.command, "path": self.path,
                  "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body_for_record, "status": None}
        with st.lock:
            stats = st.stats_for(name)
            stats.on_received(mono, wall, record, self._auth_value(kind, query))

        finished = []

        def on_status(status):
            # called just before the response is written: the request stops
            # counting as in flight first, so a client that sends its next
            # request as soon as it has the answer never sees itself twice
            with st.lock:
                key = str(status)
                stats.status_counts[key] = stats.status_counts.get(key, 0) + 1
                record["status"] = status
                stats.arrivals.append([mono, status])
                if not finished:
                    finished.append(True)
                    stats.in_flight -= 1

        def send_error(what, headers=(), **kw):
            status, ebody = error_response(kind, what, **kw)
            self._send(status, ebody, headers, on_status)

        try:
            # 1. request checks
            if bad_json:
                return send_error("bad_request", message="We could not parse the JSON "
                                  "body of your request.")
            if kind == "anthropic" and not self.headers.get("anthropic-version"):
                return send_error("bad_request",
                                  message="anthropic-version: header is required")
            if cfg["validate"]:
                problem = validate_body(kind, body)
                if problem:
                    return send_error("bad_request", message=problem[0],
                                      param=problem[1])
            # 2. auth
            if cfg["require_key"] is not None and \
                    not self._authorized(kind, cfg["require_key"], query):
                return send_error("unauthorized")
            # 3. rate limit, at arrival
            limit = cfg["rpm_limit"]
            limit = None if limit is None else int(limit)
            with st.lock:
                fail = False
                if cfg["mode"] == "throttle_first_n" and stats.fail_count < int(cfg["n"]):
                    # refused as if the window were full, and not counted in it
                    stats.fail_count += 1
                    admitted, info = False, {"limit": limit or 0, "remaining": 0, "reset_s": 1}
                else:
                    admitted, info = stats.try_admit(mono, limit)
                if admitted and cfg["mode"] == "fail_first_n":
                    stats.fail_count += 1
                    fail = stats.fail_count <= int(cfg["n"])
            if not admitted:
                return self._rate_limited(kind, info, cfg, wall, send_error)
            # 4. latency
            delay = float(cfg["latency_ms"])
            if cfg["latency_jitter_ms"]:
                delay += random.uniform(0, float(cfg["latency_jitter_ms"]))
            if delay > 0:
                time.sleep(delay / 1000.0)
            # 5. mode
            mode = cfg["mode"]
            if mode == "timeout":
                time.sleep(float(cfg["timeout_s"]))
            elif mode == "error500" or fail:
                return send_error("server")
            elif mode == "overloaded":
                return send_error("overloaded")
            elif mode == "unauthorized":
                return send_error("unauthorized")
            elif mode == "bad_request":
                return send_error("bad_request")
            elif mode == "quota":
                return send_error("quota")
            pieces, last_user = extract_texts(kind, body)
            answer = answer_text(cfg, tweet_text(last_user), mode)
            n_in = len("\n".join(pieces)) // 4 + 1
            n_out = len(answer) // 4 + 1
            if kind == "gemini":
                model = path_model
            else:
                model = body.get("model") if isinstance(body, dict) else None
                model = model if isinstance(model, str) else "fake-model"
            with st.lock:
                stats.prompt_tokens += n_in
                stats.completion_tokens += n_out
            self._send(200, success_body(kind, model, answer, n_in, n_out, seq),
                       self._ok_headers(kind, info if cfg["send_budget_headers"] else None, wall, seq),
                       on_status)
        finally:
            with st.lock:
                if not finished:
                    finished.append(True)
                    stats.in_flight -= 1

    def _ok_headers(self, kind, info, wall, seq):
        if kind == "openai":
            h = [("x-request-id", f"req_fake{seq:06d}")]
            if info:
                h += [("x-ratelimit-limit-requests", info["limit"]),
                      ("x-ratelimit-remaining-requests", info["remaining"]),
                      ("x-ratelimit-reset-requests", f"{math.ceil(info['reset_s'])}s")]
            return h
        if kind == "anthropic":
            h = [("request-id", f"req_fake{seq:06d}")]
            if info:
                h += [("anthropic-ratelimit-requests-limit", info["limit"]),
                      ("anthropic-ratelimit-requests-remaining", info["remaining"]),
                      ("anthropic-ratelimit-requests-reset",
                       _rfc3339(wall + info["reset_s"]))]
            return h
        return []

    def _rate_limited(self, kind, info, cfg, wall, send_error):
        retry = max(1, math.ceil(info["reset_s"]))
        if cfg["retry_after_s"] is not None:
            retry = int(cfg["retry_after_s"])
        h = []
        if kind == "openai":
            if cfg["send_retry_after"]:
                h.append(("Retry-After", retry))
            h += [("x-ratelimit-limit-requests", info["limit"]),
                  ("x-ratelimit-remaining-requests", 0),
                  ("x-ratelimit-reset-requests", f"{retry}s")]
        elif kind == "anthropic":
            if cfg["send_retry_after"]:
                h.append(("retry-after", retry))
            h += [("anthropic-ratelimit-requests-limit", info["limit"]),
                  ("anthropic-ratelimit-requests-remaining", 0),
                  ("anthropic-ratelimit-requests-reset", _rfc3339(wall + retry))]
        elif cfg["send_retry_after"]:
            h.append(("Retry-After", retry))
        send_error("rate_limit", h, retry_s=retry, limit=info["limit"])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False      # do not wait for (e.g. sleeping) handlers on exit
    request_queue_size = 1024   # listen backlog: hundreds of clients connect at once
    allow_reuse_address = True

    def server_bind(self):
        # skip HTTPServer.server_bind's reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    p = argparse.ArgumentParser(description="Fake OpenAI/Anthropic/Gemini server "
                                "on 127.0.0.1 for tweetd tests.")
    p.add_argument("--port", type=int, default=0, help="TCP port (0 = ephemeral)")
    p.add_argument("--config", default="",
                   help='JSON {"NAME": {...}, "*": {...}}, or @FILE holding it')
    args = p.parse_args(argv)
    try:
        cfg = load_config(args.config)
    except (ValueError, OSError) as e:
        print(f"fake_llm_server: {e}", file=sys.stderr)
        return 2
    server = Server((HOST, args.port), Handler)
    server.state = State(cfg)
    stopping = threading.Event()

    def on_signal(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"listening on {HOST}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
