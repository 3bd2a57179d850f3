/* The attempt page's access-rule guards (exam.access; settings in #access-guard-config):

   - fullscreen required: the paper is covered until the page is fullscreen; each exit is reported to
     the proctoring signals API (a missing API is ignored) and covers the paper again.
   - idle timeout: after the set minutes without keyboard, mouse or touch the page locks; the lock is
     recorded by the server (a reload stays locked) and lifted only by the server checking the
     password (or the room's access code) the candidate types.

   While covered the page is inert (no typing or tabbing into the paper behind) and the countdown goes
   on. The server takes no save while the page is locked or has left fullscreen (exam.access.attempts,
   so a script cannot do what the page does not allow); what was typed stays in the browser and goes
   out once the page is uncovered: nothing typed is lost. */
(function () {
  "use strict";
  var source = document.getElementById("access-guard-config");
  var overlay = document.getElementById("access-overlay");
  if (!source || !overlay) return;
  var cfg = JSON.parse(source.textContent);
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var main = document.querySelector("main");
  var fsPanel = document.getElementById("access-panel-fullscreen");
  var idlePanel = document.getElementById("access-panel-idle");
  var state = { fullscreen: false, idle: !!cfg.locked };

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function render() {
    var covered = state.idle || state.fullscreen;
    if (idlePanel) idlePanel.hidden = !state.idle;
    if (fsPanel) fsPanel.hidden = state.idle || !state.fullscreen;  // unlock first, then fullscreen
    overlay.hidden = !covered;
    document.body.classList.toggle("access-covered", covered);
    if (main) main.inert = covered;
    if (covered) {
      var target = state.idle ? document.getElementById("access-secret") : document.getElementById("access-fullscreen");
      if (target && document.activeElement !== target) target.focus();
    }
  }

  function report(kind, tries) {
    post(cfg.signalsUrl, { part: cfg.part, kind: kind, detail: {} }).then(function (resp) {
      if (!resp.ok && resp.status >= 500 && tries > 1) setTimeout(function () { report(kind, tries - 1); }, 2000);
    }).catch(function () {
      if (tries > 1) setTimeout(function () { report(kind, tries - 1); }, 2000);
    });
  }

  /* ---- fullscreen ---- */
  if (cfg.fullscreen) {
    var button = document.getElementById("access-fullscreen");
    var message = document.getElementById("access-fullscreen-error");
    var entered = false;  // the first entry is not an exit: only leaving after it is reported
    state.fullscreen = !document.fullscreenElement;
    if (button) {
      button.textContent = "进入全屏开始作答";
      button.addEventListener("click", function () {
        if (message) message.hidden = true;
        var request = document.documentElement.requestFullscreen ? document.documentElement.requestFullscreen() : null;
        if (!request) {
          if (message) { message.textContent = "当前浏览器不支持全屏，请举手联系监考老师"; message.hidden = false; }
          return;
        }
        request.catch(function () {
          if (message) { message.textContent = "浏览器拒绝了全屏请求，请再点一次按钮，或举手联系监考老师"; message.hidden = false; }
        });
      });
    }
    document.addEventListener("fullscreenchange", function () {
      if (document.fullscreenElement) {
        // saves are refused while the server last heard "left fullscreen" (perhaps before a reload):
        // every entry says the page is uncovered again
        if (cfg.signalsUrl) report("fullscreen_return", 3);
        entered = true;
        state.fullscreen = false;
      } else {
        state.fullscreen = true;
        if (button) button.textContent = "返回全屏";
        if (entered && cfg.signalsUrl) {
          report("fullscreen_exit", 1);
        }
      }
      render();
    });
  }

  /* ---- idle timeout ---- */
  if (cfg.idleMinutes) {
    var limit = cfg.idleMinutes * 60 * 1000;
    var last = Date.now();
    var form = document.getElementById("access-unlock");
    var secret = document.getElementById("access-secret");
    var error = document.getElementById("access-unlock-error");
    ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "input", "scroll"].forEach(function (name) {
      window.addEventListener(name, function () { if (!state.idle) last = Date.now(); },
                              { capture: true, passive: true });
    });
    var lock = function () {
      state.idle = true;
      render();
      post(cfg.lockUrl, { part: cfg.part, idleSeconds: Math.round((Date.now() - last) / 1000) }).catch(function () {});
    };
    setInterval(function () {
      if (!state.idle && Date.now() - last >= limit) lock();
    }, 1000);
    var showError = function (text) {
      if (!error) return;
      error.textContent = text;
      error.hidden = false;
    };
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (error) error.hidden = true;
        post(cfg.unlockUrl, { part: cfg.part, secret: secret ? secret.value : "" }).then(function (resp) {
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
        }).then(function (answer) {
          if (answer.ok && answer.body.unlocked) {
            if (secret) secret.value = "";
            state.idle = false;
            last = Date.now();
            render();
          } else {
            showError(answer.body.error || "解锁失败，请重试或举手联系监考老师");
          }
        }).catch(function () {
          showError("网络异常，解锁请求未送达服务器，请稍后重试或举手联系监考老师");
        });
      });
    }
  }

  render();
})();
