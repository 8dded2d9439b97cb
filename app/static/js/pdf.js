// The page shown while a PDF is being made: asks for the PDF again every few seconds without reloading the page
// (a screen reader keeps its place), and starts the download once it is ready. Without scripts, "Try again now"
// does the same by hand.
(function () {
  "use strict";

  var box = document.querySelector("[data-pdf-wait]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-pdf-wait");
  var every = (Number(box.getAttribute("data-every")) || 3) * 1000;
  var status = box.querySelector("[role=status]");
  var tries = 0;

  function later() {
    if (tries < 60) {  // three minutes at most; then the link is there
      window.setTimeout(ask, every);
    }
  }

  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 202) {
        later();
        return;
      }
      if (response.ok && status) {
        status.textContent = box.getAttribute("data-ready");
      }
      // The file (now stored, sent at once) or the page that says why there is none.
      window.location.assign(url);
    }, later);
  }

  later();
})();
