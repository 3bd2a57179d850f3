// The session form shows only the practical-blueprint parts of the chosen level. Without JavaScript
// every level's parts show and the server reads only the chosen level's.
(function () {
  "use strict";
  var level = document.getElementById("level");
  if (!level) return;
  function update() {
    document.querySelectorAll(".practical-parts[data-level]").forEach(function (el) {
      el.hidden = el.dataset.level !== level.value;
    });
  }
  level.addEventListener("change", update);
  update();
})();
