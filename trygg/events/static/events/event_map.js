(function () {
  "use strict";
  var el = document.getElementById("events-map");
  if (!el || !window.L) { return; }
  var map = TryggMaps.baseMap(el, { areaTooltips: true });
  var events = TryggMaps.readJSON("events-data");
  if (!events) { return; }
  var layer = L.geoJSON(events, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {
        radius: 7, color: "#1b1f24", weight: 1, fillColor: f.properties.colour || "#666", fillOpacity: 0.9,
      });
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      var div = document.createElement("div");
      var a = document.createElement("a");
      a.href = p.url; a.textContent = p.category + (p.subcategory ? " – " + p.subcategory : "");
      div.appendChild(a);
      div.appendChild(document.createElement("br"));
      div.appendChild(document.createTextNode(p.occurred_from.replace("T", " ").slice(0, 16) + " · " + p.organisation));
      l.bindPopup(div);
    },
  }).addTo(map);
  if (events.features.length) { map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 15 }); }
})();
