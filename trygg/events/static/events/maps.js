/* Trygg maps: Leaflet from django-leaflet's static files, never a CDN. Background tiles only when
   the server is configured with TRYGG_MAP_TILE_URL; otherwise the collaboration's areas are the
   map, which works without any network. */
(function () {
  "use strict";
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function strings() { return readJSON("trygg-strings") || {}; }

  function baseMap(element, options) {
    options = options || {};
    var map = L.map(element, { zoomSnap: 0.25, tap: true, keyboard: true });
    var tileUrl = element.dataset.tileUrl || document.body.dataset.tileUrl || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var areas = readJSON("areas-data");
    var layer = null;
    if (areas && areas.features && areas.features.length) {
      layer = L.geoJSON(areas, {
        interactive: !!options.areaTooltips,
        style: function (f) {
          var boundary = f.properties.is_boundary;
          return {
            color: boundary ? "#0b5394" : "#4a5560", weight: boundary ? 3 : 1.5,
            fillColor: boundary ? "#e6f0fa" : "#ffffff", fillOpacity: tileUrl ? 0.05 : (boundary ? 0.6 : 0.15),
          };
        },
        onEachFeature: function (f, l) {
          if (options.areaTooltips && !f.properties.is_boundary) { l.bindTooltip(f.properties.name); }
        },
      }).addTo(map);
    }
    var bounds = readJSON("map-bounds");
    if (bounds) { map.fitBounds(bounds); }
    else if (layer) { map.fitBounds(layer.getBounds()); }
    else { map.setView([62.0, 15.0], 4); }
    return map;
  }
  window.TryggMaps = { baseMap: baseMap, readJSON: readJSON, strings: strings };
})();
