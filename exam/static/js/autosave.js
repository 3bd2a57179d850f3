/* The one autosave client of every timed part (theory, typing, practical): where the browser keeps
   what the server has not acknowledged yet, how a save is sent and its answer read, how long to wait
   before trying again, and forgetting it all on sign-out and after submission.

   - One localStorage namespace: "callexam.autosave.<part>.<attempt>[.<name>]" (``key``). Sign-out
     (every page's 退出 form) and each part's result page remove the candidate's copies, so the next
     person at a shared exam-room PC finds nothing (``forgetAll``, ``forgetAttempt``).
   - One acknowledgement shape: every save API answers ``{acked: [[key, seq], …], serverNow}`` on
     success; ``{error, closed: true}`` (409) when the attempt is over; ``{error, paused|locked|
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

  /* Everything of every part and attempt this browser keeps for the signed-in candidate. */
  function forgetAll() {
    keysWith(PREFIX).forEach(remove);
  }

  /* One attempt's copies (its result page: the server has it all). */
  function forgetAttempt(part, attemptId) {
    var base = key(part, attemptId);
    keysWith(base).forEach(function (k) {
      if (k === base || k.charAt(base.length) === ".") remove(k);
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
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfMeta ? csrfMeta.content : "" },
      body: JSON.stringify(payload),
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        return classify(resp.status, resp.ok, body);
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
      : status === 409 && body.closed ? "closed"
      : status === 423 || status === 403 ? "wait"
      : status === 401 ? "signin"
      : status === 400 ? "invalid"
      : "retry";
    return { outcome: outcome, status: status, body: body, acked: acked };
  }

  /* What the status line says while an answer waits (the server's reason when it gave one). */
  function waitingText(result, fallback) {
    if (result.outcome === "signin") return "登录已失效：请在新标签页重新登录后回到本页，未保存的内容已暂存在本机";
    if (result.body && result.body.error) return result.body.error + "（已暂存在本机，稍后自动重试）";
    return fallback;
  }

  window.CallexamAutosave = {
    key: key, load: load, store: store, remove: remove, forgetAll: forgetAll, forgetAttempt: forgetAttempt,
    Backoff: Backoff, send: send, classify: classify, waitingText: waitingText,
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
