// The gateway's pages: read the REST API with the login cookie; names are set as text, never as HTML.
(function () {
  "use strict";
  const page = document.body.dataset.page;
  const PAGE = {"X-Burst-Page": "1"};

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  // Ages and deadlines by the gateway's clock (each list says its "now"), not the browser's.
  let serverNow = null;
  function now() {
    return serverNow === null ? Date.now() : serverNow;
  }
  function ago(iso) {
    if (!iso) return "–";
    const s = Math.max(0, (now() - Date.parse(iso)) / 1000);
    return s < 90 ? Math.round(s) + " s" : s < 5400 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h";
  }
  function duration(s) {
    return s < 90 ? Math.round(s) + " s" : s < 5400 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h";
  }
  function until(iso) {
    if (!iso) return "–";
    const s = (Date.parse(iso) - now()) / 1000;
    return s <= 0 ? "now" : s < 90 ? "in " + Math.round(s) + " s" : s < 5400 ? "in " + Math.round(s / 60) + " min"
      : "in " + (s / 3600).toFixed(1) + " h";
  }
  function get(path) {
    return fetch(path, {credentials: "same-origin"}).then(r => {
      if (r.status === 401) { location.href = "/login"; throw new Error("signed out"); }
      return r.json();
    });
  }
  function stat(label, value, title) {
    const d = el("div");
    d.append(el("b", value), el("span", label));
    if (title) d.title = title;
    return d;
  }
  function loaded() {
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  }

  // Figures as people read them: grouped digits, and core-hours once seconds run into six digits.
  const en = (n, digits) => n.toLocaleString("en-US", {maximumFractionDigits: digits, minimumFractionDigits: digits});
  function coreTime(s) {
    return s >= 100000 ? en(Math.round(s / 3600), 0) + " core-hours" : en(s, s < 100 ? 1 : 0) + " core-s";
  }
  function coreSeconds(u) {
    return en(u.allocatedCoreSeconds, u.allocatedCoreSeconds < 100 ? 1 : 0) + " / " + en(u.busyCoreSeconds, u.busyCoreSeconds < 100 ? 1 : 0);
  }
  function efficiency(u) {
    return u.allocatedCoreSeconds > 0 ? Math.round(100 * u.busyCoreSeconds / u.allocatedCoreSeconds) + " %" : "–";
  }
  // "No budget" read as "budget used up": say that none is set. A budget of years of cores is as good as none.
  const EFFECTIVELY_UNLIMITED = 1e9;
  function budgetStat(left, total) {
    if (left === undefined || left === null) return stat("budget: none set", "unlimited", "no budget is set: use is not capped");
    const s = stat(total >= EFFECTIVELY_UNLIMITED ? "budget left (effectively unlimited)" : "budget left", coreTime(left),
      en(left, 0) + " of " + en(total, 0) + " core-seconds left");
    s.id = "budget";
    return s;
  }
  function budgetText(left, total) {
    if (total === undefined || total === null) return "unlimited (no budget set)";
    return coreTime(left) + (total >= EFFECTIVELY_UNLIMITED ? " (effectively unlimited)" : "");
  }
  function bytes(n) {
    const u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (Number.isInteger(n) ? n : n.toFixed(1)) + " " + u[i];
  }
  function limitsText(l) {
    const parts = [];
    if (l.maxClusters != null) parts.push(l.maxClusters + " clusters");
    if (l.maxCores != null) parts.push(en(l.maxCores, 0) + " cores");
    if (l.maxMemoryBytes != null) parts.push(bytes(l.maxMemoryBytes));
    if (l.maxGpus != null) parts.push(l.maxGpus + " GPUs");
    if (l.maxWorkersPerCluster != null) parts.push(l.maxWorkersPerCluster + " workers per cluster");
    if (l.maxLifetimeSeconds != null) parts.push(duration(l.maxLifetimeSeconds) + " lifetime");
    return parts.length ? "at most " + parts.join(", ") : "none of their own";
  }

  // Tables refresh in place: a row stays the same element while its cluster is listed, and a cell
  // is written only when its text changes, so a row under the cursor or a focused button stays put.
  function syncRows(tbody, items, keyOf, make, fill) {
    const existing = new Map([...tbody.rows].map(r => [r.dataset.key, r]));
    let at = 0;
    for (const item of items) {
      const key = keyOf(item);
      let tr = existing.get(key);
      existing.delete(key);
      if (!tr) { tr = make(item); tr.dataset.key = key; }
      fill(tr, item);
      if (tbody.rows[at] !== tr) tbody.insertBefore(tr, tbody.rows[at] || null);
      at++;
    }
    for (const tr of existing.values()) tr.remove();
  }
  function setText(td, text) {
    const t = String(text);
    if (td.textContent !== t) td.textContent = t;
  }
  function cells(tr, n) {
    while (tr.cells.length < n) tr.append(el("td"));
    return [...tr.cells];
  }
  /** A Stop button in {@code td} while {@code running}, none otherwise; an existing one is kept. */
  function stopButton(td, running, question, name, after) {
    const b = td.querySelector("button.stop");
    if (running && !b) {
      const nb = el("button", "Stop", "stop");
      nb.addEventListener("click", () => stop(name, nb, question(), after));
      td.append(nb);
    } else if (!running && b) {
      b.remove();
    }
  }

  function stop(name, button, question, after) {
    if (!window.confirm(question)) return;
    button.disabled = true;
    fetch("/api/v1/clusters/" + encodeURIComponent(name), {method: "DELETE", credentials: "same-origin", headers: PAGE})
      .then(r => r.json().then(b => ({ok: r.ok, b})))
      .then(({ok, b}) => {
        document.getElementById("message").textContent = ok ? "stopped " + name : "could not stop " + name + ": " + b.error;
        if (!ok) button.disabled = false;
        return after();
      });
  }
  const STOP_WARNING = " Its workers stop now: running tasks are cancelled, and results not yet gathered are lost.";

  function clusters() {
    return Promise.all([get("/api/v1/clusters?stopped=true"), get("/api/v1/me")]).then(([list, me]) => {
      serverNow = Date.parse(list.now);
      syncRows(document.querySelector("#clusters tbody"), list.clusters, c => c.name, c => {
        const tr = el("tr");
        tr.dataset.cluster = c.name;
        cells(tr, 8)[1].className = "state";
        return tr;
      }, (tr, c) => {
        const [name, state, workers, age, idle, stops, usage, action] = cells(tr, 8);
        const link = name.querySelector("a");
        if (c.dashboard && !link) {
          const a = el("a", c.name); a.href = c.dashboard; name.replaceChildren(a);
        } else if (!c.dashboard && link) {
          name.replaceChildren(c.name); // stopped: its dashboard is gone, and so is the link
        }
        setText(state, c.state + (c.stopReason ? " (" + c.stopReason + ")" : "") + (c.windDown ? " – no new work: " + c.windDown : ""));
        setText(workers, c.state === "running" ? (c.workers.connected || 0) + " / " + c.workers.max : "–");
        setText(age, ago(c.createdAt));
        setText(idle, c.idleSince ? ago(c.idleSince) : "–");
        setText(stops, c.reclaimAt ? until(c.reclaimAt) + " (" + c.reclaimReason + ")" : "–");
        setText(usage, coreSeconds(c.usage));
        stopButton(action, c.state === "running", () => "Stop cluster " + c.name + "?" + STOP_WARNING, c.name, clusters);
      });
      const b = me.budget || {};
      document.getElementById("summary").replaceChildren(stat("clusters running", me.clusters), stat("workers", me.workers),
        budgetStat(b.coreSecondsLeft, b.coreSeconds));
      loaded();
    });
  }

  // uPlot spans a single time point over 1,000 days (86400 / its 1e-3 s): show at least a week, days padded by half a day.
  const DAY = 86400;
  function daysRange(u) {
    const xs = u.data[0];
    const last = xs.length ? xs[xs.length - 1] : Math.floor(now() / 1000);
    const first = xs.length ? xs[0] : last;
    const span = Math.max(last - first + DAY, 7 * DAY);
    return [last + DAY / 2 - span, last + DAY / 2];
  }

  function usage() {
    return Promise.all([get("/api/v1/usage?days=30"), get("/api/v1/me")]).then(([u, me]) => {
      const t = u.total;
      const b = me.budget || {};
      document.getElementById("usage-summary").replaceChildren(stat("allocated (30 days)", coreTime(t.allocatedCoreSeconds)),
        stat("busy", coreTime(t.busyCoreSeconds)), stat("efficiency", efficiency(t)),
        stat("GPU-seconds allocated", en(t.allocatedGpuSeconds, 1)), budgetStat(b.coreSecondsLeft, b.coreSeconds));
      const days = [[], [], []];
      for (const d of u.days) { days[0].push(Date.parse(d.day) / 1000); days[1].push(d.usage.allocatedCoreSeconds); days[2].push(d.usage.busyCoreSeconds); }
      const box = document.getElementById("usage-chart");
      if (typeof uPlot !== "undefined") {
        box.replaceChildren();
        new uPlot({width: Math.min(1200, box.clientWidth || 900), height: 300,
          scales: {x: {time: true, range: daysRange}}, cursor: {drag: {x: false, y: false}},
          axes: [{space: 60}, {}],
          series: [{}, {label: "allocated core-s", stroke: "#64748b", width: 2, points: {show: true}},
                   {label: "busy core-s", stroke: "#3b82f6", width: 2, points: {show: true}}],
          hooks: {draw: [p => { box.dataset.from = String(p.scales.x.min); box.dataset.to = String(p.scales.x.max); }]}}, days, box);
      }
      const rows = u.clusters.map(c => {
        const tr = el("tr");
        tr.append(el("td", c.name), el("td", c.state + (c.stopReason ? " (" + c.stopReason + ")" : "")),
          el("td", coreTime(c.usage.allocatedCoreSeconds)), el("td", coreTime(c.usage.busyCoreSeconds)), el("td", efficiency(c.usage)));
        return tr;
      });
      document.querySelector("#usage-clusters tbody").replaceChildren(...rows);
      loaded();
    });
  }

  function admin() {
    return Promise.all([get("/api/v1/admin/clusters"), get("/api/v1/admin/users")]).then(([cl, us]) => {
      serverNow = Date.parse(cl.now);
      syncRows(document.querySelector("#all-clusters tbody"), cl.clusters, c => c.name, c => {
        const tr = el("tr");
        tr.dataset.cluster = c.name;
        cells(tr, 8)[2].className = "state";
        return tr;
      }, (tr, c) => {
        const [name, user, state, workers, age, usage, reason, action] = cells(tr, 8);
        setText(name, c.name); setText(user, c.user); setText(state, c.state);
        setText(workers, c.state === "running" ? (c.workers.connected || 0) : "–");
        setText(age, ago(c.createdAt)); setText(usage, coreSeconds(c.usage)); setText(reason, c.stopReason || "");
        stopButton(action, c.state === "running", () => "Stop " + c.user + "'s cluster " + c.name + "?" + STOP_WARNING, c.name, admin);
      });
      return Promise.all(us.users.map(u => get("/api/v1/usage?days=30&user=" + encodeURIComponent(u.name)).then(x => [u, x])));
    }).then(pairs => {
      syncRows(document.querySelector("#users tbody"), pairs, ([u]) => u.name, ([u]) => {
        const tr = el("tr");
        tr.dataset.user = u.name;
        return tr;
      }, (tr, [u, x]) => {
        const t = x.total;
        const [name, role, group, limits, allocated, busy, eff, budget] = cells(tr, 8);
        limits.className = "limits";
        budget.className = "budget";
        setText(name, u.name); setText(role, u.admin ? "admin" : "user"); setText(group, u.group || "–");
        setText(limits, limitsText(u.limits || {}));
        setText(allocated, coreTime(t.allocatedCoreSeconds)); setText(busy, coreTime(t.busyCoreSeconds)); setText(eff, efficiency(t));
        const total = u.budgetCoreSeconds;
        setText(budget, budgetText(total == null ? null : Math.max(0, total - t.allocatedCoreSeconds), total));
      });
      loaded();
    });
  }

  const load = {clusters, usage, admin}[page];
  if (load) {
    load();
    if (page === "clusters") setInterval(clusters, 2000);
    if (page === "admin") setInterval(admin, 5000);
  }
})();
