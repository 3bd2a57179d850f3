/* A page answered to a POST names its own address (<link rel="canonical">; the theory start answers
   with the paper page, exam.delivery.views.start). Showing that address in the address bar makes a
   reload, a bookmark or a restored tab open the page itself, never post the form again (and never
   ask "confirm form resubmission"). Loaded only by pages that name one (base.html). */
(function () {
  "use strict";
  var canonical = document.querySelector("link[rel=canonical]");
  var here = location.href.split("#")[0];
  if (canonical && canonical.href !== here && window.history && history.replaceState) {
    history.replaceState(history.state, "", canonical.href + location.hash);  // a #q… jump link keeps its target
  }
})();
