// The candidate page's watch (exam/proctoring): asks every few seconds whether an examiner paused,
// resumed, extended, submitted or voided this attempt, and shows it at once — the countdown moves
// (countdown.js exposes ``#countdown.callexamCountdown``), a pause covers the page with an overlay
// and makes it inert, and a notice says what changed. Before the countdown submits at zero it asks
// the server once more, so time added in the last seconds is never lost to a stale page.
// On the theory and practical pages it also reports focus losses and pastes to the signals API.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("proctor-watch-config").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var countdownEl = document.getElementById("countdown");
  var overlay = document.getElementById("proctor-overlay");
  var overlayTitle = document.getElementById("proctor-overlay-title");
  var overlayText = document.getElementById("proctor-overlay-text");
  var overlayLeft = document.getElementById("proctor-overlay-left");
  var notice = document.getElementById("proctor-notice");
  var main = document.querySelector("main");
  var last = null, timer = null, inFlight = null, finished = false, noticeTimer = null;

  function pad(n) { return String(n).padStart(2, "0"); }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function minutesText(seconds) {
    var m = Math.round(seconds / 60);
    return m >= 1 ? m + " 分钟" : Math.round(seconds) + " 秒";
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { notice.hidden = true; }, 30000);
  }

  function cover(title, text, left) {
    overlayTitle.textContent = title;
    overlayText.textContent = text;
    overlayLeft.parentNode.hidden = left === null;
    if (left !== null) overlayLeft.textContent = clock(left);
    overlay.hidden = false;
    if (main) main.inert = true;
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  }

  function uncover() {
    overlay.hidden = true;
    if (main) main.inert = false;
  }

  function setClock(status, paused) {
    var control = countdownEl && countdownEl.callexamCountdown;
    if (control) control.set(status.deadline, status.serverNow, paused ? status.remainingMs : null);
  }

  function apply(status) {
    if (finished) return;
    var before = last;
    last = status;
    if (status.takenOver && window.CallexamAutosave) {
      // another tab or device opened this attempt since: this page stops (exam.access.live_page)
      finished = true;
      setClock(status, true);
      window.CallexamAutosave.takeOver();
      return;
    }
    if (status.status === "void") {
      finished = true;
      setClock(status, true);
      cover("本次作答已被作废", "监考老师已作废本次作答" + (status.voidReason ? "，原因：" + status.voidReason : "") +
            "。如有疑问，请举手联系监考老师。", null);
      return;
    }
    if (status.status !== "open") {
      finished = true;
      setClock(status, true);
      cover("已交卷", "监考老师已为您交卷，答案已按交卷时保存的内容评分。正在前往结果页…", null);
      setTimeout(function () { window.location.href = config.resultUrl; }, 3000);
      return;
    }
    if (status.paused) {
      setClock(status, true);
      cover("考试已暂停", "监考老师已暂停考试，计时已停止。请留在座位上等候指示；已作答的内容都已保存。", status.remainingMs);
    } else {
      setClock(status, false);
      if (!overlay.hidden) uncover();
    }
    if (!before) return;
    if (before.paused && !status.paused) say("考试已恢复，计时继续；截止时间已按暂停时长顺延。");
    var added = status.extraSeconds - before.extraSeconds;
    if (added > 0) say("监考老师为您延长了 " + minutesText(added) + " 作答时间，倒计时已更新。");
  }

  function fetchStatus() {
    if (inFlight) return inFlight;
    inFlight = fetch(config.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .catch(function () { return null; })
      .then(function (status) { inFlight = null; return status; });
    return inFlight;
  }

  function poll() {
    clearTimeout(timer);
    return fetchStatus().then(function (status) {
      if (status) apply(status);
      if (!finished) timer = setTimeout(poll, Math.max(1, config.pollSeconds) * 1000);
    });
  }

  if (countdownEl) {
    countdownEl.callexamBeforeZero = function (go) {
      fetchStatus().then(function (status) {
        if (!status) { go(); return; }  // the server enforces its own deadline
        if (status.status === "open" && (status.paused || status.remainingMs > 0)) { apply(status); return; }
        if (status.status === "void") { apply(status); return; }
        go();
      });
    };
  }

  // ------------------------------------------------------------ integrity signals

  var lastSent = {};
  function report(kind, detail) {
    if (!config.reportSignals || finished) return;
    var now = Date.now();
    if (lastSent[kind] && now - lastSent[kind] < 3000) return;  // a blur and a hidden tab are one leave
    lastSent[kind] = now;
    fetch(config.signalsUrl, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ part: config.part, kind: kind, detail: detail || {} })
    }).catch(function () { /* a signal is information only; a lost one is not retried */ });
  }
  window.addEventListener("blur", function () { report("focus_loss", { how: "blur" }); });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) report("focus_loss", { how: "hidden" });
    else poll();
  });
  document.addEventListener("paste", function (e) {
    var text = e.clipboardData ? e.clipboardData.getData("text") : "";
    report("paste", { chars: text.length });
  }, true);

  // another page of this browser claimed the attempt (autosave.js): ask the server now, which confirms
  // it (the page stops) and counts the take-over for the proctoring board
  document.addEventListener("callexam:superseded", function () { if (!finished) poll(); });

  apply(config.initial);
  timer = setTimeout(poll, Math.max(1, config.pollSeconds) * 1000);
})();
