// After submission the browser's copy of the answers has done its job: remove it, so the next
// candidate at this computer finds nothing of the last one's.
(function () {
  "use strict";
  var el = document.querySelector("[data-forget-attempt]");
  if (el) {
    try { localStorage.removeItem("callexam.answers." + el.dataset.forgetAttempt); } catch (e) { /* no storage */ }
  }
})();
