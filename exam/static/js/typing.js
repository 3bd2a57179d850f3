// The typing test page. What counts is text the input method has committed, never the pinyin still
// being composed: the committed text is taken when a composition ends (Chromium's committing `input`
// event still says isComposing, so `input` alone cannot tell) or on a plain input outside any
// composition. That text is autosaved (and kept in localStorage) until the server acknowledges it.
// Pastes and drops are blocked and reported; so are key-less bursts of text and leaving the page.
// The numbers this page counts are evidence for the examiner; the score is the server's.
// While the candidate types the text is saved at least every SAVE_EVERY_MS (not only on pauses): the
// server draws the text's growth over its own clock from these saves, and doubts a save that grew
// faster than anyone types (typing_test/evidence.py), so the page must not hold text back.
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("typing-state").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var input = document.getElementById("typing-input");
  var passage = document.getElementById("passage");
  var statusEl = document.getElementById("save-status");
  var countEl = document.getElementById("typed-count");
  var warningEl = document.getElementById("typing-warning");
  var submitForm = document.getElementById("typing-submit");
  var submitButton = document.getElementById("finish-typing");
  var autosave = window.CallexamAutosave;   // the one autosave client: storage, request, back-off
  var copy = autosave.pageCopy("typing", state);   // this page's own local copy (see autosave.js)
  var SAVE_AFTER_MS = 800, SAVE_EVERY_MS = state.saveEveryMs || 2000;
  var instance = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);

  var counters = { keydowns: 0, composed_chars: 0, plain_chars: 0, compositions: 0, deleted: 0,
                   restored_chars: 0, bursts: 0, pastes: 0, drops: 0, focus_losses: 0 };
  var lastSaveAt = 0, saveDue = 0;
  var events = [];            // not yet acknowledged
  var eventSeq = 0;
  var committed = state.typed, seq = state.seq, ackedSeq = state.seq;
  var countersDirty = false, composing = false, keySinceInput = false, closed = false;
  var inFlight = null, retryTimer = null, backoff = new autosave.Backoff(), saveTimer = null;

  function chars(text) { return text.replace(/\s+/g, "").length; }

  // A reload keeps whatever this browser typed that the server has not acknowledged yet, and goes on
  // counting under the same page-load id: text restored here arrives with the counters that typed it.
  var local = copy.load("", null, "callexam.typing." + state.attemptId);
  if (local && local.seq > seq) { committed = local.text; seq = local.seq; }
  if (local && local.instance && local.counters) {
    instance = local.instance;
    Object.keys(counters).forEach(function (k) { counters[k] = Math.max(counters[k], local.counters[k] || 0); });
  }
  input.value = committed;

  autosave.unsent(function () {   // named on the take-over notice (autosave.js)
    return seq > ackedSeq ? "录入的文字（本页共 " + chars(committed) + " 字）" : "";
  });

  function persist() {
    copy.store("", { text: committed, seq: seq, instance: instance, counters: counters });
  }

  function showCount() {
    countEl.textContent = "已录入 " + chars(committed) + " 字";
    if (window.CallexamTypingPassage) window.CallexamTypingPassage.mark(committed);
  }

  function showStatus(kind, text) {
    statusEl.classList.remove("saved", "saving", "offline", "closed");
    statusEl.classList.add(kind);
    statusEl.textContent = text;
  }

  function warn(text) {
    warningEl.textContent = text;
    warningEl.hidden = false;
    clearTimeout(warn.timer);
    warn.timer = setTimeout(function () { warningEl.hidden = true; }, 6000);
  }

  function record(kind, detail) {
    eventSeq += 1;
    events.push({ id: Date.now() * 1000 + (eventSeq % 1000), kind: kind, detail: detail || {} });
    countersDirty = true;
    if (!closed) showStatus("saving", "待保存…");
    scheduleSave(0);
  }

  function commit() {
    if (closed) return;
    var value = input.value;
    if (value === committed) return;
    committed = value;
    seq = Math.max(Date.now(), seq + 1);
    persist();
    showCount();
    showStatus("saving", "待保存…");
    if (state.maxChars && chars(committed) > state.maxChars) warn("录入内容已超过允许的长度，超出部分无法保存");
    // soon after a pause, and at least every SAVE_EVERY_MS while typing goes on (never postponed)
    scheduleSave(Math.max(SAVE_AFTER_MS, lastSaveAt + SAVE_EVERY_MS - Date.now()), true);
  }

  // ------------------------------------------------------------ input method and keyboard

  input.addEventListener("keydown", function () {
    counters.keydowns += 1;
    keySinceInput = true;
    countersDirty = true;
  });
  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function (e) {
    composing = false;
    if (closed) return;
    counters.compositions += 1;
    counters.composed_chars += chars(e.data || "");
    keySinceInput = false;
    commit();
  });
  input.addEventListener("beforeinput", function (e) {
    if (e.inputType === "insertFromPaste" || e.inputType === "insertFromDrop") {
      e.preventDefault();
      blocked(e.inputType === "insertFromPaste" ? "paste" : "drop", e.data || "");
    }
  });
  input.addEventListener("paste", function (e) { e.preventDefault(); blocked("paste", ""); });
  input.addEventListener("drop", function (e) { e.preventDefault(); blocked("drop", ""); });
  function blocked(kind, data) {
    // beforeinput and paste both fire for one paste: count it once
    var now = Date.now();
    if (blocked.last && blocked.last.kind === kind && now - blocked.last.at < 50) return;
    blocked.last = { kind: kind, at: now };
    counters[kind === "paste" ? "pastes" : "drops"] += 1;
    record(kind, { chars: chars(data) });
    warn(kind === "paste" ? "本测试不允许粘贴，已记录此次操作" : "本测试不允许拖放文本，已记录此次操作");
  }
  input.addEventListener("input", function (e) {
    if (closed) { input.value = committed; return; }
    if (composing || e.isComposing || e.inputType === "insertCompositionText") return;  // pinyin not yet committed
    if (e.inputType && e.inputType.indexOf("delete") === 0) {
      counters.deleted += 1;
    } else if (e.inputType === "historyUndo" || e.inputType === "historyRedo") {
      // Ctrl+Z / Ctrl+Y put back text typed before: counted, and shown to the examiner beside the growth
      var restored = chars(input.value) - chars(committed);
      if (restored > 0) {
        counters.restored_chars += restored;
        record("undo", { chars: restored });
      }
    } else if (e.data) {
      var n = chars(e.data);
      counters.plain_chars += n;
      if (n > 1 && !keySinceInput) {
        counters.bursts += 1;
        record("burst", { chars: n });
      }
    }
    keySinceInput = false;
    countersDirty = true;
    commit();
  });
  passage.addEventListener("copy", function (e) { e.preventDefault(); });
  passage.addEventListener("cut", function (e) { e.preventDefault(); });

  window.addEventListener("blur", function () {
    if (closed) return;
    counters.focus_losses += 1;
    record("focus_loss", {});
  });
  window.addEventListener("focus", function () { if (!closed) record("focus_back", {}); });

  // ------------------------------------------------------------ saving

  function scheduleSave(delay, keepEarlier) {
    var due = Date.now() + delay;
    if (keepEarlier && saveTimer && saveDue <= due) return;  // a save already due sooner stays
    clearTimeout(saveTimer);
    saveDue = due;
    saveTimer = setTimeout(function () { saveTimer = null; flush(); }, delay);
  }

  function flush() {
    if (inFlight) return inFlight;
    if (seq <= ackedSeq && !countersDirty && !events.length) return Promise.resolve(true);
    var sentEvents = events.slice(), sentSeq = seq;
    var body = { seq: Math.max(seq, 1), text: committed, instance: instance,
                 counters: Object.assign({}, counters), events: sentEvents };
    countersDirty = false;
    lastSaveAt = Date.now();
    persist();
    showStatus("saving", "正在保存…");
    inFlight = autosave.send(state.saveUrl, body).then(function (result) {
      if (result.outcome === "acked") {
        ackedSeq = Math.max(ackedSeq, sentSeq);
        events = events.filter(function (e) { return sentEvents.indexOf(e) < 0; });
        backoff.reset();
        if (seq > ackedSeq || events.length) showStatus("saving", "待保存…");
        else showStatus("saved", "已保存");
        return true;
      }
      if (result.outcome === "closed") { close("测试已结束：" + (result.body.error || "")); return false; }
      if (result.outcome === "takenover") { close("本页已停止保存：本场测试已在其他页面打开"); return false; }
      countersDirty = true;
      showStatus("offline", autosave.waitingText(result, "网络中断，录入已暂存在本机，恢复后自动保存"));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, backoff.next());
      return false;
    }).finally(function () {
      inFlight = null;
      if (!closed && (seq > ackedSeq || events.length)) {
        scheduleSave(Math.max(300, lastSaveAt + SAVE_EVERY_MS - Date.now()), true);
      }
    });
    return inFlight;
  }
  setInterval(function () { if (countersDirty) flush(); }, 10000);

  function close(message) {
    closed = true;
    input.readOnly = true;
    showStatus("closed", message);
  }

  // ------------------------------------------------------------ finishing

  function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms); })]);
  }

  function finish() {
    // At the deadline the pinyin still being composed is not text: drop it before anything commits it.
    if (composing) {
      record("deadline_discard", { chars: chars(input.value) - chars(committed) });
    }
    closed = true;
    input.readOnly = true;
    input.value = committed;
    input.blur();
    input.value = committed;
    // A save already on its way carries older text: wait for it, then send what was typed meanwhile
    // (flush() hands back the save in flight, and a closed page schedules no further save by itself).
    function drain() {
      return flush().then(function (ok) {
        return ok && (seq > ackedSeq || events.length) ? drain() : ok;
      });
    }
    withTimeout(drain(), 3000).then(function () {
      submitForm.submit();
    });
  }

  submitForm.addEventListener("submit", function (e) {
    e.preventDefault();
    if (closed) return;
    if (!submitButton.dataset.confirming) {
      submitButton.dataset.confirming = "1";
      submitButton.textContent = "确认提交（提交后不能再修改）";
      setTimeout(function () {
        delete submitButton.dataset.confirming;
        submitButton.textContent = "完成录入并提交";
      }, 5000);
      return;
    }
    commit();
    finish();
  });

  window.CallexamCountdown(document.getElementById("countdown"), state.deadline, state.serverNow, finish);
  showCount();
  if (seq > ackedSeq) flush();
  input.focus();
})();
