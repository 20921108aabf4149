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
      : [stat("workers", s.workers.length), stat("cores", u.cores), stat("running", t.running),
         stat("queued on workers", t.queuedOnWorkers), stat("waiting", t.waiting + t.queued + t.noWorker), stat("in memory", t.memory), stat("erred", t.erred),
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
      // sent to workers and not finished: running there or queued there (the cards tell them apart)
      const running = el("div", null, "running"); running.style.left = f(p.done + p.erred); running.style.width = f(p.processing);
      running.title = p.processing + " on workers (running or queued there)";
      track.append(done, erred, running);
      const figures = el("span", (p.done + p.erred) + " / " + p.total + (p.erred ? " (" + p.erred + " erred)" : ""), "figures");
      row.append(el("span", p.prefix, "name"), track, figures);
      return row;
    });
    box.replaceChildren(...rows);
  }

  // Rows are updated in place, keyed by worker, so that a tooltip being read does not vanish each second.
  function workers(s) {
    const table = document.getElementById("workers");
    if (!table) return;
    const body = table.tBodies[0];
    const most = Math.max(1, ...s.workers.map(w => w.storedBytes + w.spilledBytes));
    const existing = new Map([...body.rows].map(r => [r.dataset.worker, r]));
    s.workers.forEach((w, at) => {
      let tr = existing.get(w.name);
      existing.delete(w.name);
      if (!tr) {
        tr = el("tr");
        tr.dataset.worker = w.name;
        for (const cls of ["worker", "", "", "", "", "cpu", "", ""]) tr.append(el("td", null, cls || undefined));
        tr.cells[6].append(el("span"), el("span", null, "mem"));
        tr.cells[7].append(el("span"), el("span", null, "mem spilled"));
      }
      const [name, threads, running, queued, busy, cpu, stored, spilled] = tr.cells;
      setText(name, w.label + (w.retiring ? " (retiring)" : ""));
      name.title = w.name; // where it runs: host:port of a worker process, the thread group of an embedded one
      setText(threads, w.threads); setText(running, w.running); setText(queued, w.queued); setText(busy, w.busySeconds.toFixed(1));
      setText(cpu, w.cpuSeconds.toFixed(1));
      cpu.title = cpuNote(w);
      setText(stored.firstChild, bytes(w.storedBytes)); stored.lastChild.style.width = Math.round(60 * w.storedBytes / most) + "px";
      setText(spilled.firstChild, bytes(w.spilledBytes)); spilled.lastChild.style.width = Math.round(60 * w.spilledBytes / most) + "px";
      if (body.rows[at] !== tr) body.insertBefore(tr, body.rows[at] || null);
    });
    for (const tr of existing.values()) tr.remove();
  }
  function setText(e, text) {
    const t = String(text);
    if (e.textContent !== t) e.textContent = t;
  }
  // CPU-s far below busy core-s is what tasks that wait look like (sleep, I/O, locks), not a missing figure.
  function cpuNote(w) {
    const note = w.cpuSeconds.toFixed(2) + " CPU-s used by its executor threads in " + w.busySeconds.toFixed(1) + " busy core-s";
    return w.busySeconds >= 1 && w.cpuSeconds < 0.1 * w.busySeconds
      ? note + ": its tasks mostly waited (sleep, I/O, locks) rather than computed" : note;
  }

  const LABEL_WIDTH = 110; // px left of the lanes for the workers' names
  const AXIS_HEIGHT = 20; // px under the lanes for the time axis
  function drawStream(s) {
    const canvas = document.getElementById("stream");
    if (!canvas) return;
    for (const r of s.stream) streamTasks.push(r);
    const now = s.takenAt;
    while (streamTasks.length && streamTasks[0][3] < now - STREAM_WINDOW_MS) streamTasks.shift();
    // One lane per worker thread: each task goes to the first lane of its worker free at its start.
    const threads = new Map(s.workers.map(w => [w.name, w.threads]));
    const labels = new Map(s.workers.map(w => [w.name, w.label]));
    const lanes = [];
    const laneOf = new Map();
    for (const w of [...threads.keys()].sort()) {
      for (let i = 0; i < threads.get(w); i++) lanes.push({worker: w, freeAt: -Infinity});
      laneOf.set(w, lanes.length - threads.get(w));
    }
    // Lanes 18 px high up to 400 px in all, thinner beyond: a big cluster still fits on a screen.
    const laneHeight = lanes.length ? Math.max(2, Math.min(18, 400 / lanes.length)) : 18;
    const cssHeight = Math.max(3, lanes.length) * laneHeight + AXIS_HEIGHT;
    const cssWidth = canvas.clientWidth || 1200;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
      canvas.style.height = cssHeight + "px";
      canvas.width = Math.round(cssWidth * dpr); canvas.height = Math.round(cssHeight * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const plotWidth = cssWidth - LABEL_WIDTH - 8;
    const lanesBottom = cssHeight - AXIS_HEIGHT;
    // The last 30 s, or from a little before the first task shown when the tasks began later.
    const from = streamTasks.length ? Math.max(now - STREAM_WINDOW_MS, Math.min(...streamTasks.map(r => r[2])) - 250)
      : now - STREAM_WINDOW_MS;
    const x = t => LABEL_WIDTH + (t - from) / Math.max(1, now - from) * plotWidth;

    // Row labels: each worker's name at its first lane, a line between workers.
    ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle"; ctx.fillStyle = "#4b5563";
    const rowLabels = [];
    for (const w of [...threads.keys()].sort()) {
      const top = laneOf.get(w) * laneHeight;
      const band = threads.get(w) * laneHeight;
      if (band >= 10) ctx.fillText(labels.get(w), 4, top + Math.min(band, 18) / 2, LABEL_WIDTH - 8);
      rowLabels.push(labels.get(w));
      ctx.fillRect(LABEL_WIDTH, top, plotWidth, top === 0 ? 0 : 0.5);
    }
    // Time axis: seconds before now, a tick every 1, 2, 5 or 10 s so that about six show.
    const spanS = (now - from) / 1000;
    const step = [1, 2, 5, 10].find(v => spanS / v <= 7) || 10;
    ctx.fillStyle = "#9ca3af"; ctx.fillRect(LABEL_WIDTH, lanesBottom, plotWidth, 1);
    ctx.fillStyle = "#4b5563"; ctx.textBaseline = "top"; ctx.textAlign = "center";
    const ticks = [];
    for (let ago = 0; ago <= spanS; ago += step) {
      const tx = x(now - ago * 1000);
      const text = ago === 0 ? "now" : "−" + ago + " s";
      ctx.fillRect(tx, lanesBottom, 1, 4);
      ctx.fillText(text, Math.min(tx, cssWidth - 14), lanesBottom + 5);
      ticks.unshift(text); // left to right
    }
    ctx.textAlign = "start";

    let drawn = 0;
    const shown = new Set();
    let failures = false;
    for (const [worker, prefix, start, end, failed] of streamTasks.slice().sort((a, b) => a[2] - b[2])) {
      if (!laneOf.has(worker)) continue;
      const first = laneOf.get(worker);
      let lane = first;
      for (let i = first; i < first + threads.get(worker); i++) { if (lanes[i].freeAt <= start) { lane = i; break; } }
      lanes[lane].freeAt = end;
      ctx.fillStyle = failed ? "#e5484d" : colour(prefix);
      const x0 = Math.max(LABEL_WIDTH, x(start));
      ctx.fillRect(x0, lane * laneHeight + (laneHeight > 4 ? 1 : 0), Math.max(1, x(end) - x0), laneHeight > 4 ? laneHeight - 2 : laneHeight);
      shown.add(prefix);
      failures = failures || failed;
      drawn++;
    }
    canvas.dataset.drawn = String(drawn);
    canvas.dataset.rows = rowLabels.join(" ");
    canvas.dataset.ticks = ticks.join(" | ");
    legend([...shown].sort(), failures);
  }

  // The task stream's colours, by task prefix (names set as text).
  function legend(prefixes, failures) {
    const box = document.getElementById("stream-legend");
    if (!box) return;
    const items = prefixes.map(p => {
      const li = el("li"); li.dataset.prefix = p;
      const swatch = el("span", null, "swatch"); swatch.style.background = colour(p);
      li.append(swatch, el("span", p));
      return li;
    });
    if (failures) {
      const li = el("li"); li.dataset.prefix = "";
      const swatch = el("span", null, "swatch"); swatch.style.background = "#e5484d";
      li.append(swatch, el("span", "failed"));
      items.push(li);
    }
    box.replaceChildren(...items);
  }

  // uPlot spans one time point over 1,000 days (86400 / its 1e-3 s): show the minute before it instead.
  function timeRange(u, min, max) {
    const xs = u.data[0];
    if (xs.length && xs[0] === xs[xs.length - 1]) return [xs[0] - 60, xs[0] + 1];
    return [min, max];
  }

  function usageChart(s) {
    const box = document.getElementById("usage-chart");
    if (!box || typeof uPlot === "undefined") return;
    history[0].push(s.takenAt / 1000); history[1].push(s.usage.allocatedCoreSeconds); history[2].push(s.usage.busyCoreSeconds);
    if (!chart) {
      chart = new uPlot({width: Math.min(1200, box.clientWidth || 900), height: 320, scales: {x: {time: true, range: timeRange}},
        series: [{}, {label: "allocated core-s", stroke: "#64748b", width: 2}, {label: "busy core-s", stroke: "#3b82f6", width: 2}],
        hooks: {draw: [u => { box.dataset.from = String(u.scales.x.min); box.dataset.to = String(u.scales.x.max); }]}},
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
