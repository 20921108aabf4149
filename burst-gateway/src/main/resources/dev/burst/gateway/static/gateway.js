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
  function stat(label, value) {
    const d = el("div");
    d.append(el("b", value), el("span", label));
    return d;
  }
  function coreSeconds(u) {
    return u.allocatedCoreSeconds.toFixed(1) + " / " + u.busyCoreSeconds.toFixed(1);
  }

  function stop(name, button) {
    button.disabled = true;
    fetch("/api/v1/clusters/" + encodeURIComponent(name), {method: "DELETE", credentials: "same-origin", headers: PAGE})
      .then(r => r.json().then(b => ({ok: r.ok, b})))
      .then(({ok, b}) => {
        document.getElementById("message").textContent = ok ? "stopped " + name : "could not stop " + name + ": " + b.error;
        return clusters();
      });
  }

  function clusters() {
    return Promise.all([get("/api/v1/clusters?stopped=true"), get("/api/v1/me")]).then(([list, me]) => {
      serverNow = Date.parse(list.now);
      const rows = list.clusters.map(c => {
        const tr = el("tr");
        tr.dataset.cluster = c.name;
        const name = el("td");
        if (c.dashboard) {
          const a = el("a", c.name); a.href = c.dashboard; name.append(a);
        } else {
          name.textContent = c.name;
        }
        const state = el("td", c.state + (c.stopReason ? " (" + c.stopReason + ")" : "") + (c.windDown ? " – no new work: " + c.windDown : ""), "state");
        const workers = el("td", c.state === "running" ? (c.workers.connected || 0) + " / " + c.workers.max : "–");
        const action = el("td");
        if (c.state === "running") {
          const b = el("button", "Stop"); b.className = "stop"; b.addEventListener("click", () => stop(c.name, b)); action.append(b);
        }
        tr.append(name, state, workers, el("td", ago(c.createdAt)), el("td", c.idleSince ? ago(c.idleSince) : "–"),
          el("td", c.reclaimAt ? until(c.reclaimAt) + " (" + c.reclaimReason + ")" : "–"), el("td", coreSeconds(c.usage)), action);
        return tr;
      });
      document.querySelector("#clusters tbody").replaceChildren(...rows);
      const b = me.budget || {};
      document.getElementById("summary").replaceChildren(stat("clusters running", me.clusters), stat("workers", me.workers),
        stat("core-seconds left", b.coreSecondsLeft === undefined || b.coreSecondsLeft === null ? "no budget" : b.coreSecondsLeft.toFixed(0)));
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    });
  }

  function usage() {
    return Promise.all([get("/api/v1/usage?days=30"), get("/api/v1/me")]).then(([u, me]) => {
      const t = u.total;
      const eff = t.allocatedCoreSeconds > 0 ? Math.round(100 * t.busyCoreSeconds / t.allocatedCoreSeconds) + " %" : "–";
      const b = me.budget || {};
      document.getElementById("usage-summary").replaceChildren(stat("core-seconds allocated (30 days)", t.allocatedCoreSeconds.toFixed(1)),
        stat("core-seconds busy", t.busyCoreSeconds.toFixed(1)), stat("efficiency", eff),
        stat("GPU-seconds allocated", t.allocatedGpuSeconds.toFixed(1)),
        stat("budget left", b.coreSecondsLeft === undefined || b.coreSecondsLeft === null ? "no budget" : b.coreSecondsLeft.toFixed(0) + " core-s"));
      const days = [[], [], []];
      for (const d of u.days) { days[0].push(Date.parse(d.day) / 1000); days[1].push(d.usage.allocatedCoreSeconds); days[2].push(d.usage.busyCoreSeconds); }
      const box = document.getElementById("usage-chart");
      if (typeof uPlot !== "undefined") {
        box.replaceChildren();
        new uPlot({width: Math.min(1200, box.clientWidth || 900), height: 300,
          series: [{}, {label: "allocated core-s", stroke: "#64748b", width: 2, points: {show: true}},
                   {label: "busy core-s", stroke: "#3b82f6", width: 2, points: {show: true}}]}, days, box);
      }
      const rows = u.clusters.map(c => {
        const tr = el("tr");
        const e = c.usage.allocatedCoreSeconds > 0 ? Math.round(100 * c.usage.busyCoreSeconds / c.usage.allocatedCoreSeconds) + " %" : "–";
        tr.append(el("td", c.name), el("td", c.state + (c.stopReason ? " (" + c.stopReason + ")" : "")),
          el("td", c.usage.allocatedCoreSeconds.toFixed(1)), el("td", c.usage.busyCoreSeconds.toFixed(1)), el("td", e));
        return tr;
      });
      document.querySelector("#usage-clusters tbody").replaceChildren(...rows);
      document.body.dataset.loaded = "1";
    });
  }

  function admin() {
    return Promise.all([get("/api/v1/admin/clusters"), get("/api/v1/admin/users")]).then(([cl, us]) => {
      serverNow = Date.parse(cl.now);
      const rows = cl.clusters.map(c => {
        const tr = el("tr");
        tr.dataset.cluster = c.name;
        tr.append(el("td", c.name), el("td", c.user), el("td", c.state), el("td", c.state === "running" ? (c.workers.connected || 0) : "–"),
          el("td", ago(c.createdAt)), el("td", coreSeconds(c.usage)), el("td", c.stopReason || ""));
        return tr;
      });
      document.querySelector("#all-clusters tbody").replaceChildren(...rows);
      return Promise.all(us.users.map(u => get("/api/v1/usage?days=30&user=" + encodeURIComponent(u.name)).then(x => [u, x])));
    }).then(pairs => {
      const rows = pairs.map(([u, x]) => {
        const t = x.total;
        const tr = el("tr");
        tr.dataset.user = u.name;
        tr.append(el("td", u.name), el("td", u.admin ? "admin" : "user"), el("td", u.group || "–"),
          el("td", t.allocatedCoreSeconds.toFixed(1)), el("td", t.busyCoreSeconds.toFixed(1)),
          el("td", t.allocatedCoreSeconds > 0 ? Math.round(100 * t.busyCoreSeconds / t.allocatedCoreSeconds) + " %" : "–"),
          el("td", u.budgetCoreSeconds ? Math.max(0, u.budgetCoreSeconds - t.allocatedCoreSeconds).toFixed(0) + " core-s" : "no budget"));
        return tr;
      });
      document.querySelector("#users tbody").replaceChildren(...rows);
      document.body.dataset.loaded = "1";
    });
  }

  const load = {clusters, usage, admin}[page];
  if (load) {
    load();
    if (page === "clusters") setInterval(clusters, 2000);
  }
})();
