// The item form shows only the answer fields of the chosen item type. Without JavaScript every
// field shows and the server ignores the ones that do not belong to the type.
(function () {
  "use strict";
  var kind = document.getElementById("kind");
  if (!kind) return;
  function update() {
    document.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.dataset.kinds.split(" ").indexOf(kind.value) < 0;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
