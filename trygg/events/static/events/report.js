/* The report form: a map per event (tap to place a pin), position, categories, "add another
   event", and sending through the offline queue when there is no connection. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var S = TryggMaps.strings();
  var maps = {};

  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function blocks() { return Array.prototype.slice.call(form.querySelectorAll("#event-blocks > .event-block")); }

  function setPin(block, lat, lon, pan) {
    var state = maps[block.dataset.index];
    block.querySelector(".lat-input").value = lat.toFixed(6);
    block.querySelector(".lon-input").value = lon.toFixed(6);
    if (state) {
      if (state.pin) { state.pin.setLatLng([lat, lon]); }
      else {
        state.pin = L.circleMarker([lat, lon], { radius: 11, color: "#ffffff", weight: 3, fillColor: "#a4161a", fillOpacity: 1 }).addTo(state.map);
      }
      if (pan) { state.map.setView([lat, lon], Math.max(state.map.getZoom(), 15)); }
    }
    var status = block.querySelector(".map-status");
    status.textContent = S.marked + " (" + lat.toFixed(5) + ", " + lon.toFixed(5) + ")";
    status.classList.add("marked");
  }

  function clearPin(block) {
    var state = maps[block.dataset.index];
    if (state && state.pin) { state.map.removeLayer(state.pin); state.pin = null; }
    block.querySelector(".lat-input").value = "";
    block.querySelector(".lon-input").value = "";
    var status = block.querySelector(".map-status");
    status.textContent = S.notMarked; status.classList.remove("marked");
  }

  function locate(callback, onError) {
    if (!navigator.geolocation) { onError(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) { callback(pos.coords.latitude, pos.coords.longitude); },
      onError, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function filterSubcategories(block) {
    var checked = block.querySelector(".category-grid input:checked");
    var code = checked ? checked.value : null;
    var select = block.querySelector(".subcategory-select");
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var show = !code || group.dataset.parent === code;
      group.hidden = !show; group.disabled = !show;
    });
    var opt = select.selectedOptions[0];
    if (opt && opt.dataset.parent && code && opt.dataset.parent !== code) { select.value = ""; }
  }

  function initBlock(block) {
    var index = block.dataset.index;
    var el = block.querySelector(".report-map");
    if (window.L && el && !maps[index]) {
      var map = TryggMaps.baseMap(el);
      maps[index] = { map: map, pin: null };
      map.on("click", function (e) { setPin(block, e.latlng.lat, e.latlng.lng, false); });
      var lat = parseFloat(block.querySelector(".lat-input").value), lon = parseFloat(block.querySelector(".lon-input").value);
      if (!isNaN(lat) && !isNaN(lon)) { setPin(block, lat, lon, true); }
      else if (window.TryggUserPosition) { map.setView(window.TryggUserPosition, 15); }
    }
    block.querySelector(".use-position").addEventListener("click", function () {
      var status = block.querySelector(".map-status");
      status.textContent = S.locating;
      locate(function (lat, lon) { setPin(block, lat, lon, true); }, function () { status.textContent = S.noPosition; });
    });
    block.querySelector(".use-centre").addEventListener("click", function () {
      var state = maps[index];
      if (state) { var c = state.map.getCenter(); setPin(block, c.lat, c.lng, false); }
    });
    var place = block.querySelector("[name$='-place']");
    if (place) {
      place.addEventListener("change", function () { if (place.value) { clearPin(block); } });
    }
    block.querySelectorAll(".category-grid input").forEach(function (input) {
      input.addEventListener("change", function () { filterSubcategories(block); });
    });
    block.querySelector(".subcategory-select").addEventListener("change", function (e) {
      var opt = e.target.selectedOptions[0];
      if (opt && opt.dataset.parent) {
        var tile = block.querySelector(".category-grid input[value='" + opt.dataset.parent + "']");
        if (tile && !tile.checked) { tile.checked = true; filterSubcategories(block); }
      }
    });
    filterSubcategories(block);
    var remove = block.querySelector(".remove-event");
    if (blocks().indexOf(block) > 0) {
      remove.hidden = false;
      remove.addEventListener("click", function () {
        delete maps[index];
        block.remove();
        renumber();
        var last = blocks()[blocks().length - 1];
        if (last) { last.querySelector(".event-legend").focus(); }
      });
    }
    if (window.htmx) { htmx.process(block); }
  }

  function renumber() {
    blocks().forEach(function (b, i) { b.querySelector(".event-number").textContent = String(i + 1); });
  }

  function addBlock() {
    var next = 0;
    blocks().forEach(function (b) { next = Math.max(next, parseInt(b.dataset.index, 10) + 1); });
    var html = document.getElementById("event-template").innerHTML.replace(/__i__/g, String(next));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var block = holder.firstElementChild;
    document.getElementById("event-blocks").appendChild(block);
    initBlock(block);
    renumber();
    block.scrollIntoView({ behavior: "smooth", block: "start" });
    block.querySelector(".event-legend").focus({ preventScroll: true });
    return block;
  }

  function resetForm() {
    blocks().forEach(function (b, i) { if (i > 0) { delete maps[b.dataset.index]; b.remove(); } });
    form.reset();
    var first = blocks()[0];
    clearPin(first);
    first.querySelectorAll(".privacy-warnings").forEach(function (w) { w.textContent = ""; });
    form.querySelector("[name=client_id]").value = uuid4();
    renumber();
  }

  function entries() {
    form.querySelector("[name=composed_at]").value = new Date().toISOString();
    var data = new FormData(form), out = [];
    data.forEach(function (value, key) { if (key !== "action") { out.push([key, value]); } });
    out.push(["action", "send"]);
    return out;
  }

  function restore(pairs) {
    resetForm();
    var indexes = [];
    pairs.forEach(function (p) { var m = /^events-(\d+)-/.exec(p[0]); if (m && indexes.indexOf(m[1]) < 0) { indexes.push(m[1]); } });
    var mapping = {};
    indexes.forEach(function (idx, i) { mapping[idx] = i === 0 ? blocks()[0] : addBlock(); });
    pairs.forEach(function (p) {
      var m = /^events-(\d+)-(.+)$/.exec(p[0]);
      if (!m) { if (p[0] === "client_id") { form.querySelector("[name=client_id]").value = p[1]; } return; }
      var block = mapping[m[1]], name = "events-" + block.dataset.index + "-" + m[2];
      block.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") { input.checked = (input.value === p[1] || (input.type === "checkbox" && p[1] === "on")); }
        else { input.value = p[1]; }
      });
    });
    indexes.forEach(function (idx) {
      var b = mapping[idx], lat = parseFloat(b.querySelector(".lat-input").value), lon = parseFloat(b.querySelector(".lon-input").value);
      if (!isNaN(lat) && !isNaN(lon)) { setPin(b, lat, lon, true); }
      filterSubcategories(b);
    });
  }

  form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    if (submitter && submitter.value === "add") { e.preventDefault(); addBlock(); return; }
    if (form.dataset.native === "1") { return; }
    e.preventDefault();
    var pairs = entries();
    var action = form.getAttribute("action");
    var queueIt = function () { TryggQueue.enqueue(action, pairs); resetForm(); window.scrollTo(0, 0); };
    if (!navigator.onLine) { queueIt(); return; }
    var body = new FormData();
    pairs.forEach(function (p) { body.append(p[0], p[1]); });
    var button = document.getElementById("send-report");
    button.disabled = true;
    fetch(action, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) { throw new Error("unexpected answer"); }
        return response.json().then(function (data) {
          if (response.ok && data.url) { window.location.assign(data.url); return; }
          // invalid, or the privacy check: let the server show the form with its messages
          button.disabled = false;
          form.dataset.native = "1";
          HTMLFormElement.prototype.submit.call(form);
        });
      }, function () { button.disabled = false; queueIt(); })
      .catch(function () { button.disabled = false; form.dataset.native = "1"; HTMLFormElement.prototype.submit.call(form); });
  });

  window.TryggReport = { restore: restore, addBlock: addBlock, setPin: function (i, lat, lon) { setPin(blocks()[i], lat, lon, true); } };

  blocks().forEach(initBlock);
  renumber();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Centre on the reporter's position if they already allowed it (no prompt on page load).
  if (navigator.permissions && navigator.geolocation) {
    navigator.permissions.query({ name: "geolocation" }).then(function (result) {
      if (result.state !== "granted") { return; }
      locate(function (lat, lon) {
        window.TryggUserPosition = [lat, lon];
        blocks().forEach(function (b) {
          var st = maps[b.dataset.index];
          if (st && !st.pin) { st.map.setView([lat, lon], 15); }
        });
      }, function () { });
    }, function () { });
  }
  if (window.TryggQueue) { TryggQueue.render(); }
})();
