// The reflection on the feedback page: saved a moment after the student stops typing, saved before any link or
// form takes them away ("Revise the plan" too), and, when it cannot be saved, kept on the page with a warning
// before leaving. Without this file the form posts the reflection, and "Revise the plan" with it.
(function () {
  "use strict";
  var form = document.getElementById("reflection-form");
  if (!form) { return; }
  var field = document.getElementById("reflection-text");
  var statusEl = document.getElementById("reflection-status");
  var AUTOSAVE_DELAY = 2000;
  var timer = null, saving = null, retryDelay = 0, passing = null, leaving = false;
  var lastSaved = statusEl.classList.contains("is-error") ? null : field.value;

  function msg(name) { return form.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || ""; }
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }
  function csrf() { return window.CarePlan && window.CarePlan.csrfToken ? window.CarePlan.csrfToken() : ""; }
  // Text that is not saved yet (an empty box has nothing to keep: the server would refuse it).
  function unsaved() { return field.value !== lastSaved && field.value.trim() !== ""; }

  function schedule() {
    clearTimeout(timer);
    if (!unsaved()) { return; }
    setStatus(msg("unsaved"), "pending");
    timer = setTimeout(save, AUTOSAVE_DELAY);
  }

  function retryLater() {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
    clearTimeout(timer);
    timer = setTimeout(save, retryDelay);
  }

  // Saves the text as it is now; answers whether the page holds nothing unsaved afterwards.
  function save() {
    clearTimeout(timer);
    if (saving) { return saving.then(function () { return unsaved() ? save() : true; }); }
    if (!unsaved()) { return Promise.resolve(true); }
    var sent = field.value;
    setStatus(msg("saving"), "pending");
    saving = fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ version: form.elements.version.value, text: sent })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      saving = null;
      if (result.status === 200) {
        lastSaved = sent;
        retryDelay = 0;
        if (unsaved()) { schedule(); } else { setStatus(result.data.saved_label, "saved"); }
        return !unsaved();
      }
      var note = result.data.field && document.getElementById(result.data.field + "-over");
      if (note) {
        // The server's words for a text too long go beside the field (the same as the script's own, as a rule).
        note.textContent = result.data.error;
        setStatus(msg("refused"), "error");
      } else {
        setStatus(result.data.error || msg("retrying"), "error");
      }
      if (result.status >= 500 || result.status === 429) { retryLater(); }
      return false;
    }, function () {
      saving = null;
      setStatus(msg(navigator.onLine === false ? "offline" : "retrying"), "error");
      retryLater();
      return false;
    });
    return saving;
  }

  // Leave for `go` once the text is saved; if it could not be, the student stays (the way on is tried again, and
  // the browser asks before the text is left behind).
  function saveThen(go) {
    return save().then(function (saved) { go(saved); });
  }

  field.addEventListener("input", function () {
    if (window.CarePlan && window.CarePlan.checkLength) { window.CarePlan.checkLength(field); }
    schedule();
  });

  // "Save reflection" posts the form as it would without this file; "Revise the plan" saves here first and goes
  // on only once the text is safe.
  form.addEventListener("submit", function (event) {
    if (!(event.submitter && event.submitter.value === "revise")) { leaving = true; return; }
    event.preventDefault();
    saveThen(function (saved) {
      if (saved) { leaving = true; window.location.assign(form.dataset.reviseUrl); } else { field.focus(); }
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey || link.target === "_blank" || link.hasAttribute("download") ||
        link.getAttribute("href").charAt(0) === "#" || !(unsaved() || saving)) { return; }
    event.preventDefault();
    saveThen(function () { window.location.assign(link.href); });
  });

  // Other forms on the page (a comment marked as addressed, the language, signing out) wait for the save too.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || other === passing || !(unsaved() || saving)) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    saveThen(function () {
      passing = other;
      if (other.requestSubmit) { other.requestSubmit(submitter || undefined); } else { other.submit(); }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
  // The page goes after all (the student chose to leave): one last try, which outlives the page.
  window.addEventListener("pagehide", function () {
    if (!unsaved()) { return; }
    fetch(form.action, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ version: form.elements.version.value, text: field.value })
    }).catch(function () { /* nothing more can be done */ });
  });
})();
