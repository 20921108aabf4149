// Burst's dashboard: fills the page from /events (server-sent, about once a second).
// Every name from the cluster (task prefixes, workers) is set as text, never parsed as HTML.
(function () {
  "use strict";
  const page = document.body.dataset.page;
  const STREAM_WINDOW_MS = 30000;
  const streamTasks = []; // [worker, prefix, startMs, endMs, failed]
  const colours = new Map();
  const palette = ["#3b82f6", "#10b981", "#8b5cf6", "#f59e0b", "#ec4899", "#14b8a6", "#6366f1", "#84cc16"];
  let chart = null;
  const history = [[], [], []]; // seconds, allocated, busy

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function bytes(n) {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
  }
  function colour(prefix) {
    if (!colours.has(prefix)) colours.set(prefix, palette[colours.size % palette.length]);
    return colours.get(prefix);
  }
  function stat(label, value) {
    const d = el("div");
    d.append(el("b", value), el("span", label));
    return d;
  }

  function summary(s) {
    const box = document.getElementById(page === "usage" ? "usage-summary" : "summary");
    if (!box) return;
    const u = s.usage;
    const eff = u.efficiency === null ? "–" : Math.round(u.efficiency * 100) + " %";
    const t = s.tasks;
    const items = page === "usage"
      ? [stat("core-seconds allocated", u.allocatedCoreSeconds.toFixed(1)), stat("core-seconds busy", u.busyCoreSeconds.toFixed(1)),
         stat("efficiency (busy ÷ allocated)", eff), stat("GPU-seconds allocated", u.allocatedGpuSeconds.toFixed(1)),
         stat("tasks run", u.tasks), stat("spilled", bytes(u.bytesSpilled))]
      : [stat("workers", s.workers.length), stat("cores", u.cores), stat("running", t.processing),
         stat("waiting", t.waiting + t.queued + t.noWorker), stat("in memory", t.memory), stat("erred", t.erred),
         stat("busy ÷ allocated", eff), stat("clients", s.clients)];
    box.replaceChildren(...items);
  }

  function progress(s) {
    const box = document.getElementById("progress");
    if (!box) return;
    const rows = s.progress.slice().sort((a, b) => a.prefix.localeCompare(b.prefix)).map(p => {
      const row = el("div", null, "bar");
      row.dataset.prefix = p.prefix;
      const track = el("div", null, "track");
      const f = x => (p.total === 0 ? 0 : 100 * x / p.total) + "%";
      const done = el("div", null, "done"); done.style.width = f(p.done); done.style.background = colour(p.prefix);
      const erred = el("div", null, "erred"); erred.style.left = f(p.done); erred.style.width = f(p.erred);
      const running = el("div", null, "running"); running.style.left = f(p.done + p.erred); running.style.width = f(p.running);
      track.append(done, erred, running);
      const figures = el("span", (p.done + p.erred) + " / " + p.total + (p.erred ? " (" + p.erred + " erred)" : ""), "figures");
      row.append(el("span", p.prefix, "name"), track, figures);
      return row;
    });
    box.replaceChildren(...rows);
  }

  function workers(s) {
    const table = document.getElementById("workers");
    if (!table) return;
    const most = Math.max(1, ...s.workers.map(w => w.storedBytes + w.spilledBytes));
    const rows = s.workers.map(w => {
      const tr = el("tr");
      tr.dataset.worker = w.name;
      const stored = el("td", bytes(w.storedBytes));
      const bar = el("span", null, "mem"); bar.style.width = Math.round(60 * w.storedBytes / most) + "px"; stored.append(bar);
      const spilled = el("td", bytes(w.spilledBytes));
      const sbar = el("span", null, "mem spilled"); sbar.style.width = Math.round(60 * w.spilledBytes / most) + "px"; spilled.append(sbar);
      tr.append(el("td", w.name + (w.retiring ? " (retiring)" : "")), el("td", w.threads), el("td", w.running),
        el("td", w.busySeconds.toFixed(1)), el("td", w.cpuSeconds.toFixed(1)), stored, spilled);
      return tr;
    });
    table.tBodies[0].replaceChildren(...rows);
  }

  function drawStream(s) {
    const canvas = document.getElementById("stream");
    if (!canvas) return;
    for (const r of s.stream) streamTasks.push(r);
    const now = s.takenAt;
    while (streamTasks.length && streamTasks[0][3] < now - STREAM_WINDOW_MS) streamTasks.shift();
    // One lane per worker thread: each task goes to the first lane of its worker free at its start.
    const threads = new Map(s.workers.map(w => [w.name, w.threads]));
    const lanes = [];
    const laneOf = new Map();
    for (const w of [...threads.keys()].sort()) {
      for (let i = 0; i < threads.get(w); i++) lanes.push({worker: w, freeAt: -Infinity});
      laneOf.set(w, lanes.length - threads.get(w));
    }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const h = lanes.length ? Math.min(24, canvas.height / lanes.length) : 0;
    // The last 30 s, or from a little before the first task shown when the tasks began later.
    const from = streamTasks.length ? Math.max(now - STREAM_WINDOW_MS, Math.min(...streamTasks.map(r => r[2])) - 250)
      : now - STREAM_WINDOW_MS;
    const x = t => (t - from) / Math.max(1, now - from) * canvas.width;
    let drawn = 0;
    for (const [worker, prefix, start, end, failed] of streamTasks.slice().sort((a, b) => a[2] - b[2])) {
      if (!laneOf.has(worker)) continue;
      const first = laneOf.get(worker);
      let lane = first;
      for (let i = first; i < first + threads.get(worker); i++) { if (lanes[i].freeAt <= start) { lane = i; break; } }
      lanes[lane].freeAt = end;
      ctx.fillStyle = failed ? "#e5484d" : colour(prefix);
      ctx.fillRect(x(start), lane * h + 1, Math.max(1, x(end) - x(start)), h - 2);
      drawn++;
    }
    canvas.dataset.drawn = String(drawn);
  }

  function usageChart(s) {
    const box = document.getElementById("usage-chart");
    if (!box || typeof uPlot === "undefined") return;
    history[0].push(s.takenAt / 1000); history[1].push(s.usage.allocatedCoreSeconds); history[2].push(s.usage.busyCoreSeconds);
    if (!chart) {
      chart = new uPlot({width: Math.min(1200, box.clientWidth || 900), height: 320,
        series: [{}, {label: "allocated core-s", stroke: "#64748b", width: 2}, {label: "busy core-s", stroke: "#3b82f6", width: 2}]},
        history, box);
    } else {
      chart.setData(history);
    }
  }

  function loadHistory() {
    if (page !== "usage") return Promise.resolve();
    return fetch("api/usage-history").then(r => r.json()).then(rows => {
      for (const [ms, alloc, busy] of rows) { history[0].push(ms / 1000); history[1].push(alloc); history[2].push(busy); }
    });
  }

  function render(s) {
    summary(s);
    progress(s);
    workers(s);
    drawStream(s);
    if (page === "usage") usageChart(s);
    const live = document.getElementById("live");
    live.textContent = "live · " + new Date(s.takenAt).toLocaleTimeString();
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }

  loadHistory().finally(() => {
    const events = new EventSource("events");
    events.addEventListener("status", e => render(JSON.parse(e.data)));
    events.onerror = () => { document.getElementById("live").textContent = "disconnected: the cluster stopped?"; };
  });
})();
