import Foundation
import Synchronization

/// The live dashboard on the metrics listener: `GET /` is one self-contained
/// page (no external script, style or font, so it works offline) that polls
/// `GET /api/stats` every two seconds.
public enum Dashboard {
    /// `/api/stats`: the version, the current ``MetricsSnapshot`` and the throughput history.
    ///
    /// ```json
    /// {"version":"0.1.0","history_interval_seconds":5,
    ///  "history":[{"time":"…","ok":12.4,"dead":0,"retried":0.2,"invalid":0,"utilisation":0.31},…],
    ///  "snapshot":{…the metrics snapshot…}}
    /// ```
    public static func statsJSON(snapshot: MetricsSnapshot, history: ThroughputHistory, version: String) -> [UInt8] {
        var json = JSONWriter(capacity: 16 * 1024)
        json.beginObject()
        json.field("version", version)
        json.field("history_interval_seconds", history.interval.seconds)
        json.key("history")
        json.beginArray()
        for point in history.points() {
            json.beginObject()
            json.field("time", Timestamp.rfc3339(point.time))
            json.field("ok", rounded(point.ok))
            json.field("dead", rounded(point.dead))
            json.field("retried", rounded(point.retried))
            json.field("invalid", rounded(point.invalid))
            json.field("utilisation", rounded(point.utilisation))
            json.endObject()
        }
        json.endArray()
        json.key("snapshot")
        snapshot.write(into: &json)
        json.endObject()
        return json.bytes
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }

    /// The page, HTML with its style and script inline.
    public static let page = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>tweetd</title>
    <style>
      :root { --bg:#0f1419; --panel:#182029; --line:#2a3541; --text:#e6edf3; --dim:#8b98a5;
              --ok:#3fb950; --dead:#f85149; --retry:#d29922; --invalid:#a371f7; --accent:#58a6ff; }
      * { box-sizing: border-box; }
      body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--text); }
      header { display:flex; flex-wrap:wrap; gap:12px; align-items:baseline; padding:14px 18px; border-bottom:1px solid var(--line); }
      header h1 { font-size:18px; margin:0; }
      header .meta { color:var(--dim); }
      .badge { padding:2px 8px; border-radius:10px; font-weight:600; font-size:12px; }
      .badge.up { background:#12361f; color:var(--ok); } .badge.down { background:#3d1416; color:var(--dead); }
      main { display:grid; gap:14px; padding:14px 18px; grid-template-columns:repeat(auto-fit, minmax(320px, 1fr)); }
      section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
      section.wide { grid-column:1 / -1; }
      h2 { font-size:13px; text-transform:uppercase; letter-spacing:.05em; color:var(--dim); margin:0 0 10px; }
      .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(110px, 1fr)); gap:10px; }
      .card .value { font-size:24px; font-weight:650; font-variant-numeric:tabular-nums; }
      .card .label { color:var(--dim); font-size:12px; }
      .ok { color:var(--ok); } .dead { color:var(--dead); } .retried { color:var(--retry); } .invalid { color:var(--invalid); }
      table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
      th, td { text-align:left; padding:5px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
      th { color:var(--dim); font-weight:500; font-size:12px; }
      td.num, th.num { text-align:right; }
      .scroll { overflow-x:auto; }
      .bar { height:8px; background:var(--line); border-radius:4px; overflow:hidden; min-width:60px; }
      .bar > span { display:block; height:100%; background:var(--accent); }
      canvas { width:100%; height:220px; display:block; }
      .legend { display:flex; gap:14px; color:var(--dim); font-size:12px; margin-top:6px; flex-wrap:wrap; }
      .legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
      .empty { color:var(--dim); }
      footer { color:var(--dim); padding:0 18px 18px; font-size:12px; }
    </style>
    </head>
    <body>
    <header>
      <h1>tweetd</h1>
      <span class="meta">instance <b id="instance">…</b></span>
      <span class="meta">version <span id="version">…</span></span>
      <span class="meta">up <span id="uptime">…</span></span>
      <span id="broker" class="badge down">broker: …</span>
    </header>
    <main>
      <section class="wide">
        <h2>Messages</h2>
        <div class="cards">
          <div class="card"><div class="value" id="settled">0</div><div class="label">processed</div></div>
          <div class="card"><div class="value ok" id="ok">0</div><div class="label">results</div></div>
          <div class="card"><div class="value dead" id="dead">0</div><div class="label">dead letters</div></div>
          <div class="card"><div class="value retried" id="retried">0</div><div class="label">retried</div></div>
          <div class="card"><div class="value invalid" id="invalid">0</div><div class="label">invalid input</div></div>
          <div class="card"><div class="value" id="rate">0</div><div class="label">per second now</div></div>
          <div class="card"><div class="value" id="inflight">0</div><div class="label">in flight</div></div>
          <div class="card"><div class="value" id="utilisation">0%</div><div class="label">worker utilisation</div></div>
        </div>
      </section>
      <section class="wide">
        <h2>Throughput, last 15 minutes (messages per second)</h2>
        <canvas id="chart" width="1200" height="220"></canvas>
        <div class="legend"><span><i style="background:var(--ok)"></i>results</span><span><i style="background:var(--dead)"></i>dead letters</span>
          <span><i style="background:var(--retry)"></i>retried</span><span><i style="background:var(--invalid)"></i>invalid</span></div>
      </section>
      <section class="wide">
        <h2>Providers</h2>
        <div class="scroll"><table id="providers">
          <thead><tr><th>provider</th><th>requests last minute / limit</th><th class="num">requests</th><th class="num">ok</th><th class="num">failed</th>
            <th class="num">429s</th><th>cooldown</th><th class="num">p50 ms</th><th class="num">p99 ms</th><th class="num">tokens in / out</th></tr></thead>
          <tbody><tr><td colspan="10" class="empty">built-in analysis only</td></tr></tbody>
        </table></div>
      </section>
      <section class="wide" id="budgets-section" hidden>
        <h2>Shared provider budgets</h2>
        <div class="scroll"><table id="budgets">
          <thead><tr><th>budget</th><th>providers</th><th class="num">instances</th><th>refiller</th><th class="num">tokens waiting</th>
            <th>cooldown</th><th class="num">rpm sustained</th></tr></thead>
          <tbody></tbody>
        </table></div>
      </section>
      <section>
        <h2>Queues</h2>
        <table id="queues"><tbody><tr><td class="empty">…</td></tr></tbody></table>
      </section>
      <section>
        <h2>Dead letters by category</h2>
        <table id="categories"><tbody><tr><td class="empty">none</td></tr></tbody></table>
      </section>
      <section>
        <h2>Priorities</h2>
        <table id="priorities"><tbody><tr><td class="empty">none yet</td></tr></tbody></table>
      </section>
      <section>
        <h2>Processing time</h2>
        <table id="timing"><tbody><tr><td class="empty">none yet</td></tr></tbody></table>
      </section>
    </main>
    <footer>Updated <span id="updated">never</span> from <code>/api/stats</code>; Prometheus metrics at <code>/metrics</code>.</footer>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const fmt = (n) => (n ?? 0).toLocaleString("en-US");
    const fix = (n, d = 1) => (n == null ? "–" : Number(n).toFixed(d));
    function duration(s) {
      s = Math.floor(s || 0);
      const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
      return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
    }
    function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
    function rows(table, list, empty) {
      const body = table.tBodies[0]; body.replaceChildren();
      if (!list.length) { const tr = body.insertRow(); tr.append(cell(empty, "empty")); return; }
      for (const cells of list) { const tr = body.insertRow(); for (const c of cells) tr.append(c instanceof Node ? c : cell(String(c), typeof c === "number" ? "num" : "")); }
    }
    function bar(share) {
      const td = document.createElement("td"), outer = document.createElement("div"), inner = document.createElement("span");
      outer.className = "bar"; inner.style.width = `${Math.min(100, Math.round(share * 100))}%`; outer.append(inner); td.append(outer); return td;
    }
    function draw(points) {
      const canvas = $("chart"), ctx = canvas.getContext("2d");
      const w = canvas.width = canvas.clientWidth * devicePixelRatio, h = canvas.height = canvas.clientHeight * devicePixelRatio;
      ctx.clearRect(0, 0, w, h);
      const series = [["ok", "#3fb950"], ["dead", "#f85149"], ["retried", "#d29922"], ["invalid", "#a371f7"]];
      const max = Math.max(1, ...points.flatMap((p) => series.map(([k]) => p[k])));
      ctx.strokeStyle = "#2a3541"; ctx.fillStyle = "#8b98a5"; ctx.font = `${11 * devicePixelRatio}px system-ui`;
      for (let i = 0; i <= 4; i++) {
        const y = h - 4 - (h - 16) * i / 4; ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke();
        ctx.fillText(fix(max * i / 4, max < 20 ? 1 : 0), 4, y - 3);
      }
      if (points.length < 2) { ctx.fillText("collecting…", w / 2 - 30, h / 2); return; }
      const capacity = 180, step = w / (capacity - 1), offset = capacity - points.length;
      for (const [key, color] of series) {
        ctx.strokeStyle = color; ctx.lineWidth = 2 * devicePixelRatio; ctx.beginPath();
        points.forEach((p, i) => { const x = (offset + i) * step, y = h - 4 - (h - 16) * p[key] / max; i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
        ctx.stroke();
      }
    }
    function render(stats) {
      const s = stats.snapshot, m = s.messages;
      $("instance").textContent = s.instance; $("version").textContent = stats.version; $("uptime").textContent = duration(s.uptime_seconds);
      const broker = $("broker"); broker.textContent = s.broker_connected ? "broker: connected" : "broker: DISCONNECTED";
      broker.className = "badge " + (s.broker_connected ? "up" : "down");
      for (const k of ["settled", "ok", "dead", "retried", "invalid"]) $(k).textContent = fmt(m[k]);
      const last = stats.history[stats.history.length - 1];
      $("rate").textContent = fix(last ? last.ok + last.dead + last.retried + last.invalid : s.rates.settled_per_second);
      $("inflight").textContent = `${fmt(s.in_flight)} / ${fmt(s.workers)}`;
      $("utilisation").textContent = `${Math.round(100 * (last ? last.utilisation : s.in_flight / Math.max(1, s.workers)))}%`;
      draw(stats.history);
      rows($("providers"), Object.entries(s.providers).map(([name, p]) => {
        const cooldown = p.cooling_down_seconds > 0 ? `cooling down, ${fix(p.cooling_down_seconds)} s left` : "ready";
        const limit = document.createElement("td"); limit.className = "limit";
        limit.append(bar(p.rpm_used).firstChild, document.createTextNode(` ${fmt(p.requests_last_minute)} / ${fmt(p.limit.rpm)} rpm`));
        const first = cell(name, "provider"); first.dataset.provider = name;
        return [first, limit, p.requests, p.ok, p.failed, p.rate_limited, cell(cooldown, p.cooling_down_seconds > 0 ? "retried" : ""),
                cell(fix(p.p50_latency_ms), "num"), cell(fix(p.p99_latency_ms), "num"), cell(`${fmt(p.input_tokens)} / ${fmt(p.output_tokens)}`, "num")];
      }), "built-in analysis only");
      const budgets = Object.entries(s.shared_budgets || {});
      $("budgets-section").hidden = budgets.length === 0;
      rows($("budgets"), budgets.map(([name, b]) => [
        name, b.providers, b.instances ?? "-", b.this_instance_refills ? `this instance (${b.refiller ?? "?"})` : (b.refiller ?? "none heard"),
        b.tokens_available ?? "-", cell(b.cooldown_seconds > 0 ? `cooling down, ${fix(b.cooldown_seconds)} s left` : "ready", b.cooldown_seconds > 0 ? "retried" : ""),
        cell(fix(b.sustained_rpm), "num")]), "none");
      rows($("queues"), Object.entries(s.queues || {}).map(([q, n]) => [q, n]), s.queues ? "no queues" : "broker not reachable");
      rows($("categories"), Object.entries(s.dead_letters_by_category).map(([c, n]) => [c, n]), "none");
      const total = Object.values(s.priorities).reduce((a, b) => a + b, 0) || 1;
      rows($("priorities"), Object.entries(s.priorities).sort((a, b) => b[0] - a[0]).map(([p, n]) => [`priority ${p}`, bar(n / total), n]), "none yet");
      const t = s.processing_seconds;
      rows($("timing"), t.count ? [["min", `${fix(t.min * 1000, 2)} ms`], ["average", `${fix(t.avg * 1000, 2)} ms`], ["p50", `${fix(t.p50 * 1000, 2)} ms`],
                                   ["p99", `${fix(t.p99 * 1000, 2)} ms`], ["max", `${fix(t.max * 1000, 2)} ms`]] : [], "none yet");
      $("updated").textContent = new Date().toLocaleTimeString();
    }
    async function refresh() {
      try {
        const response = await fetch("/api/stats", { cache: "no-store" });
        if (response.ok) render(await response.json());
      } catch (error) {
        const broker = $("broker"); broker.textContent = "tweetd not reachable"; broker.className = "badge down";
      }
    }
    refresh();
    setInterval(refresh, 2000);
    </script>
    </body>
    </html>
    """#
}

/// The latest `/api/stats` body, rebuilt on a timer rather than per request, so
/// that open dashboards never put a snapshot's sorting and encoding on the
/// event loop that also carries the providers' HTTP traffic.
public final class CachedStats: Sendable {
    /// How long after the last request the timer keeps rebuilding: a closed tab costs nothing after that.
    static let watchedFor: Duration = .seconds(10)

    private let state = Mutex<(bytes: [UInt8]?, lastRequested: ContinuousClock.Instant?)>((nil, nil))
    private let build: @Sendable () -> [UInt8]

    /// A cache filled by `build`.
    public init(build: @escaping @Sendable () -> [UInt8]) {
        self.build = build
    }

    /// Rebuilds the body while someone asked for it lately; called by a timer.
    public func refresh() {
        let watched = state.withLock { state in
            state.lastRequested.map { ContinuousClock.now - $0 < Self.watchedFor } ?? false
        }
        guard watched else { return }
        let fresh = build()
        state.withLock { $0.bytes = fresh }
    }

    /// The latest body; built now on the first request, or after nobody asked for a while.
    public var current: [UInt8] {
        let (cached, stale) = state.withLock { state in
            defer { state.lastRequested = .now }
            return (state.bytes, state.lastRequested.map { ContinuousClock.now - $0 >= Self.watchedFor } ?? true)
        }
        if let cached, !stale { return cached }
        let fresh = build()
        state.withLock { $0.bytes = fresh }
        return fresh
    }
}
