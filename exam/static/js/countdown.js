// A countdown to the server's deadline, corrected for the difference between this computer's clock
// and the server's. Shared by the exam page and the submit-review page.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function format(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  // Warnings at 5 and 1 minutes left: shown in a box that floats over the page (so nothing moves
  // under the pointer) and announced by screen readers (role=alert). The countdown itself is a
  // role=timer, which screen readers do not read out every second.
  var WARNINGS = [
    { ms: 60 * 1000, text: "距离考试结束还剩 1 分钟，时间到将自动交卷。" },
    { ms: 5 * 60 * 1000, text: "距离考试结束还剩 5 分钟，请检查答案。" },
  ];
  function warningBox() {
    var box = document.getElementById("time-warning");
    if (box) return box;
    box = document.createElement("div");
    box.id = "time-warning";
    box.className = "time-warning";
    box.setAttribute("role", "alert");
    box.hidden = true;
    var text = document.createElement("p");
    text.id = "time-warning-text";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "知道了";
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(text);
    box.appendChild(close);
    document.body.appendChild(box);
    return box;
  }
  function warn(text) {
    var box = warningBox();
    box.hidden = false;
    // a fresh text node, so the alert is announced even when the box was already showing
    box.querySelector("#time-warning-text").textContent = text;
    clearTimeout(box.callexamTimer);
    box.callexamTimer = setTimeout(function () { box.hidden = true; }, 60000);
  }
  window.CallexamCountdown = function (el, deadline, serverNow, onZero) {
    var offset = serverNow - Date.now();
    var fired = false, frozen = null, started = false;
    var warned = {};   // threshold (ms) -> already said for this stretch of time
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
      if (frozen === null && left > 0) {
        // the lowest threshold crossed is said once (a page opened with 4 minutes left says "5");
        // time added by an examiner makes a threshold count again
        var due = null;
        WARNINGS.forEach(function (w) {
          if (left > w.ms) warned[w.ms] = false;
          else if (!due) due = w;
        });
        if (due && !warned[due.ms]) {
          WARNINGS.forEach(function (w) { if (w.ms >= due.ms) warned[w.ms] = true; });
          warn(due.text);
        }
      }
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
