/* The offline report queue (J1.7). A report made without a connection waits in localStorage and
   is sent when the connection returns. Every report carries a client-generated UUID (client_id):
   the server saves a repeated delivery only once, so sending again after a lost answer is safe. */
(function () {
  "use strict";
  var KEY = "trygg-report-queue-v1";
  var FAILED = "trygg-report-failed-v1";
  var flushing = false;

  function load(key) { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function save(key, items) { localStorage.setItem(key, JSON.stringify(items)); }
  function strings() { var el = document.getElementById("trygg-strings"); return el ? JSON.parse(el.textContent) : {}; }
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function clientIdOf(item) {
    for (var i = 0; i < item.entries.length; i++) { if (item.entries[i][0] === "client_id") { return item.entries[i][1]; } }
    return null;
  }

  function render(message) {
    var box = document.getElementById("queue-status");
    if (!box) { return; }
    var s = strings();
    var pending = load(KEY), failed = load(FAILED);
    box.textContent = "";
    if (message) { var p = document.createElement("p"); p.textContent = message; box.appendChild(p); }
    if (pending.length) {
      var q = document.createElement("p");
      q.textContent = (s.pending || "Waiting:") + " " + pending.length;
      q.dataset.pending = String(pending.length);
      box.appendChild(q);
    }
    failed.forEach(function (item, index) {
      var f = document.createElement("div");
      f.className = "warning";
      var t = document.createElement("p");
      t.textContent = (s.failed || "Could not send:") + " " + (item.errors || []).join(" ");
      f.appendChild(t);
      if (window.TryggReport) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "button"; b.textContent = s.restore || "Restore";
        b.addEventListener("click", function () {
          var all = load(FAILED); all.splice(index, 1); save(FAILED, all);
          window.TryggReport.restore(item.entries); render();
        });
        f.appendChild(b);
      }
      box.appendChild(f);
    });
    box.hidden = !box.childNodes.length;
  }

  function enqueue(action, entries) {
    var items = load(KEY);
    var item = { action: action, entries: entries, queuedAt: new Date().toISOString() };
    var id = clientIdOf(item);
    if (!items.some(function (x) { return clientIdOf(x) === id; })) { items.push(item); }
    save(KEY, items);
    render(strings().queued);
  }

  function send(item) {
    var body = new FormData();
    item.entries.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(item.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(), "X-Trygg-Queued": "1" },
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) { return Promise.resolve(); }
    var items = load(KEY);
    if (!items.length) { render(); return Promise.resolve(); }
    flushing = true;
    var sentAny = false;
    function next() {
      var current = load(KEY);
      if (!current.length) { return Promise.resolve(); }
      var item = current[0];
      return send(item).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") >= 0) {
          sentAny = true;
          save(KEY, load(KEY).filter(function (x) { return clientIdOf(x) !== clientIdOf(item); }));
          return next();
        }
        if (response.status === 400 && type.indexOf("application/json") >= 0) {
          return response.json().then(function (data) {
            var errors = (data.errors || []).concat(Object.keys(data.fields || {}).map(function (k) { return data.fields[k]; }));
            var failed = load(FAILED); failed.push({ entries: item.entries, errors: errors }); save(FAILED, failed);
            save(KEY, load(KEY).filter(function (x) { return clientIdOf(x) !== clientIdOf(item); }));
            return next();
          });
        }
        render(strings().login);  // logged out or CSRF refused: keep the report, try later
        return Promise.reject(new Error("not sent"));
      });
    }
    return next().then(function () { render(sentAny ? strings().sent : ""); }, function () { })
      .then(function () { flushing = false; }, function () { flushing = false; });
  }

  window.TryggQueue = { enqueue: enqueue, flush: flush, pending: function () { return load(KEY).length; }, render: render };
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () { render(); flush(); });
  if (document.readyState !== "loading") { render(); flush(); }
  setInterval(flush, 30000);
})();
