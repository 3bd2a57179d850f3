// The candidate's home follows the clock: when a window opens or closes (the server says when, in
// #my-exams' data-next-change) the table of exams is fetched again and replaced, so 开始考试 appears
// without a reload; the change is announced to screen readers. A quiet check every two minutes
// catches what no clock foretells (an examiner moving a window, a new enrolment).
(function () {
  "use strict";
  var POLL_MS = 120000;
  var region = document.getElementById("my-exams");
  var said = document.getElementById("home-updated");
  if (!region) return;
  var timer = null;

  function schedule() {
    clearTimeout(timer);
    var next = Number(region.dataset.nextChange || 0);
    var offset = Number(region.dataset.serverNow) - Date.now();
    var wait = POLL_MS;
    if (next) wait = Math.min(wait, Math.max(1000, next - (Date.now() + offset) + 1000));
    timer = setTimeout(refresh, wait);
  }

  function refresh() {
    // a candidate typing an access code or with focus in the table keeps it until they move on
    if (region.contains(document.activeElement) && document.activeElement.tagName === "INPUT") {
      timer = setTimeout(refresh, 5000);
      return;
    }
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("my-exams");
        if (!fresh) return;
        var changed = fresh.querySelector("table").innerHTML !== region.querySelector("table").innerHTML;
        region.innerHTML = fresh.innerHTML;
        region.dataset.nextChange = fresh.dataset.nextChange || "";
        region.dataset.serverNow = fresh.dataset.serverNow;
        if (changed && said) said.textContent = "考试状态已更新：" + new Date().toLocaleTimeString("zh-CN");
      })
      .catch(function () { /* offline: try again at the next poll */ })
      .then(schedule);
  }
  schedule();
})();
