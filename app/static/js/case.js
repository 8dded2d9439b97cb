// Reading a case: following a link inside the page moves the keyboard focus to the heading it points at,
// so that screen readers announce it and the next Tab continues from there. The page works without it.
(function () {
  "use strict";

  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) {
      return;
    }
    var target = document.getElementById(id);
    if (!target) {
      return;
    }
    if (target.matches("[tabindex]")) {
      target.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", focusTarget);
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (link && link.getAttribute("href") === window.location.hash) {
      window.setTimeout(focusTarget, 0);  // the same link again: no hashchange, but the focus should still move
    }
  });
})();
