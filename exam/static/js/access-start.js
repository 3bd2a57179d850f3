/* The start forms on the candidate's home (exam.access): a session that requires fullscreen sends
   fullscreen=1 only from a browser that can go fullscreen; the attempt page then asks for it (a
   browser leaves fullscreen on every page change, so it cannot be entered here and kept). */
(function () {
  "use strict";
  var canFullscreen = !!(document.fullscreenEnabled && document.documentElement.requestFullscreen);
  document.querySelectorAll("form.access-start").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[data-access-fullscreen]").forEach(function (input) {
        input.value = canFullscreen ? "1" : "0";
      });
    });
  });
})();
