#!/usr/bin/env python3
"""Self-test of scripts/fake_llm_server.py (standard library only).

    python3 scripts/test_fake_llm_server.py      # prints "N passed, M failed"
    python3 -m pytest scripts/test_fake_llm_server.py

Starts the server as a subprocess on an ephemeral 127.0.0.1 port and talks to
it over HTTP (urllib, and http.client for keep-alive); exits non-zero on failure.
"""

import concurrent.futures
import http.client
import importlib.util
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_llm_server.py")
PYTHON = sys.executable or "/usr/bin/python3"
STARTUP_CONFIG = {"cfgd": {"require_key": "K0", "latency_ms": 1}}

_server = None  # (Popen, port)
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxies


# --------------------------------------------------------------------------
# helpers


def start_server(*args):
    proc = subprocess.Popen([PYTHON, SERVER, "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening on 127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"server did not start: {line!r} {proc.stderr.read()!r}")
    return proc, int(line.strip().rsplit(":", 1)[1])


def stop_server(proc, sig=signal.SIGTERM, timeout=5):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def port():
    global _server
    if _server is None or _server[0].poll() is not None:
        _server = start_server("--config", json.dumps(STARTUP_CONFIG))
    return _server[1]


def teardown_module(module=None):
    global _server
    if _server is not None:
        stop_server(_server[0])
        _server = None


def call(method, path, body=None, headers=None, timeout=10, raw=None):
    """(status, lower-cased headers, parsed JSON or text)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(f"http://127.0.0.1:{port()}{path}", data=data,
                                 method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _opener.open(req, timeout=timeout) as r:
            status, hdrs, text = r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        status, hdrs, text = e.code, e.headers, e.read().decode()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    return status, {k.lower(): v for k, v in hdrs.items()}, parsed


def control(name, **cfg):
    status, _, body = call("POST", f"/_control/{name}", cfg)
    assert status == 200, body
    return body


def fresh():
    assert call("POST", "/_reset?config=1")[0] == 200


def stats(name=None):
    body = call("GET", "/_stats")[2]
    return body["providers"].get(name) if name else body


def openai_req(text="I love this great phone", model="gpt-4o-mini", **extra):
    return {"model": model, "max_tokens": 200,
            "messages": [{"role": "system", "content": "You analyse tweets."},
                         {"role": "user", "content": text}], **extra}


def anthropic_req(text="I love this great phone", model="claude-3-5-haiku"):
    return {"model": model, "max_tokens": 200, "system": "You analyse tweets.",
            "messages": [{"role": "user", "content": text}]}


def gemini_req(text="I love this great phone"):
    return {"systemInstruction": {"parts": [{"text": "You analyse tweets."}]},
            "contents": [{"role": "user", "parts": [{"text": text}]}]}


AV = {"anthropic-version": "2023-06-01"}
KINDS = {
    "openai": ("/{n}/v1/chat/completions", openai_req, {}),
    "anthropic": ("/{n}/v1/messages", anthropic_req, AV),
    "gemini": ("/{n}/v1beta/models/gemini-2.0-flash:generateContent", gemini_req, {}),
}


def send(kind, name, text="I love this great phone", headers=None, timeout=10):
    path, make, base = KINDS[kind]
    return call("POST", path.format(n=name), make(text), {**base, **(headers or {})},
                timeout=timeout)


def answer_of(kind, body):
    if kind == "openai":
        return body["choices"][0]["message"]["content"]
    if kind == "anthropic":
        return body["content"][0]["text"]
    return body["candidates"][0]["content"]["parts"][0]["text"]


def error_kind(kind, body):
    """The error type/status string of a provider error body."""
    if kind == "openai":
        return body["error"]["type"]
    if kind == "anthropic":
        assert body["type"] == "error", body
        return body["error"]["type"]
    return body["error"]["status"]


def tokens(text):
    return len(text) // 4 + 1


# --------------------------------------------------------------------------
# tests


def test_openai_format():
    fresh()
    for path in ("/oa/v1/chat/completions", "/oa/chat/completions"):
        req = openai_req("Tweet: I love the great new #SwiftLang release https://t.co/x")
        status, hdrs, body = call("POST", path, req)
        assert status == 200, (status, body)
        assert hdrs["content-type"] == "application/json"
        assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
        assert body["model"] == "gpt-4o-mini"
        ch = body["choices"][0]
        assert ch["index"] == 0 and ch["finish_reason"] == "stop"
        assert ch["message"]["role"] == "assistant"
        ans = json.loads(ch["message"]["content"])
        assert ans == {"sentiment": "positive", "sentiment_score": 0.8,
                       "topics": ["swiftlang", "release", "great"],
                       "summary": "I love the great new #SwiftLang release https://t.co/x",
                       "language": "en"}, ans
        all_text = "\n".join(m["content"] for m in req["messages"])
        u = body["usage"]
        assert u["prompt_tokens"] == tokens(all_text), (u, tokens(all_text))
        assert u["completion_tokens"] == tokens(ch["message"]["content"])
        assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    # content as an array of parts: the text parts are the tweet
    req = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "This is awful,"},
        {"type": "image_url", "image_url": {"url": "http://x"}},
        {"type": "text", "text": "really bad"}]}]}
    status, _, body = call("POST", "/oa/v1/chat/completions", req)
    assert status == 200, body
    ans = json.loads(answer_of("openai", body))
    assert ans["sentiment"] == "negative" and ans["summary"] == "This is awful,\nreally bad"
    assert stats("oa")["requests"] == 3 and stats("oa")["accepted"] == 3


def test_anthropic_format():
    fresh()
    status, _, body = call("POST", "/an/v1/messages", anthropic_req("meh"))
    assert status == 400 and body["error"]["type"] == "invalid_request_error", body
    assert "anthropic-version" in body["error"]["message"]
    req = anthropic_req("I hate this awful update")
    req["system"] = [{"type": "text", "text": "You analyse tweets."}]
    status, hdrs, body = call("POST", "/an/v1/messages", req, AV)
    assert status == 200, body
    assert body["type"] == "message" and body["role"] == "assistant"
    assert body["id"].startswith("msg_") and body["model"] == "claude-3-5-haiku"
    assert body["stop_reason"] == "end_turn" and body["content"][0]["type"] == "text"
    ans = json.loads(body["content"][0]["text"])
    assert ans["sentiment"] == "negative" and ans["sentiment_score"] == -0.8
    assert body["usage"]["input_tokens"] == tokens("You analyse tweets.\nI hate this awful update")
    assert body["usage"]["output_tokens"] == tokens(body["content"][0]["text"])
    # validation: Anthropic requires max_tokens
    req = anthropic_req()
    del req["max_tokens"]
    status, _, body = call("POST", "/an/v1/messages", req, AV)
    assert status == 400 and "max_tokens" in body["error"]["message"], body


def test_gemini_format():
    fresh()
    for path in ("/gm/v1beta/models/gemini-2.0-flash:generateContent",
                 "/gm/models/gemini-2.0-flash:generateContent",
                 "/gm/v1beta/models/gemini-2.0-flash%3AgenerateContent"):
        status, _, body = call("POST", path, gemini_req("Just a plain day at work"))
        assert status == 200, (path, body)
        cand = body["candidates"][0]
        assert cand["finishReason"] == "STOP" and cand["content"]["role"] == "model"
        text = cand["content"]["parts"][0]["text"]
        ans = json.loads(text)
        assert ans["sentiment"] == "neutral" and ans["sentiment_score"] == 0.0
        assert ans["topics"] == ["plain", "just", "work"], ans
        um = body["usageMetadata"]
        assert um["promptTokenCount"] == tokens("You analyse tweets.\nJust a plain day at work")
        assert um["candidatesTokenCount"] == tokens(text)
        assert um["totalTokenCount"] == um["promptTokenCount"] + um["candidatesTokenCount"]
        assert body["modelVersion"] == "gemini-2.0-flash"
    status, _, body = call("POST", "/gm/v1beta/models/g:generateContent", {"contents": []})
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT", body


def test_tweet_extraction_and_answer():
    fresh()
    long = "good " * 40
    cases = [
        ("Classify this.\n<tweet>Bad service, awful food</tweet>\nReply in JSON.",
         "negative", "Bad service, awful food"),
        ('Analyse the tweet.\nTweet: """Great game tonight!"""', "positive",
         "Great game tonight!"),
        ("the weather is mild", "neutral", "the weather is mild"),
        (long, "positive", long.strip()[:100]),
    ]
    for text, sentiment, summary in cases:
        status, _, body = send("openai", "ex", text)
        assert status == 200, body
        ans = json.loads(answer_of("openai", body))
        assert ans["sentiment"] == sentiment, (text, ans)
        assert ans["summary"] == summary, (text, ans)
        assert len(ans["topics"]) <= 3 and ans["language"] == "en"
    # the last user message is the tweet, earlier ones are ignored
    req = {"model": "m", "messages": [{"role": "user", "content": "I love it"},
                                      {"role": "assistant", "content": "ok"},
                                      {"role": "user", "content": "I hate it"}]}
    body = call("POST", "/ex/v1/chat/completions", req)[2]
    assert json.loads(answer_of("openai", body))["sentiment"] == "negative"
    # fixed answer text
    control("ex", answer="42")
    assert answer_of("openai", send("openai", "ex")[2]) == "42"


def test_auth():
    fresh()
    good = {"openai": {"Authorization": "Bearer sk-good"},
            "anthropic": {"x-api-key": "sk-good"},
            "gemini": {"x-goog-api-key": "sk-good"}}
    bad = {"openai": {"Authorization": "Bearer sk-bad"},
           "anthropic": {"x-api-key": "sk-bad"},
           "gemini": {"x-goog-api-key": "sk-bad"}}
    expect = {"openai": "invalid_request_error", "anthropic": "authentication_error",
              "gemini": "UNAUTHENTICATED"}
    for kind in KINDS:
        name = "auth-" + kind
        control(name, require_key="sk-good")
        for hdrs in ({}, bad[kind]):
            status, _, body = send(kind, name, headers=hdrs)
            assert status == 401, (kind, status, body)
            assert error_kind(kind, body) == expect[kind], body
        status, _, body = send(kind, name, headers=good[kind])
        assert status == 200, (kind, body)
        s = stats(name)
        assert s["status_counts"] == {"200": 1, "401": 2}, s
        assert s["accepted"] == 1 and s["requests"] == 3
        assert s["auth_headers_seen"] == list(bad[kind].values()) + list(good[kind].values()), s
    assert call("GET", "/_stats")[2]["providers"]["auth-openai"]["auth_headers_seen"] == \
        ["Bearer sk-bad", "Bearer sk-good"]
    # Gemini also takes ?key=
    status, _, _ = call("POST", "/auth-gemini/v1beta/models/g:generateContent?key=sk-good",
                        gemini_req())
    assert status == 200
    # the startup --config applies (cfgd requires K0)
    assert send("openai", "cfgd")[0] == 401
    assert send("openai", "cfgd", headers={"Authorization": "Bearer K0"})[0] == 200


def test_modes():
    fresh()
    expected = {  # mode: {kind: (status, error type/status)}
        "error500": {"openai": (500, "server_error"), "anthropic": (500, "api_error"),
                     "gemini": (500, "INTERNAL")},
        "overloaded": {"openai": (503, "server_error"),
                       "anthropic": (529, "overloaded_error"),
                       "gemini": (503, "UNAVAILABLE")},
        "unauthorized": {"openai": (401, "invalid_request_error"),
                         "anthropic": (401, "authentication_error"),
                         "gemini": (401, "UNAUTHENTICATED")},
        "bad_request": {"openai": (400, "invalid_request_error"),
                        "anthropic": (400, "invalid_request_error"),
                        "gemini": (400, "INVALID_ARGUMENT")},
        "quota": {"openai": (429, "insufficient_quota"),
                  "anthropic": (400, "invalid_request_error"),
                  "gemini": (429, "RESOURCE_EXHAUSTED")},
    }
    for mode, per_kind in expected.items():
        for kind, (status_want, type_want) in per_kind.items():
            name = f"m-{kind}"
            control(name, mode=mode)
            status, hdrs, body = send(kind, name)
            assert status == status_want, (mode, kind, status, body)
            assert error_kind(kind, body) == type_want, (mode, kind, body)
            if kind == "openai":
                assert set(body["error"]) == {"message", "type", "param", "code"}, body
            if kind == "gemini":
                assert body["error"]["code"] == status_want, body
    control("m-anthropic", mode="overloaded")
    body = send("anthropic", "m-anthropic")[2]
    assert body == {"type": "error", "error": {"type": "overloaded_error",
                                               "message": "Overloaded"}}, body
    control("m-openai", mode="quota")
    assert send("openai", "m-openai")[2]["error"]["code"] == "insufficient_quota"
    for kind in KINDS:
        name = f"m-{kind}"
        control(name, mode="garbage")
        status, _, body = send(kind, name)
        assert status == 200, body
        text = answer_of(kind, body)
        try:
            json.loads(text)
            raise AssertionError(f"garbage answer is JSON: {text!r}")
        except ValueError:
            pass
        control(name, mode="fenced")
        text = answer_of(kind, send(kind, name)[2])
        assert text.startswith("```json\n") and text.endswith("\n```"), text
        assert json.loads(text[8:-4])["sentiment"] == "positive"
        control(name, mode="ok")
        assert send(kind, name)[0] == 200
    # errors after admission count as accepted
    s = stats("m-openai")
    assert s["accepted"] == s["requests"], s


def test_fail_first_n():
    fresh()
    for kind in KINDS:
        name = "ff-" + kind
        control(name, mode="fail_first_n", n=2)
        got = [send(kind, name)[0] for _ in range(4)]
        assert got == [500, 500, 200, 200], (kind, got)
        control(name, n=1)  # setting mode/n restarts the count
        got = [send(kind, name)[0] for _ in range(2)]
        assert got == [500, 200], (kind, got)


def test_timeout_mode():
    fresh()
    control("slow", mode="timeout")
    t0 = time.monotonic()
    try:
        send("openai", "slow", timeout=0.5)
        raise AssertionError("expected a client timeout")
    except (socket.timeout, TimeoutError, urllib.error.URLError) as e:
        assert "timed out" in str(e), e
    assert time.monotonic() - t0 < 2
    # a short timeout_s answers normally afterwards
    control("slow", timeout_s=0.3)
    t0 = time.monotonic()
    assert send("openai", "slow")[0] == 200 and time.monotonic() - t0 >= 0.3
    assert send("openai", "other")[0] == 200  # the server is still responsive
    assert stats("slow")["max_concurrent"] >= 1


def test_rpm_window_openai():
    fresh()
    control("rl", rpm_limit=5)
    results = [send("openai", "rl") for _ in range(8)]
    statuses = [r[0] for r in results]
    assert statuses == [200] * 5 + [429] * 3, statuses
    assert results[0][1]["x-ratelimit-limit-requests"] == "5"
    assert results[0][1]["x-ratelimit-remaining-requests"] == "4"
    assert results[4][1]["x-ratelimit-remaining-requests"] == "0"
    for status, hdrs, body in results[5:]:
        ra = int(hdrs["retry-after"])
        assert 58 <= ra <= 60, hdrs
        assert hdrs["x-ratelimit-reset-requests"] == f"{ra}s", hdrs
        assert hdrs["x-ratelimit-remaining-requests"] == "0"
        assert body["error"]["code"] == "rate_limit_exceeded", body
        assert body["error"]["type"] == "requests"
    s = stats("rl")
    assert s["requests"] == 8 and s["accepted"] == 5, s
    assert s["status_counts"] == {"200": 5, "429": 3}, s
    assert s["max_accepted_in_any_60s"] == 5 and s["max_received_in_any_60s"] == 8, s
    assert s["max_accepted_in_any_1s"] == 5, s
    # Retry-After counts down; raising the limit admits again at once
    time.sleep(1.1)
    ra = int(send("openai", "rl")[1]["retry-after"])
    assert 57 <= ra <= 59, ra
    control("rl", rpm_limit=6)
    assert send("openai", "rl")[0] == 200
    assert send("openai", "rl")[0] == 429
    control("rl", rpm_limit=None)
    assert send("openai", "rl")[0] == 200
    # without budget headers a client learns of the limit only from a 429
    control("rl", rpm_limit=100, send_budget_headers=False)
    status, hdrs, _ = send("openai", "rl")
    assert status == 200 and not any(k.startswith("x-ratelimit") for k in hdrs), hdrs


def test_rpm_window_anthropic_gemini():
    fresh()
    control("*", rpm_limit=1)  # defaults reach every provider name
    status, hdrs, _ = send("anthropic", "rla")
    assert status == 200 and hdrs["anthropic-ratelimit-requests-remaining"] == "0", hdrs
    status, hdrs, body = send("anthropic", "rla")
    assert status == 429, body
    assert body == {"type": "error", "error": {"type": "rate_limit_error",
                                               "message": body["error"]["message"]}}
    assert 58 <= int(hdrs["retry-after"]) <= 60
    assert hdrs["anthropic-ratelimit-requests-remaining"] == "0"
    reset = hdrs["anthropic-ratelimit-requests-reset"]
    t = time.mktime(time.strptime(reset, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 55 <= t - time.time() <= 62, reset

    assert send("gemini", "rlg")[0] == 200
    status, hdrs, body = send("gemini", "rlg")
    assert status == 429, body
    err = body["error"]
    assert err["code"] == 429 and err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"] == "Resource has been exhausted (e.g. check quota)."
    info = err["details"][0]
    assert info["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    assert info["retryDelay"] == f"{hdrs['retry-after']}s", (info, hdrs)
    control("rlg", send_retry_after=False)
    assert "retry-after" not in send("gemini", "rlg")[1]


def _load_server_module():
    spec = importlib.util.spec_from_file_location("fake_llm_server", SERVER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_window_semantics_exact():
    """The limiter and the max-in-window stats, on synthetic clock values."""
    mod = _load_server_module()
    s = mod.ProviderStats()
    for t in (0, 10, 20):
        assert s.try_admit(t, 3)[0]
    ok, info = s.try_admit(59.9, 3)
    assert not ok and abs(info["reset_s"] - 0.1) < 1e-9, info
    assert math.ceil(info["reset_s"]) == 1
    assert s.try_admit(60.0, 3)[0]          # the request at 0 left the window
    assert not s.try_admit(60.5, 3)[0]      # rejections do not count ...
    assert s.try_admit(70.0, 3)[0]          # ... so 10 leaving frees a slot
    assert s.accepted == 5 and s.max_acc60 == 3
    s2 = mod.ProviderStats()
    for t in (0, 0.5, 0.9, 1.0, 1.2, 59.0, 59.95, 60.0, 61.0):
        s2.try_admit(t, None)
    # windows (t-60, t]: at 59.95 -> 0..59.95 = 7; at 60 -> 0.5..60 = 7
    assert s2.max_acc60 == 7, s2.max_acc60
    # windows (t-1, t]: at 1.2 -> 0.5, 0.9, 1.0, 1.2 = 4
    assert s2.max_acc1 == 4, s2.max_acc1
    assert len(s2.acc60) <= 9


def test_concurrency_200_with_latency():
    fresh()
    control("conc", latency_ms=50)

    def one(i):
        return send("openai", "conc", f"tweet number {i} is good")[0]

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(200) as ex:
        statuses = list(ex.map(one, range(200)))
    elapsed = time.monotonic() - t0
    print(f"    200 concurrent requests with 50 ms latency: {elapsed:.3f} s")
    assert statuses == [200] * 200, statuses
    # Served one at a time they would take 10 s and never overlap; the bounds leave room
    # for a loaded 2-core machine (44 at once was seen beside two compilers).
    assert elapsed < 5, elapsed
    s = stats("conc")
    assert s["requests"] == 200 and s["accepted"] == 200 and s["in_flight"] == 0, s
    assert s["max_concurrent"] >= 10, s


def _keepalive_client(name, count, results):
    conn = http.client.HTTPConnection("127.0.0.1", port(), timeout=10)
    body = json.dumps(openai_req())
    sockets = set()
    for _ in range(count):
        conn.request("POST", f"/{name}/v1/chat/completions", body,
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        assert r.status == 200, data
        json.loads(data)
        sockets.add(id(conn.sock))
    conn.close()
    results.append(len(sockets))


def test_keepalive_throughput():
    fresh()
    for clients, per_client, latency in ((15, 40, 0), (256, 4, 20)):
        control("ka", latency_ms=latency)
        call("POST", "/_reset/ka")
        results = []
        threads = [threading.Thread(target=_keepalive_client, args=("ka", per_client, results))
                   for _ in range(clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        total = clients * per_client
        print(f"    {clients} keep-alive clients x {per_client} requests "
              f"(latency {latency} ms): {total / elapsed:.0f} req/s")
        assert len(results) == clients, "a client failed"
        assert results == [1] * clients, "connections were not reused"
        s = stats("ka")
        assert s["requests"] == total and s["status_counts"] == {"200": total}, s
        assert total / elapsed > 200, total / elapsed


def test_chunked_request_body():
    fresh()
    conn = http.client.HTTPConnection("127.0.0.1", port(), timeout=10)
    body = json.dumps(openai_req("I love chunks")).encode()
    conn.request("POST", "/ch/v1/chat/completions", iter([body[:10], body[10:]]),
                 {"Content-Type": "application/json"}, encode_chunked=True)
    r = conn.getresponse()
    data = json.loads(r.read())
    assert r.status == 200, data
    assert json.loads(answer_of("openai", data))["sentiment"] == "positive"
    conn.close()


def test_stats_fields():
    fresh()
    t0 = time.time()
    send("openai", "st", headers={"Authorization": "Bearer abc"})
    send("openai", "st", headers={"Authorization": "Bearer abc"})
    send("openai", "st")
    s = stats("st")
    for key in ("requests", "accepted", "status_counts", "max_accepted_in_any_60s",
                "max_received_in_any_60s", "max_accepted_in_any_1s", "first_at",
                "last_at", "max_concurrent", "auth_headers_seen"):
        assert key in s, key
    assert s["requests"] == 3 and s["accepted"] == 3 and s["status_counts"] == {"200": 3}
    assert s["max_accepted_in_any_60s"] == 3 and s["max_received_in_any_60s"] == 3
    assert t0 - 1 <= s["first_at"] <= s["last_at"] <= time.time() + 1, s
    assert s["max_concurrent"] == 1 and s["auth_headers_seen"] == ["Bearer abc"]
    assert s["prompt_tokens"] > 0 and s["completion_tokens"] > 0


def test_control():
    fresh()
    status, _, body = call("POST", "/_control/x", {"bogus": 1})
    assert status == 400 and "bogus" in body["error"]["message"], body
    status, _, body = call("POST", "/_control/x", {"mode": "nope"})
    assert status == 400, body
    status, _, body = call("POST", "/_control/x", {"rpm_limit": -1})
    assert status == 400, body
    status, _, body = call("POST", "/_control/x", raw=b"{not json")
    assert status == 400, body
    control("*", latency_ms=5, mode="error500")
    body = control("x", mode="ok")
    assert body["effective"]["latency_ms"] == 5 and body["effective"]["mode"] == "ok"
    assert body["effective"]["rpm_limit"] is None
    assert send("openai", "x")[0] == 200
    assert send("openai", "y")[0] == 500       # "*" default
    body = call("GET", "/_control/x")[2]
    assert body["overrides"] == {"mode": "ok"}, body
    status, _, body = call("DELETE", "/_control/x")
    assert status == 200 and body["effective"]["mode"] == "error500", body
    assert send("openai", "x")[0] == 500
    overrides = call("GET", "/_control")[2]["overrides"]
    assert overrides["cfgd"] == STARTUP_CONFIG["cfgd"], overrides
    # /_reset?config=1 restores the startup config
    fresh()
    assert call("GET", "/_control")[2]["overrides"] == STARTUP_CONFIG
    assert send("openai", "y")[0] == 200


def test_reset():
    fresh()
    control("rs", rpm_limit=1)
    assert [send("openai", "rs")[0] for _ in range(2)] == [200, 429]
    assert call("POST", "/_reset")[0] == 200           # keeps config
    assert stats()["providers"] == {}
    assert [send("openai", "rs")[0] for _ in range(2)] == [200, 429]
    assert call("POST", "/_reset/rs")[0] == 200
    assert stats("rs") is None
    assert send("openai", "rs")[0] == 200
    assert stats("rs")["requests"] == 1
    assert call("GET", "/_requests/rs")[2]["count"] == 1


def test_requests_log():
    fresh()
    for i in range(3):
        send("anthropic", "log", f"tweet {i}", headers={"x-api-key": "k1"})
    body = call("GET", "/_requests/log?limit=2")[2]
    assert body["count"] == 2, body
    r0, r1 = body["requests"]
    assert r1["body"]["messages"][0]["content"] == "tweet 2"
    assert r0["body"]["messages"][0]["content"] == "tweet 1"
    assert r1["headers"]["x-api-key"] == "k1" and r1["headers"]["anthropic-version"]
    assert r1["status"] == 200 and r1["path"] == "/log/v1/messages"
    assert r1["method"] == "POST" and r1["at"] >= r0["at"]
    assert call("GET", "/_requests/log")[2]["count"] == 3
    assert call("GET", "/_requests/none")[2]["count"] == 0
    # capped at 1000 per provider (sent over keep-alive connections)
    results = []
    threads = [threading.Thread(target=_keepalive_client, args=("cap", 130, results))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert stats("cap")["requests"] == 1040
    assert call("GET", "/_requests/cap")[2]["count"] == 1000
    assert call("GET", "/_requests/cap?limit=5000")[2]["count"] == 1000


def test_bad_requests_and_routes():
    fresh()
    status, _, body = call("POST", "/bj/v1/chat/completions", raw=b"{oops")
    assert status == 400 and body["error"]["type"] == "invalid_request_error", body
    assert call("GET", "/_requests/bj")[2]["requests"][0]["body"] == "{oops"
    status, _, body = call("POST", "/bj/v1/chat/completions", {"messages": []})
    assert status == 400 and body["error"]["param"] == "model", body
    control("bj", validate=False)
    assert call("POST", "/bj/v1/chat/completions", {"messages": []})[0] == 200
    assert call("POST", "/bj/v2/unknown", {})[0] == 404
    assert call("POST", "/nothing", {})[0] == 404
    assert call("GET", "/bj/v1/chat/completions")[0] == 405
    assert call("GET", "/bj/v1/models")[2]["object"] == "list"
    assert call("GET", "/_health")[2] == {"ok": True}


def test_bad_config_exits_nonzero():
    proc = subprocess.run([PYTHON, SERVER, "--config", '{"x": {"bogus": 1}}'],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2 and "bogus" in proc.stderr, proc
    assert proc.stdout == ""


def test_signals_exit_zero():
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc, p = start_server("--config", '{"*": {"mode": "timeout"}}')
        # a request stuck in "timeout" mode must not delay the exit
        s = socket.create_connection(("127.0.0.1", p))
        s.sendall(b"POST /o/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 2\r\n\r\n{}")
        time.sleep(0.2)
        t0 = time.monotonic()
        rc = stop_server(proc, sig)
        s.close()
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        assert rc == 0, (sig, rc, err)
        assert time.monotonic() - t0 < 3
        assert out == "", out   # exactly one stdout line in all
        assert "Traceback" not in err, err


# --------------------------------------------------------------------------


def main():
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_") and callable(f)]
    passed = failed = 0
    try:
        for name, fn in tests:
            t0 = time.monotonic()
            try:
                fn()
            except Exception:
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print(f"ok   {name} ({time.monotonic() - t0:.2f} s)")
            sys.stdout.flush()
    finally:
        teardown_module()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
