// The typing test's passage: marks where the candidate is and keeps that place in view.
// The place is the number of characters typed so far, counted as the server counts them (NFKC,
// whitespace removed), laid over the passage's own characters: a candidate who looks up from the
// input finds the next character to copy highlighted, and the box scrolls with them through a long
// passage. The box itself is focusable (tabindex="0"), so it also scrolls by keyboard.
// Page-specific on purpose: the autosave client knows nothing of it; the page calls mark(text).
(function () {
  "use strict";
  var box = document.getElementById("passage");
  if (!box) return;
  var source = box.textContent;
  var starts = [];            // for each counted character, its index in `source`
  var folded = 0;
  for (var i = 0; i < source.length; i++) {
    if (/\s/.test(source[i])) continue;
    var n = source[i].normalize ? source[i].normalize("NFKC").replace(/\s+/g, "").length : 1;
    for (var k = 0; k < n; k++) starts.push(i);
    folded += n;
  }
  var done = document.createElement("span");
  done.className = "passage-done";
  var here = document.createElement("mark");
  here.className = "passage-here";
  var rest = document.createTextNode("");
  var status = document.getElementById("passage-position");
  box.textContent = "";
  box.appendChild(done);
  box.appendChild(here);
  box.appendChild(rest);
  var last = -1;

  function count(text) {
    var t = text.normalize ? text.normalize("NFKC") : text;
    return t.replace(/\s+/g, "").length;
  }

  function mark(typed) {
    var n = Math.min(count(typed || ""), folded);
    if (n === last) return;
    last = n;
    var at = n < starts.length ? starts[n] : source.length;
    var end = at;
    if (at < source.length) {           // the next character, with a line break kept outside the mark
      end = at + 1;
      if (/[\uD800-\uDBFF]/.test(source[at]) && at + 1 < source.length) end = at + 2;
    }
    done.textContent = source.slice(0, at);
    here.textContent = source.slice(at, end);
    here.hidden = at >= source.length;
    rest.nodeValue = source.slice(end);
    if (status) status.textContent = "原文位置：第 " + Math.min(n + 1, folded) + " 字，共 " + folded + " 字";
    keepInView();
  }

  function keepInView() {
    if (here.hidden) return;
    var top = here.offsetTop;  // the box is position: relative, so this is within the box
    var wanted = top - box.clientHeight / 3;
    if (top < box.scrollTop + 8 || top > box.scrollTop + box.clientHeight * 0.6) {
      box.scrollTop = Math.max(wanted, 0);
    }
  }

  window.CallexamTypingPassage = { mark: mark };
})();
