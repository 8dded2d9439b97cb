// The second instructor's scoring: leaving the page with levels or comments that are neither saved as a draft
// nor submitted asks first (the browser's own "Leave site?" question).
(function () {
  "use strict";
  var form = document.getElementById("second-opinion-form");
  if (!form) { return; }
  var changed = form.hasAttribute("data-unsaved");  // a refused submission: what is in the form is not saved
  var leaving = false;
  form.addEventListener("input", function () { changed = true; });
  form.addEventListener("change", function () { changed = true; });
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !changed) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();
