(function () {
  "use strict";
  document.querySelectorAll(".copy-link").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.target);
      var status = button.closest(".stable-link").querySelector(".copy-status");
      var done = function () { status.textContent = (TryggStrings().copied || "OK"); };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  });
  function TryggStrings() {
    var el = document.getElementById("trygg-strings");
    return el ? JSON.parse(el.textContent) : {};
  }
})();
