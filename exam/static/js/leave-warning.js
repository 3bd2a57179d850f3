// A candidate with a part not yet submitted is warned before signing out (from any page), and on an
// attempt page before following a link of the top bar away from it: neither submits the part, and
// its clock keeps running. Closing the tab with answers not yet saved is warned by the autosave.
(function () {
  "use strict";
  var form = document.getElementById("logout-form");
  if (form && form.dataset.leaveWarning) {
    // on the window, capturing: before autosave.js's sign-out handler forgets the local copies, so a
    // candidate who answers "cancel" keeps everything
    window.addEventListener("submit", function (event) {
      if (event.target !== form) return;
      if (!window.confirm(form.dataset.leaveWarning)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
  }
  if (!document.body.classList.contains("sitting")) return;
  document.querySelectorAll(".topbar a[href]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!window.confirm("您正在作答。离开本页不会交卷，计时也不会停止；可从“我的考试”回到本页继续作答。确定离开吗？")) {
        event.preventDefault();
      }
    });
  });
})();
