// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });

  // Exposed for other scripts: the CSRF token for fetch() requests.
  window.CarePlan = window.CarePlan || {};

  // A text field past its limit (data-limit) says next to it how far over it is, in the words of the nearest
  // data-over-limit ("{n}", "{limit}"); the browser never cuts the text, and the server refuses to save it until it
  // is shorter. Counted as the server counts: characters, not UTF-16 units. Answers true when the message appears.
  function describedBy(field, id, add) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (add) { ids.push(id); }
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); } else { field.removeAttribute("aria-describedby"); }
  }
  window.CarePlan.checkLength = function (field) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    if (!limit) { return false; }
    var over = Array.from(field.value).length - limit;
    var id = field.id + "-over";
    var note = document.getElementById(id);
    if (over <= 0) {
      if (note) { note.remove(); }
      describedBy(field, id, false);
      field.removeAttribute("aria-invalid");
      return false;
    }
    var fresh = !note;
    if (fresh) {
      note = document.createElement("p");
      note.className = "field-over";
      note.id = id;
      field.insertAdjacentElement("afterend", note);
    }
    var words = field.closest("[data-over-limit]");
    note.textContent = (words ? words.getAttribute("data-over-limit") : "{n}").replace("{n}", over).replace("{limit}", limit);
    describedBy(field, id, true);
    field.setAttribute("aria-invalid", "true");
    return fresh;
  };
  // A form that takes a moment (an upload being unpacked and checked) says so on its button, and is not sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-busy")) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var button = event.submitter || form.querySelector("button[type=submit]");
    if (button && form.getAttribute("data-busy")) {
      button.setAttribute("data-label", button.textContent);
      button.textContent = form.getAttribute("data-busy");
    }
  });
  // Back to a page kept by the browser: its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-busy][aria-busy]").forEach(function (form) {
        form.removeAttribute("aria-busy");
        form.querySelectorAll("button[data-label]").forEach(function (button) {
          button.textContent = button.getAttribute("data-label");
        });
      });
    }
  });
  window.CarePlan.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };
})();
