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
    var fired = false, frozen = null, started = false;
    function zero() {
      fired = true;
      if (!onZero) return;
      // proctor-watch.js asks the server first: an examiner may have just added time or paused.
      if (el.callexamBeforeZero) el.callexamBeforeZero(onZero); else onZero();
    }
    function tick() {
      var left = frozen !== null ? frozen : deadline - (Date.now() + offset);
      el.textContent = format(left);
      el.classList.toggle("urgent", left < 5 * 60 * 1000);
      el.classList.toggle("paused", frozen !== null);
      // never on the first, synchronous tick: the page's proctor watch gets to say "paused" first
      if (started && frozen === null && left <= 0 && !fired) zero();
    }
    // Used by proctor-watch.js (exam/proctoring): extra time or a pause changes the clock at once.
    // ``pausedMs`` freezes the display at that much time left; null lets it run to ``newDeadline``.
    el.callexamCountdown = {
      set: function (newDeadline, newServerNow, pausedMs) {
        deadline = newDeadline;
        offset = newServerNow - Date.now();
        frozen = pausedMs === null || pausedMs === undefined ? null : pausedMs;
        if (frozen !== null || deadline - (Date.now() + offset) > 0) fired = false;
        tick();
      }
    };
    tick();
    started = true;
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
