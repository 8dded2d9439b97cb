// The student's answers on the feedback page. The revision plan saves itself a moment after they stop typing and
// before any link or other form takes them away; a reply typed but not sent makes the browser ask before the page
// is left. Without this file the forms post as they are.
(function () {
  "use strict";
  var AUTOSAVE_DELAY = 2000;
  var leaving = false;
  function csrf() { return window.CarePlan && window.CarePlan.csrfToken ? window.CarePlan.csrfToken() : ""; }

  // --- replies: nothing typed is left behind unasked -------------------------------------------------------
  function unsentReply() {
    return Array.prototype.some.call(document.querySelectorAll("textarea[data-reply]"), function (field) {
      return field.value.trim() !== "" && field.value !== field.defaultValue;
    });
  }

  // --- the revision plan ------------------------------------------------------------------------------------
  var form = document.getElementById("revision-plan-form");
  var statusEl = form && document.getElementById("revision-plan-status");
  var fields = form ? Array.prototype.slice.call(form.querySelectorAll("textarea[name^='intention-']")) : [];
  var timer = null, saving = null, retryDelay = 0, passing = null;

  function current() {
    var intentions = {};
    fields.forEach(function (field) { intentions[field.name.slice("intention-".length)] = field.value; });
    return JSON.stringify(intentions);
  }
  var lastSaved = form && !statusEl.classList.contains("is-error") ? current() : null;
  function msg(name) { return form.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || ""; }
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }
  function unsaved() { return !!form && current() !== lastSaved; }
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
  function body(sent) {
    return JSON.stringify({ version: form.elements.version.value, intentions: JSON.parse(sent) });
  }
  // Saves the plan as it is now; answers whether nothing is left unsaved afterwards.
  function save() {
    clearTimeout(timer);
    if (saving) { return saving.then(function () { return unsaved() ? save() : true; }); }
    if (!unsaved()) { return Promise.resolve(true); }
    var sent = current();
    setStatus(msg("saving"), "pending");
    saving = fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body(sent)
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
      setStatus(result.data.error || msg("retrying"), "error");
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

  if (form) {
    fields.forEach(function (field) {
      field.addEventListener("input", function () {
        if (window.CarePlan && window.CarePlan.checkLength) { window.CarePlan.checkLength(field); }
        schedule();
      });
    });
    form.addEventListener("submit", function () { leaving = true; });

    // Before the other scripts of the page see a link or a form leave (the reflection's "Revise the plan" too):
    // the plan is saved first, then the same link or form goes on, as it would have.
    var passingLink = null;
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link || link === passingLink || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
          event.altKey || link.target === "_blank" || link.hasAttribute("download") ||
          link.getAttribute("href").charAt(0) === "#" || !(unsaved() || saving)) { return; }
      event.preventDefault();
      event.stopPropagation();
      save().then(function () { passingLink = link; link.click(); passingLink = null; });
    }, true);

    document.addEventListener("submit", function (event) {
      var other = event.target;
      if (other === form || other === passing || !(unsaved() || saving)) { return; }
      event.preventDefault();
      event.stopPropagation();
      var submitter = event.submitter;
      save().then(function () {
        passing = other;
        if (other.requestSubmit) { other.requestSubmit(submitter || undefined); } else { other.submit(); }
        passing = null;
      });
    }, true);

    window.addEventListener("pagehide", function () {
      if (!unsaved()) { return; }
      fetch(form.action, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
        body: body(current())
      }).catch(function () { /* nothing more can be done */ });
    });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("reply-form")) { leaving = true; }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !(unsaved() || unsentReply())) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();
