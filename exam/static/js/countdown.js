// A countdown to the server's deadline, corrected for the difference between this computer's clock
// and the server's. Shared by the exam page and the submit-review page.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function format(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  window.CallexamCountdown = function (el, deadline, serverNow, onZero) {
    var offset = serverNow - Date.now();
    var fired = false;
    function tick() {
      var left = deadline - (Date.now() + offset);
      el.textContent = format(left);
      el.classList.toggle("urgent", left < 5 * 60 * 1000);
      if (left <= 0 && !fired) { fired = true; if (onZero) onZero(); }
    }
    tick();
    return setInterval(tick, 1000);
  };
  var el = document.getElementById("countdown");
  if (el && el.dataset.deadline) {
    window.CallexamCountdown(el, Number(el.dataset.deadline), Number(el.dataset.serverNow), function () {
      var form = document.querySelector("form[action$='/submit']");
      if (form) form.submit();
    });
  }
})();
