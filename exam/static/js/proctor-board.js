// The examiner's live board (exam/proctoring): polls the session's snapshot every few seconds, draws
// one row per candidate, ticks the time left between polls, and sends the audited actions (each with a
// reason) as JSON POSTs carrying the CSRF token. Everything a candidate or examiner typed is put into
// the page with textContent, never as HTML.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("proctor-board-config").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var rowsEl = document.getElementById("board-rows");
  var updatedEl = document.getElementById("board-updated");
  var messageEl = document.getElementById("board-message");
  var dialog = document.getElementById("action-dialog");
  var actionForm = document.getElementById("action-form");
  var attemptSelect = document.getElementById("action-attempt");
  var kindSelect = document.getElementById("action-kind");
  var minutesField = document.getElementById("action-minutes-field");
  var actionError = document.getElementById("action-error");
  var incidentCandidate = document.getElementById("incident-candidate");

  var ACTION_NAMES = {
    extra_time: "延长时间", pause: "暂停", resume: "恢复", force_submit: "强制交卷", void: "作废",
    lift_signin: "解除登录限制"
  };
  var snapshot = null, fetchedAt = 0, polling = null, inFlight = false, current = null;

  function pad(n) { return String(n).padStart(2, "0"); }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function actionsFor(part) {
    if (part.status === "open") {
      return part.paused ? ["resume", "extra_time", "force_submit", "void"]
                         : ["extra_time", "pause", "force_submit", "void"];
    }
    return part.status === "submitted" ? ["void"] : [];
  }

  function remaining(part) {
    if (part.remainingMs === null || part.remainingMs === undefined) return null;
    return part.paused ? part.remainingMs : part.remainingMs - (Date.now() - fetchedAt);
  }

  // ------------------------------------------------------------ drawing

  function partCell(row) {
    var td = el("td", "parts");
    if (!row.parts.length) { td.textContent = "—"; return td; }
    row.parts.forEach(function (part) {
      var line = el("div", "part part-" + part.status + (part.paused ? " paused" : ""));
      line.dataset.part = part.part;
      line.appendChild(el("strong", null, part.label));
      line.appendChild(document.createTextNode(" " + part.statusLabel + " · " + part.progress));
      var left = remaining(part);
      if (left !== null) {
        var time = el("span", "left", " · 剩余 " + clock(left));
        time.dataset.left = "1";
        line.appendChild(time);
      }
      if (part.extraMinutes) line.appendChild(el("span", "extra", " · 已延长 " + part.extraMinutes + " 分"));
      if (part.lastSave) line.appendChild(el("span", "hint-inline", " · 保存于 " + part.lastSave));
      td.appendChild(line);
    });
    return td;
  }

  function signalCell(row) {
    var td = el("td", "signals");
    var names = snapshot.signalNames;
    var any = false;
    Object.keys(names).forEach(function (kind) {
      var n = row.signals[kind] || 0;
      if (!n) return;
      any = true;
      var badge = el("span", "signal", names[kind] + " " + n);
      badge.dataset.kind = kind;
      td.appendChild(badge);
    });
    row.flags.forEach(function (flag) { any = true; td.appendChild(el("span", "signal flag", flag)); });
    if (row.takeOvers) {
      // a page another tab or device had taken over was still open (exam.access.live_page)
      any = true;
      var moved = el("span", "signal flag take-over", "已在另一窗口打开 ×" + row.takeOvers +
                     (row.lastTakeOver ? "，最近 " + row.lastTakeOver : ""));
      moved.title = "考生在另一个标签页或设备上打开了作答页面，旧页面已停止保存";
      td.appendChild(moved);
    }
    if (row.signinWait) {
      any = true;
      var wait = el("span", "signal flag signin-wait", "登录受限 · 约 " + Math.ceil(row.signinWait / 60) + " 分钟");
      wait.title = "多次登录失败（可能有人冒用准考证号），核验身份后可在“操作”中解除";
      td.appendChild(wait);
    }
    if (!any) td.textContent = "—";
    return td;
  }

  function drawRows() {
    rowsEl.textContent = "";
    if (!snapshot.rows.length) {
      var empty = el("tr");
      var cell = el("td", null, "本场尚无报名考生");
      cell.colSpan = 7;
      empty.appendChild(cell);
      rowsEl.appendChild(empty);
      return;
    }
    snapshot.rows.forEach(function (row) {
      var tr = el("tr", "status-" + row.status);
      tr.dataset.candidateId = row.candidateId;
      tr.appendChild(el("td", null, row.seat || "—"));
      tr.appendChild(el("td", null, row.ticket || "—"));
      var who = el("td");
      who.appendChild(el("span", null, row.name));
      who.appendChild(el("span", "hint-inline", " " + row.username));
      tr.appendChild(who);
      var st = el("td");
      st.appendChild(el("span", "state state-" + row.status, row.statusLabel));
      tr.appendChild(st);
      tr.appendChild(partCell(row));
      tr.appendChild(signalCell(row));
      var act = el("td");
      if (row.signinWait || row.parts.some(function (p) { return actionsFor(p).length; })) {
        var button = el("button", "action-open", "操作");
        button.type = "button";
        button.dataset.candidateId = row.candidateId;
        button.setAttribute("aria-label", "对 " + row.name + " 的作答进行操作");
        act.appendChild(button);
      } else {
        act.textContent = "—";
      }
      tr.appendChild(act);
      rowsEl.appendChild(tr);
    });
  }

  function drawSummary() {
    Object.keys(snapshot.summary).forEach(function (code) {
      var node = document.querySelector("[data-count='" + code + "']");
      if (node) node.textContent = snapshot.summary[code];
      var item = document.querySelector("#board-summary li[data-status='" + code + "']");
      if (item && item.firstChild && snapshot.statusNames && snapshot.statusNames[code]) {
        item.firstChild.textContent = snapshot.statusNames[code] + " ";   // 未签到 becomes 缺考 after the close
      }
    });
  }

  function drawIncidents() {
    var list = document.getElementById("incidents");
    list.textContent = "";
    if (!snapshot.incidents.length) { list.appendChild(el("li", "hint", "暂无记录")); return; }
    snapshot.incidents.forEach(function (i) {
      var li = el("li");
      li.appendChild(el("strong", null, i.at + " " + i.kind + "（" + i.candidate + "）"));
      li.appendChild(el("span", null, "：" + i.description));
      if (i.reporter) li.appendChild(el("span", "hint-inline", " — " + i.reporter));
      list.appendChild(li);
    });
  }

  function drawCandidates() {
    var chosen = incidentCandidate.value;
    while (incidentCandidate.options.length > 1) incidentCandidate.remove(1);
    snapshot.rows.forEach(function (row) {
      var option = el("option", null, row.name + (row.ticket ? "（" + row.ticket + "）" : ""));
      option.value = row.candidateId;
      incidentCandidate.appendChild(option);
    });
    incidentCandidate.value = chosen;
  }

  function draw(data) {
    snapshot = data;
    fetchedAt = Date.now();
    drawSummary();
    drawRows();
    drawIncidents();
    drawCandidates();
    updatedEl.textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
    updatedEl.classList.remove("error");
  }

  // Between polls the running clocks tick here, so the board never shows a frozen time for a running part.
  function tick() {
    if (!snapshot) return;
    rowsEl.querySelectorAll("tr[data-candidate-id]").forEach(function (tr) {
      var row = findRow(Number(tr.dataset.candidateId));
      if (!row) return;
      row.parts.forEach(function (part) {
        var span = tr.querySelector(".part[data-part='" + part.part + "'] [data-left]");
        var left = remaining(part);
        if (span && left !== null) span.textContent = " · 剩余 " + clock(left);
      });
    });
  }

  function findRow(candidateId) {
    for (var i = 0; i < snapshot.rows.length; i++) {
      if (snapshot.rows[i].candidateId === candidateId) return snapshot.rows[i];
    }
    return null;
  }

  function poll() {
    if (inFlight) return Promise.resolve();
    inFlight = true;
    return fetch(config.boardUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) {
        if ((resp.headers.get("Content-Type") || "").indexOf("application/json") < 0) {
          throw new Error("服务器没有返回监考数据，登录可能已失效，请刷新页面");
        }
        return resp.json().then(function (body) {
          if (!resp.ok) throw new Error(body.error || ("HTTP " + resp.status));
          draw(body);
        });
      })
      .catch(function (err) {
        updatedEl.textContent = "刷新失败（" + err.message + "），稍后自动重试";
        updatedEl.classList.add("error");
      })
      .then(function () { inFlight = false; });
  }

  // ------------------------------------------------------------ actions

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return { error: "服务器返回了无法识别的响应（HTTP " + resp.status + "）" }; })
        .then(function (data) {
          if (!resp.ok) throw new Error(data.error || ("操作失败（HTTP " + resp.status + "）"));
          return data;
        });
    });
  }

  function say(text, isError) {
    messageEl.textContent = text;
    messageEl.classList.toggle("error", !!isError);
    messageEl.hidden = false;
  }

  function fillKinds() {
    var option = attemptSelect.selectedOptions[0];
    var kinds = option ? option.dataset.actions.split(",") : [];
    var chosen = kindSelect.value;
    kindSelect.textContent = "";
    kinds.forEach(function (k) {
      var o = el("option", null, ACTION_NAMES[k]);
      o.value = k;
      kindSelect.appendChild(o);
    });
    if (kinds.indexOf(chosen) >= 0) kindSelect.value = chosen;
    minutesField.hidden = kindSelect.value !== "extra_time";
  }

  function openDialog(candidateId) {
    var row = findRow(candidateId);
    if (!row) return;
    current = row;
    document.getElementById("action-candidate").textContent =
      row.name + "（" + row.username + (row.ticket ? "，准考证号 " + row.ticket : "") + (row.seat ? "，" + row.seat : "") + "）";
    attemptSelect.textContent = "";
    row.parts.forEach(function (part) {
      var kinds = actionsFor(part);
      if (!kinds.length) return;
      var o = el("option", null, part.label + "（" + part.statusLabel + "）");
      o.value = part.part + ":" + part.attemptId;
      o.dataset.actions = kinds.join(",");
      attemptSelect.appendChild(o);
    });
    if (row.signinWait) {  // not an attempt: the candidate's account, whose sign-in is being made to wait
      var s = el("option", null, "登录（受限，约 " + Math.ceil(row.signinWait / 60) + " 分钟）");
      s.value = "signin:" + row.candidateId;
      s.dataset.actions = "lift_signin";
      attemptSelect.appendChild(s);
    }
    actionError.hidden = true;
    document.getElementById("action-reason").value = "";
    fillKinds();
    dialog.showModal();
    kindSelect.focus();
  }

  rowsEl.addEventListener("click", function (e) {
    var button = e.target.closest(".action-open");
    if (button) openDialog(Number(button.dataset.candidateId));
  });
  attemptSelect.addEventListener("change", fillKinds);
  kindSelect.addEventListener("change", function () { minutesField.hidden = kindSelect.value !== "extra_time"; });
  document.getElementById("action-cancel").addEventListener("click", function () { dialog.close(); });

  actionForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var target = attemptSelect.value.split(":");
    var action = kindSelect.value;
    var reason = document.getElementById("action-reason").value.trim();
    if (!reason) {
      actionError.textContent = "请填写原因（原因将记入审计日志）";
      actionError.hidden = false;
      return;
    }
    var url = target[0] === "signin"
      ? config.liftSigninUrl.replace("/0/lift", "/" + target[1] + "/lift")
      : config.actionUrl.replace("PART/0/ACTION", target[0] + "/" + target[1] + "/" + action);
    var body = { reason: reason };
    if (action === "extra_time") body.minutes = Number(document.getElementById("action-minutes").value);
    var submit = document.getElementById("action-submit");
    submit.disabled = true;
    post(url, body).then(function (data) {
      dialog.close();
      say(current.name + "：" + data.message, false);
      return poll();
    }).catch(function (err) {
      actionError.textContent = err.message;
      actionError.hidden = false;
    }).then(function () { submit.disabled = false; });
  });

  document.querySelectorAll(".proctor-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var kind = form.dataset.kind, url, body;
      if (kind === "incident") {
        url = config.incidentUrl;
        body = { kind: form.elements.kind.value, description: form.elements.description.value,
                 candidateId: form.elements.candidateId.value ? Number(form.elements.candidateId.value) : null };
      } else {
        url = kind === "pause_all" ? config.pauseAllUrl : config.resumeAllUrl;
        body = { reason: form.elements.reason.value };
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      post(url, body).then(function (data) {
        say(data.message, false);
        form.reset();
        return poll();
      }).catch(function (err) { say(err.message, true); })
        .then(function () { button.disabled = false; });
    });
  });

  // ------------------------------------------------------------ start

  if (config.snapshot) draw(config.snapshot);
  setInterval(tick, 1000);
  polling = setInterval(poll, Math.max(1, config.pollSeconds) * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
