// The practical assessment page. Each task's inputs carry data-field="path" (dotted, "[]" for a list
// of checked values); a change saves that task's whole answer with a sequence number, keeps it in
// localStorage, and retries until the server acknowledges it — as the theory page does per answer.
// The simulated call is a conversation, append-only: each reply is sent once against the caller line
// it answers, and the server answers with the caller's next line (see "the simulated call" below).
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("practical-state").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var statusEl = document.getElementById("save-status");
  var autosave = window.CallexamAutosave;   // the one autosave client: storage, request, back-off
  var copy = autosave.pageCopy("practical", state);   // this page's own local copy (see autosave.js)
  var tasks = Array.prototype.slice.call(document.querySelectorAll(".task"));
  var answers = {}, seqs = {}, acked = {}, timers = {}, inFlight = {};
  var closed = false, backoffs = {};

  function backoff(position) { return backoffs[position] = backoffs[position] || new autosave.Backoff(); }
  function loadLocal() { return copy.load("", null, "callexam.practical." + state.attemptId) || {}; }
  function persist() {
    var out = {};
    Object.keys(answers).forEach(function (p) { out[p] = { answer: answers[p], seq: seqs[p] }; });
    copy.store("", out);
  }

  Object.keys(state.saved).forEach(function (p) {
    answers[p] = state.saved[p].answer || {}; seqs[p] = acked[p] = state.saved[p].seq || 0;
  });
  var local = loadLocal();
  Object.keys(local).forEach(function (p) {
    if (local[p].seq > (seqs[p] || 0)) { answers[p] = local[p].answer; seqs[p] = local[p].seq; }
  });

  // ---------------------------------------------------------------- fields <-> answer

  function setPath(obj, path, value) {
    var parts = path.split("."), last = parts.pop();
    parts.forEach(function (key) { obj = obj[key] = obj[key] || {}; });
    obj[last] = value;
  }
  function getPath(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }

  function collect(task) {
    var answer = JSON.parse(JSON.stringify(answers[task.dataset.position] || {}));
    var lists = {};
    task.querySelectorAll("[data-field]").forEach(function (el) {
      var path = el.dataset.field;
      if (path.slice(-2) === "[]") {
        path = path.slice(0, -2);
        lists[path] = lists[path] || [];
        if (el.checked) lists[path].push(el.value);
      } else if (el.type === "radio") {
        if (el.checked) setPath(answer, path, el.value);
      } else {
        setPath(answer, path, el.value);
      }
    });
    Object.keys(lists).forEach(function (path) { setPath(answer, path, lists[path]); });
    return answer;
  }

  function paint(task) {
    var answer = answers[task.dataset.position] || {};
    task.querySelectorAll("[data-field]").forEach(function (el) {
      var path = el.dataset.field, value;
      if (path.slice(-2) === "[]") {
        value = getPath(answer, path.slice(0, -2)) || [];
        el.checked = value.indexOf(el.value) >= 0;
      } else if (el.type === "radio") {
        el.checked = String(getPath(answer, path)) === el.value;
      } else if (document.activeElement !== el) {
        value = getPath(answer, path);
        el.value = value == null ? "" : value;
      }
    });
  }

  // ---------------------------------------------------------------- saving

  function pending() {
    return Object.keys(seqs).filter(function (p) { return seqs[p] > (acked[p] || 0) || callPending[p]; });
  }

  autosave.unsent(function () {   // named on the take-over notice (autosave.js)
    var names = pending().map(function (p) {
      var nav = document.querySelector('.tasknav[data-goto="' + p + '"]');
      return nav ? nav.textContent.trim() : "任务 " + (Number(p) + 1);
    });
    return names.join("、");
  });

  function showStatus() {
    var n = pending().length;
    statusEl.classList.remove("saved", "saving", "offline", "closed");
    if (closed) { statusEl.classList.add("closed"); statusEl.textContent = "考核已结束"; return; }
    statusEl.classList.add(n ? "saving" : "saved");
    statusEl.textContent = n ? "正在保存 " + n + " 个任务…" : "全部作答已保存";
  }

  function change(position, answer, delay) {
    answers[position] = answer;
    seqs[position] = Math.max(Date.now(), (seqs[position] || 0) + 1);
    persist();
    showStatus();
    clearTimeout(timers[position]);
    timers[position] = setTimeout(function () { send(position); }, delay);
  }

  function send(position) {
    if (closed) return Promise.resolve(null);
    if (inFlight[position]) return inFlight[position];
    var seq = seqs[position], progressed = false;
    inFlight[position] = autosave.send(state.saveUrl + position + (state.saveQuery || ""), { seq: seq, answer: answers[position] })
      .then(function (result) {
        var data = result.body;
        if (result.outcome === "acked") {
          acked[position] = Math.max(acked[position] || 0, result.acked[position] || data.stored || 0);
          backoff(position).reset();
          progressed = true;
          return data;
        }
        if (result.outcome === "closed" || result.outcome === "takenover") { closed = true; return null; }
        if (result.status === 409 && data.conflict) {
          // the server holds other content under this number (never this page's doing): what this page
          // shows goes again as the newer answer
          seqs[position] = Math.max(Date.now(), seq + 1);
          persist();
          setTimeout(function () { send(position); }, 300);
          return null;
        }
        if (result.outcome === "invalid") { showError(position, data.error); acked[position] = seq; return null; }
        statusEl.classList.add("offline");
        statusEl.textContent = autosave.waitingText(result, "网络中断，作答已暂存在本机，恢复后自动保存");
        setTimeout(function () { send(position); }, backoff(position).next());
        return null;
      }).finally(function () {
        inFlight[position] = null;
        if (!(statusEl.classList.contains("offline") && !progressed)) showStatus();
        // a change made while this save was on its way goes out at once; a failed one waits its back-off
        if (progressed && seqs[position] > (acked[position] || 0)) setTimeout(function () { send(position); }, 300);
      });
    return inFlight[position];
  }

  function showError(position, message) {
    var box = document.querySelector("#task" + position + " .task-error");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function flushAll() {
    tasks.forEach(function (task) { if (callPending[task.dataset.position]) sendReply(task); });
    return Promise.all(pending().map(function (p) {
      if (callPending[p]) return inFlight[p];
      clearTimeout(timers[p]);
      return send(p);
    }));
  }

  // ---------------------------------------------------------------- the simulated call
  // A call is append-only: each reply is sent once as {turn, reply} — the caller line it answers — and
  // never rewritten. A reply waiting for the server stays on screen as 发送中 (kept in localStorage
  // across a reload) and is retried until the server answers with the caller's next line; a retry of a
  // reply the server already has is recorded once, against the same line.

  var callViews = {}, callPending = {};
  callPending = copy.load("calls", null, "callexam.practical." + state.attemptId + ".calls") || {};
  function keepPending() { copy.store("calls", callPending); }
  // The last reply the server acknowledged, per task: a reload racing a retry can be served a page
  // rendered just before that reply was stored, after the old page's answer had already cleared 发送中.
  var callAcked = copy.load("callsAcked", {}) || {};
  function agentCount(view) {
    return (view.transcript || []).filter(function (line) { return line.who === "agent"; }).length;
  }

  function callLine(who, name, text, sending) {
    var p = document.createElement("p");
    p.className = "call-line " + who + (sending ? " sending" : "");
    var label = document.createElement("strong");
    label.textContent = name + "：";
    p.appendChild(label);
    p.appendChild(document.createTextNode(text));
    if (sending) {
      var note = document.createElement("span");
      note.className = "call-sending";
      note.textContent = "（发送中…）";
      p.appendChild(note);
    }
    return p;
  }

  function renderCall(task, view) {
    var position = task.dataset.position, log = task.querySelector(".call-log");
    callViews[position] = view;
    log.textContent = "";
    (view.transcript || []).forEach(function (line) {
      log.appendChild(callLine(line.who, line.who === "caller" ? (view.caller || "来电者") : "我", line.text, false));
    });
    var waiting = callPending[position];
    if (waiting && waiting.turn < agentCount(view)) { delete callPending[position]; keepPending(); waiting = null; }
    if (waiting) log.appendChild(callLine("agent", "我", waiting.text, true));
    log.scrollTop = log.scrollHeight;
    var finished = !!view.finished || !view.awaiting_reply;
    task.querySelector(".call-input").disabled = finished || !!waiting || closed;
    task.querySelector(".call-send").disabled = finished || !!waiting || closed;
    task.querySelector(".call-done").hidden = !view.finished;
    task.querySelector(".call-reply").hidden = finished;
  }

  function sendReply(task) {
    var position = task.dataset.position, waiting = callPending[position];
    if (!waiting || closed || inFlight[position]) return;
    seqs[position] = Math.max(Date.now(), (seqs[position] || 0) + 1);
    var body = { seq: seqs[position], answer: { turn: waiting.turn, reply: waiting.text } };
    inFlight[position] = autosave.send(state.saveUrl + position + (state.saveQuery || ""), body).then(function (result) {
      var data = result.body;
      if (result.outcome === "acked") {
        acked[position] = seqs[position] = Math.max(acked[position] || 0, result.acked[position] || data.stored || 0);
        callAcked[position] = { turn: waiting.turn, text: waiting.text };
        copy.store("callsAcked", callAcked);
        delete callPending[position];
        keepPending();
        backoff(position).reset();
        renderCall(task, data.after);
        task.querySelector(".task-error").hidden = true;
        var input = task.querySelector(".call-input");
        if (!input.disabled) input.focus();
        return;
      }
      if (result.outcome === "takenover") { closed = true; return; }  // the reply stays 发送中 on this page
      if (result.outcome === "closed") { closed = true; renderCall(task, callViews[position]); return; }
      if (result.outcome === "invalid" || result.status === 409) {
        // refused (too long, already answered …): nothing was stored; the text goes back to the box
        delete callPending[position];
        keepPending();
        acked[position] = seqs[position];
        showError(position, data.error);
        renderCall(task, callViews[position]);
        task.querySelector(".call-input").value = waiting.text;
        return;
      }
      statusEl.classList.add("offline");
      statusEl.textContent = autosave.waitingText(result, "网络中断，回复正在发送中，恢复后自动送达");
      setTimeout(function () { sendReply(task); }, backoff(position).next());
    }).finally(function () {
      inFlight[position] = null;
      showStatus();
    });
  }

  function setupCall(task) {
    var position = task.dataset.position, input = task.querySelector(".call-input");
    seqs[position] = acked[position] = (state.saved[position] || {}).seq || 0;
    task.querySelector(".call-send").addEventListener("click", function () {
      var text = input.value.trim();
      if (!text || callPending[position]) return;
      callPending[position] = { turn: agentCount(callViews[position]), text: text };
      keepPending();
      input.value = "";
      renderCall(task, callViews[position]);
      sendReply(task);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) task.querySelector(".call-send").click();
    });
    callViews[position] = state.views[position];
    var last = callAcked[position];
    if (!callPending[position] && last && agentCount(callViews[position]) <= last.turn) {
      // this page is older than a reply the server acknowledged: send it again (a retry of an
      // acknowledged reply is recorded once) and show the conversation the server answers with
      callPending[position] = last;
      keepPending();
    }
    renderCall(task, callViews[position]);
    if (callPending[position]) sendReply(task);
  }

  // ---------------------------------------------------------------- wiring

  tasks.forEach(function (task) {
    var position = task.dataset.position;
    if (task.querySelector(".call-log")) {
      setupCall(task);
      return;
    }
    paint(task);
    task.addEventListener("input", function (e) {
      if (e.target.dataset && e.target.dataset.field) change(position, collect(task), 800);
    });
    task.addEventListener("change", function (e) {
      if (e.target.dataset && e.target.dataset.field) change(position, collect(task), 0);
    });
    if (seqs[position] > (acked[position] || 0)) send(position);
  });

  document.querySelectorAll(".tasknav").forEach(function (button) {
    button.addEventListener("click", function () {
      tasks.forEach(function (t) { t.hidden = t.dataset.position !== button.dataset.goto; });
      document.querySelectorAll(".tasknav").forEach(function (b) { b.classList.toggle("current", b === button); });
    });
  });
  var first = document.querySelector(".tasknav");
  if (first) first.classList.add("current");

  var form = document.getElementById("practical-submit"), finishButton = document.getElementById("finish-practical");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!finishButton.dataset.confirming) {
      finishButton.dataset.confirming = "1";
      finishButton.textContent = "确认交卷（交卷后不能再修改）";
      setTimeout(function () { delete finishButton.dataset.confirming; finishButton.textContent = "交卷"; }, 5000);
      return;
    }
    Promise.race([flushAll(), new Promise(function (r) { setTimeout(r, 3000); })]).then(function () { form.submit(); });
  });

  window.CallexamCountdown(document.getElementById("countdown"), state.deadline, state.serverNow, function () {
    Promise.race([flushAll(), new Promise(function (r) { setTimeout(r, 3000); })]).then(function () { form.submit(); });
  });
  window.addEventListener("online", flushAll);
  showStatus();
})();
