// The theory page's adapter of the one autosave client (autosave.js): every change is saved at once and
// also kept in the browser. Whatever the server has not acknowledged (or has an older version of, after
// a reload or a server restart) is sent again until it is, so a refresh, a browser crash or a lost
// network loses nothing. Entries are answers by position; one request carries every pending one.
(function () {
  "use strict";
  var autosave = window.CallexamAutosave;
  var state = JSON.parse(document.getElementById("exam-state").textContent);
  var copy = autosave.pageCopy("theory", state);   // this page's own local copy (see autosave.js)
  var answers = {};   // position -> {value, flagged, seq}: what the candidate has chosen
  var pending = {};   // position -> {position, value, flagged, seq}: not yet acknowledged
  var inFlight = false, retryTimer = null, backoff = new autosave.Backoff(), closed = false;
  var statusEl = document.getElementById("save-status");
  var questions = Array.prototype.slice.call(document.querySelectorAll(".question"));
  var current = 0;

  function loadLocal() { return copy.load("", null, "callexam.answers." + state.attemptId) || {}; }
  function persist() { copy.store("", answers); }

  // Server state first, then anything this page's local copy (or the copy of the page it took over
  // from) holds in a newer version: that goes out again.
  Object.keys(state.saved).forEach(function (p) { answers[p] = state.saved[p]; });
  var local = loadLocal();
  Object.keys(local).forEach(function (p) {
    var item = local[p];
    if (!answers[p] || item.seq > answers[p].seq) {
      answers[p] = { value: item.value, flagged: item.flagged, seq: item.seq };
      pending[p] = { position: Number(p), value: item.value, flagged: item.flagged, seq: item.seq };
    }
  });
  persist();

  function questionEl(position) { return document.getElementById("q" + position); }

  function readValue(el) {
    var text = el.querySelector(".text-answer");
    if (text) return text.value.trim() ? text.value : "";
    var boxes = el.querySelectorAll(".options input");
    var picked = [];
    boxes.forEach(function (b) { if (b.checked) picked.push(b.value); });
    return picked.join(",");
  }

  function paint(position) {
    var el = questionEl(position), a = answers[position] || { value: "", flagged: false };
    var text = el.querySelector(".text-answer");
    if (text && text.value !== a.value && document.activeElement !== text) text.value = a.value;
    var values = a.value ? a.value.split(",") : [];
    el.querySelectorAll(".options input").forEach(function (b) { b.checked = values.indexOf(b.value) >= 0; });
    el.querySelector(".flag-box").checked = !!a.flagged;
    var nav = document.querySelector('.qnav[data-goto="' + position + '"]');
    nav.classList.toggle("answered", !!a.value);
    nav.classList.toggle("flagged", !!a.flagged);
  }

  function change(position) {
    var el = questionEl(position);
    var previous = answers[position] || { seq: 0 };
    var entry = {
      position: Number(position), value: readValue(el),
      flagged: el.querySelector(".flag-box").checked,
      seq: Math.max(Date.now(), (previous.seq || 0) + 1),
    };
    answers[position] = { value: entry.value, flagged: entry.flagged, seq: entry.seq };
    pending[position] = entry;
    persist();
    paint(position);
    flush();
  }

  function pendingCount() { return Object.keys(pending).length; }
  autosave.unsent(function () {   // named on the take-over notice (autosave.js)
    var numbers = Object.keys(pending).map(function (p) {
      var nav = document.querySelector('.qnav[data-goto="' + p + '"]');
      return nav ? nav.textContent.trim() : String(Number(p) + 1);
    });
    return numbers.length ? "第 " + numbers.join("、") + " 题" : "";
  });

  function showStatus() {
    var n = pendingCount();
    statusEl.classList.remove("saved", "saving", "offline", "closed");
    if (closed) {
      statusEl.classList.add("closed");
      statusEl.textContent = "考试已结束，" + (n ? n + " 题答案未能保存" : "答案已全部保存");
    } else if (!n) {
      statusEl.classList.add("saved");
      statusEl.textContent = "全部答案已保存";
    } else if (inFlight) {
      statusEl.classList.add("saving");
      statusEl.textContent = "正在保存…";
    } else {
      statusEl.classList.add("offline");
      statusEl.textContent = "有 " + n + " 题答案尚未保存到服务器（已暂存在本机），网络恢复后自动重试";
    }
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, backoff.next());
  }

  function flush() {
    if (inFlight || closed || !pendingCount()) {
      showStatus();
      return inFlight || Promise.resolve();   // whoever waits, waits for the save already on its way
    }
    var batch = Object.keys(pending).map(function (p) { return pending[p]; });
    inFlight = autosave.send(state.saveUrl, { saves: batch }).then(function (result) {
      inFlight = false;
      if (result.outcome === "acked") {
        var progressed = false;
        Object.keys(result.acked).forEach(function (p) {
          if (pending[p] && pending[p].seq <= result.acked[p]) { delete pending[p]; progressed = true; }
        });
        backoff.reset();
        showStatus();
        // changes made while this batch was in flight go out at once; a reply that settled nothing waits
        if (pendingCount()) return progressed ? flush() : scheduleRetry();
      } else if (result.outcome === "takenover") {
        showStatus();   // autosave.js covers the page: another tab or device is the live page now
        statusEl.textContent = "本页已停止保存：本场考试已在其他页面打开";
      } else if (result.outcome === "closed") {
        closed = true;
        showStatus();
        window.location.href = state.resultUrl;
      } else {
        showStatus();
        if (result.outcome !== "retry") statusEl.textContent = autosave.waitingText(result, statusEl.textContent);
        scheduleRetry();
      }
    });
    showStatus();   // "saving", never a flash of "not saved" that would move the page under the pointer
    return inFlight;
  }

  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (q, i) { q.hidden = i !== current; });
    document.querySelectorAll(".qnav").forEach(function (b, i) {
      b.classList.toggle("current", i === current);
      if (i === current) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    var first = questions[current].querySelector("input, textarea");
    if (first && document.activeElement && document.activeElement.classList.contains("qnav") === false) first.focus();
  }

  questions.forEach(function (el) {
    var position = el.dataset.position;
    el.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("change", function () { change(position); });
    });
    // Typed answers save while the candidate types (after a short pause, not on every key), and at
    // once when the field loses focus; an IME's uncommitted pinyin is not an answer yet.
    el.querySelectorAll(".text-answer").forEach(function (text) {
      var timer = null;
      text.addEventListener("input", function (event) {
        if (event.isComposing) return;
        clearTimeout(timer);
        timer = setTimeout(function () { change(position); }, 600);
      });
      text.addEventListener("compositionend", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { change(position); }, 600);
      });
      text.addEventListener("blur", function () {
        clearTimeout(timer);
        if (readValue(el) !== ((answers[position] || {}).value || "")) change(position);
      });
    });
    el.querySelectorAll("[data-step]").forEach(function (b) {
      b.addEventListener("click", function () { show(current + Number(b.dataset.step)); });
    });
    paint(position);
  });
  document.querySelectorAll(".qnav[data-goto]").forEach(function (b, i) {
    b.addEventListener("click", function () { show(i); });
  });
  var hashMatch = /^#q(\d+)$/.exec(window.location.hash);
  show(hashMatch ? questions.findIndex(function (q) { return q.dataset.position === hashMatch[1]; }) : 0);

  document.getElementById("finish").addEventListener("click", function () {
    flush().then(function () {
      if (pendingCount()) {
        alert("还有 " + pendingCount() + " 题答案尚未保存到服务器，请检查网络连接，保存完成后再交卷。");
      } else {
        window.location.href = state.reviewUrl;
      }
    });
  });

  window.addEventListener("online", function () { backoff.reset(); flush(); });
  window.addEventListener("beforeunload", function (e) {
    if (pendingCount() && !closed) { e.preventDefault(); e.returnValue = ""; }
  });

  window.CallexamCountdown(document.getElementById("countdown"), state.deadline, state.serverNow, function () {
    flush().then(function () { document.getElementById("auto-submit").submit(); });
  });
  setInterval(function () { if (pendingCount() && !inFlight) flush(); }, 5000);
  flush();
})();
