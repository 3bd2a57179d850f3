/* The one autosave client of every timed part (theory, typing, practical): where the browser keeps
   what the server has not acknowledged yet, how a save is sent and its answer read, how long to wait
   before trying again, and forgetting it all on sign-out and after submission.

   - One localStorage namespace: "callexam.autosave.<part>.<attempt>@<page>[.<name>]" (``pageCopy``).
     Sign-out (every page's 退出 form) and each part's result page remove the candidate's copies, so
     the next person at a shared exam-room PC finds nothing (``forgetAll``, ``forgetAttempt``).
   - One local copy per page, never shared by two tabs (exam.access.live_page): each opening of an
     attempt's page gets a token from the server and the token of the page it took the attempt over
     from. The new page claims the attempt in this browser ("….<attempt>.live" = its token), takes
     over that one previous page's copy (what it had not sent: the candidate's latest answers, since
     it was the live page until now) and drops every other copy of the attempt — a copy written by a
     page that had already been taken over is never replayed. A page writes its copy only while the
     claim is its own: a tab that sees another page claim the attempt (the storage event, or the
     claim read before each write) stops at once, writes nothing more and asks the server, which
     counts the take-over for the proctoring board.
   - One acknowledgement shape: every save API answers ``{acked: [[key, seq], …], serverNow}`` on
     success; ``{error, takenOver: true}`` (409) when another tab or device has opened the attempt
     since (``takeOver``: the page stops); ``{error, closed: true}`` (409) when the attempt is over; ``{error, paused|locked|
     fullscreen|refused: true}`` (423/403) when the access rules say "not now" (exam.access.attempts):
     the entry stays pending and is sent again; 401 when the sign-in has lapsed; 400 for an entry the
     server will never take (shown, not retried).
   - One back-off: 1 s, doubling to 15 s, reset by any acknowledgement and by the browser coming online.

   The pages (exam.js, typing.js, practical.js) keep what is theirs: which entries exist, what a save
   carries, and what the page shows. */
(function () {
  "use strict";
  var PREFIX = "callexam.";
  var NAMESPACE = PREFIX + "autosave.";
  var csrfMeta = document.querySelector("meta[name=csrf-token]");

  function key(part, attemptId, name) {
    return NAMESPACE + part + "." + attemptId + (name ? "." + name : "");
  }

  function load(storeKey, fallback) {
    try {
      var raw = localStorage.getItem(storeKey);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;   // unreadable storage: the server's copy stands
    }
  }

  function store(storeKey, value) {
    try { localStorage.setItem(storeKey, JSON.stringify(value)); } catch (e) { /* full: memory only */ }
  }

  function remove(storeKey) {
    try { localStorage.removeItem(storeKey); } catch (e) { /* no storage */ }
  }

  function keysWith(prefix) {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i += 1) {
        var k = localStorage.key(i);
        if (k && k.indexOf(prefix) === 0) out.push(k);
      }
    } catch (e) { /* no storage */ }
    return out;
  }

  /* The local copy of one page of an attempt (state.page, state.previousPage from the server). */
  function PageCopy(part, attemptId, page, previousPage) {
    this.base = key(part, attemptId);
    this.page = page || "";
    this.liveKey = this.base + ".live";
    if (!this.page) return;   // no live page (the attempt closed as the page opened): memory only
    try { localStorage.setItem(this.liveKey, this.page); } catch (e) { /* no storage */ }
    var base = this.base, mine = this.pageKey(""), before = previousPage ? base + "@" + previousPage : null;
    keysWith(base + "@").forEach(function (k) {
      var rest = k.slice(base.length + 1), token = rest.split(".")[0];
      if (before && token === previousPage) {
        // the page this one took over from: its unsent answers are the candidate's latest
        var own = mine + rest.slice(token.length);
        try { if (localStorage.getItem(own) === null) localStorage.setItem(own, localStorage.getItem(k)); } catch (e) { /* full */ }
      }
      if (token !== page) remove(k);
    });
    var self = this;
    window.addEventListener("storage", function (event) {
      if (event.key === self.liveKey && event.newValue && event.newValue !== self.page) superseded();
    });
  }
  PageCopy.prototype.pageKey = function (name) {
    return this.base + "@" + this.page + (name ? "." + name : "");
  };
  /* Whether this page still holds the attempt in this browser (else it stops, once). */
  PageCopy.prototype.holds = function () {
    if (stopped || !this.page) return false;
    var claim = null;
    try { claim = localStorage.getItem(this.liveKey); } catch (e) { return true; }
    if (claim !== null && claim !== this.page) { superseded(); return false; }
    return true;
  };
  /* This page's copy of ``name`` ("" for the main one); a copy from before copies were per page (the
     previous release's "….<attempt>[.<name>]", or an older ``legacyKey``) is read once and moved. */
  PageCopy.prototype.load = function (name, fallback, legacyKey) {
    if (!this.page) return fallback;
    var value = load(this.pageKey(name), null);
    if (value !== null) return value;
    var older = [name ? this.base + "." + name : this.base].concat(legacyKey ? [legacyKey] : []);
    for (var i = 0; i < older.length; i += 1) {
      value = load(older[i], null);
      remove(older[i]);
      if (value !== null) { this.store(name, value); return value; }
    }
    return fallback;
  };
  PageCopy.prototype.store = function (name, value) {
    if (this.holds()) store(this.pageKey(name), value);
  };

  function pageCopy(part, state) {
    return new PageCopy(part, state.attemptId, state.page, state.previousPage);
  }

  /* Another page of this browser claimed the attempt: stop now, then let the status poll
     (proctor-watch.js) ask the server, which confirms it and counts the take-over. */
  function superseded() {
    takeOver();
    document.dispatchEvent(new CustomEvent("callexam:superseded"));
  }

  /* Everything of every part and attempt this browser keeps for the signed-in candidate. */
  function forgetAll() {
    keysWith(PREFIX).forEach(remove);
  }

  /* One attempt's copies (its result page: the server has it all). */
  function forgetAttempt(part, attemptId) {
    var base = key(part, attemptId);
    keysWith(base).forEach(function (k) {
      if (k === base || k.charAt(base.length) === "." || k.charAt(base.length) === "@") remove(k);
    });
  }

  function Backoff() { this.delay = 1000; }
  Backoff.prototype.next = function () {
    var now = this.delay;
    this.delay = Math.min(this.delay * 2, 15000);
    return now;
  };
  Backoff.prototype.reset = function () { this.delay = 1000; };

  /* POST a save; resolves to {outcome, status, body, acked} where outcome is one of
     "acked", "closed", "wait" (the access rules: try later), "signin", "invalid", "retry". */
  function send(url, payload) {
    if (stopped) return Promise.resolve({ outcome: "takenover", status: 409, body: {}, acked: {} });
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(payload),
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        var result = classify(resp.status, resp.ok, body);
        if (result.outcome === "takenover") takeOver(body.error);
        return result;
      });
    }, function () {
      return { outcome: "retry", status: 0, body: {}, acked: {} };
    });
  }

  function classify(status, ok, body) {
    var acked = {};
    if (ok && Array.isArray(body.acked)) {
      body.acked.forEach(function (pair) { acked[String(pair[0])] = pair[1]; });
    }
    var outcome = ok ? "acked"
      : status === 409 && body.takenOver ? "takenover"
      : status === 409 && body.closed ? "closed"
      : status === 423 || status === 403 ? "wait"
      : status === 401 ? "signin"
      : status === 400 ? "invalid"
      : "retry";
    return { outcome: outcome, status: status, body: body, acked: acked };
  }

  /* One attempt, one live page (exam.access.live_page): once another tab or device has opened the
     attempt, this page sends nothing more (the server would refuse it anyway), is covered and made
     inert, and says so; "改用本页" reopens it, which takes the attempt back. Called on a save's 409
     takenOver and by the status poll (proctor-watch.js). */
  var stopped = false;
  /* What this page holds that the server has not acknowledged, in words ("第 3、5 题"), registered by
     the page's adapter: the take-over notice names it, since the covered page cannot be read and a
     page another device took over never hands its copy on. */
  var describeUnsent = function () { return ""; };
  function unsent(describe) { describeUnsent = describe; }
  function takeOver(message) {
    if (stopped) return;
    stopped = true;
    var box = document.createElement("div");
    box.id = "takeover-overlay";
    box.className = "proctor-overlay";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "takeover-title");
    box.setAttribute("aria-describedby", "takeover-text");
    box.innerHTML = '<div class="proctor-box"><h2 id="takeover-title">本页已停止保存</h2><p id="takeover-text"></p>' +
      '<button type="button" class="primary" id="takeover-reclaim">改用本页继续作答</button></div>';
    box.querySelector("#takeover-text").textContent = message ||
      "本场考试已在另一个标签页或设备上打开，本页已停止保存。请在最新打开的页面继续作答。";
    var left = "";
    try { left = describeUnsent(); } catch (e) { left = ""; }
    if (left) {
      var note = document.createElement("p");
      note.id = "takeover-unsent";
      note.textContent = "本页尚有未保存到服务器的作答：" + left + "。请在最新打开的页面中核对，如没有，请在那里重新填写。";
      box.querySelector(".proctor-box").insertBefore(note, box.querySelector("#takeover-reclaim"));
      box.setAttribute("aria-describedby", "takeover-text takeover-unsent");
    }
    box.querySelector("#takeover-reclaim").addEventListener("click", function () { window.location.reload(); });
    document.body.appendChild(box);
    var main = document.querySelector("main");
    if (main) main.inert = true;
    box.querySelector("#takeover-reclaim").focus();
  }

  /* What the status line says while an answer waits (the server's reason when it gave one). */
  function waitingText(result, fallback) {
    if (result.outcome === "signin") return "登录已失效：请在新标签页重新登录后回到本页，未保存的内容已暂存在本机";
    if (result.body && result.body.error) return result.body.error + "（已暂存在本机，稍后自动重试）";
    return fallback;
  }

  window.CallexamAutosave = {
    key: key, load: load, store: store, remove: remove, forgetAll: forgetAll, forgetAttempt: forgetAttempt,
    pageCopy: pageCopy, unsent: unsent,
    Backoff: Backoff, send: send, classify: classify, waitingText: waitingText, takeOver: takeOver,
    isStopped: function () { return stopped; },
  };

  /* Sign-out on any page forgets every part's local copy before the request leaves. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("[data-sign-out]")) forgetAll();
  }, true);

  /* A result page names its attempt: the server holds everything, the local copy has done its job. */
  var done = document.querySelector("[data-forget-attempt]");
  if (done) forgetAttempt(done.dataset.forgetPart || "theory", done.dataset.forgetAttempt);
})();
