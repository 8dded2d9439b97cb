// The plan editor: autosave with a save token, conflict resolution, keyboard-friendly rows, previews.
// The page works without this file: the form posts to the server and the Save button does the same job.
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  var statusEl = document.getElementById("save-status");
  var tokenEl = document.getElementById("save-token");
  var rowsStatus = document.getElementById("rows-status");
  var conflictPanel = document.getElementById("conflict-panel");
  var AUTOSAVE_DELAY = 2000;
  var timer = null, inFlight = false, queued = false, retryDelay = 0, blocked = false, submitting = false;
  var pendingSubmit = null;  // a button pressed while an autosave was on its way: pressed again once it is back
  var lastSaved = null, conflictData = null, lastSavedLabel = statusEl.textContent.trim();

  function msg(name, n) {
    var el = document.querySelector('#msg-templates');
    var node = el && el.content.querySelector('[data-msg="' + name + '"]');
    var text = node ? node.textContent : name;
    return n === undefined ? text : text.replace("{n}", n);
  }
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }
  function csrf() { return window.CarePlan && window.CarePlan.csrfToken ? window.CarePlan.csrfToken() : ""; }
  function postJSON(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    });
  }

  // --- content <-> DOM ---------------------------------------------------------------------------------
  function rowsOf(kind) { return Array.prototype.slice.call(form.querySelectorAll('[data-rows="' + kind + '"] > [data-row]')); }
  // Every row has its id from the start, so that the server keeps it and a conflict finds the same row by it.
  function newId(kind) { return kind.charAt(0) + Math.random().toString(16).slice(2, 10); }
  function collect() {
    var content = { sections: {}, goals: [], measures: [] };
    form.querySelectorAll("textarea[data-section]").forEach(function (ta) { content.sections[ta.dataset.section] = ta.value; });
    ["goal", "measure"].forEach(function (kind) {
      rowsOf(kind).forEach(function (row) {
        var id = row.querySelector('[data-field="id"]');
        if (!id.value) { id.value = newId(kind); }
        var item = {};
        row.querySelectorAll("[data-field]").forEach(function (input) { item[input.dataset.field] = input.value; });
        content[kind + "s"].push(item);
      });
    });
    return content;
  }
  function serialise(content) { return JSON.stringify(content); }

  function renumber(kind) {
    var rows = rowsOf(kind);
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name]").forEach(function (input) {
        input.name = input.name.replace(/^(goal|measure)-\d+-/, kind + "-" + index + "-");
      });
      row.querySelectorAll("[id]").forEach(function (input) {
        input.id = input.id.replace(/^(goal|measure)-\d+-/, kind + "-" + index + "-");
      });
      row.querySelectorAll("label[for]").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/^(goal|measure)-\d+-/, kind + "-" + index + "-");
      });
      row.querySelectorAll("[aria-describedby]").forEach(function (input) {
        input.setAttribute("aria-describedby", input.getAttribute("aria-describedby").split(" ").map(function (id) {
          return id.replace(/^(goal|measure)-\d+-/, kind + "-" + index + "-");
        }).join(" "));
      });
      var name = msg(kind, index + 1);
      row.querySelectorAll("[data-row-label]").forEach(function (el) { el.textContent = name; });
      row.querySelectorAll("[data-row-name]").forEach(function (el) { el.textContent = " " + name; });
    });
    if (kind === "goal") { refreshGoalSelects(); }
  }

  function refreshGoalSelects() {
    var goals = rowsOf("goal").map(function (row, index) {
      var id = row.querySelector('[data-field="id"]');
      if (!id.value) { id.value = newId("goal"); }
      var text = row.querySelector('[data-field="text"]').value.trim();
      return { id: id.value, label: msg("goal", index + 1) + (text ? ": " + (text.length > 50 ? text.slice(0, 49) + "…" : text) : ""), empty: !text };
    });
    form.querySelectorAll("select[data-goal-select]").forEach(function (select) {
      var current = select.value;
      while (select.options.length) { select.remove(0); }
      select.add(new Option(msg("choose-goal"), ""));
      goals.forEach(function (goal) { if (!goal.empty || goal.id === current) { select.add(new Option(goal.label, goal.id)); } });
      select.value = current;
      if (select.value !== current) { select.value = ""; }
    });
  }

  function blankRow(kind) {
    var rows = rowsOf(kind);
    var row = rows[0].cloneNode(true);
    row.querySelectorAll("[data-field]").forEach(function (input) { input.value = ""; });
    // An empty field is within its limit: the copy keeps no message of the row it was copied from.
    row.querySelectorAll(".field-over").forEach(function (note) { note.remove(); });
    row.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-over$/.test(id); });
      if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
    });
    return row;
  }

  function setRows(kind, items) {
    var list = form.querySelector('[data-rows="' + kind + '"]');
    var template = blankRow(kind);
    rowsOf(kind).forEach(function (row) { row.remove(); });
    items.concat([{}]).forEach(function (item) {
      var row = template.cloneNode(true);
      row.querySelectorAll("[data-field]").forEach(function (input) {
        var value = item[input.dataset.field] || "";
        if (input.tagName === "SELECT" && value && !Array.prototype.some.call(input.options, function (o) { return o.value === value; })) {
          input.add(new Option(value, value));
        }
        input.value = value;
      });
      list.appendChild(row);
    });
    renumber(kind);
  }

  function setContent(content) {
    form.querySelectorAll("textarea[data-section]").forEach(function (ta) { ta.value = content.sections[ta.dataset.section] || ""; });
    setRows("goal", content.goals || []);
    setRows("measure", content.measures || []);
    form.querySelectorAll("[data-limit]").forEach(checkLength);
  }

  // --- limits: a text too long says so beside it (and is announced once), and is never cut -----------------
  function checkLength(field) {
    var appeared = window.CarePlan.checkLength(field);
    if (appeared) { rowsStatus.textContent = document.getElementById(field.id + "-over").textContent; }
  }

  // --- saving ------------------------------------------------------------------------------------------
  function changed() { return serialise(collect()) !== lastSaved; }

  function schedule() {
    if (blocked) { return; }
    setStatus(msg("unsaved"), "pending");
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_DELAY);
  }

  function save() {
    clearTimeout(timer);
    if (blocked) { return Promise.resolve(); }
    if (inFlight) { queued = true; return Promise.resolve(); }
    var content = collect();
    var body = serialise(content);
    if (body === lastSaved) {
      if (statusEl.classList.contains("is-pending")) { setStatus(lastSavedLabel || msg("unsaved"), lastSavedLabel ? "saved" : "pending"); }
      return Promise.resolve();
    }
    inFlight = true;
    setStatus(msg("saving"), "pending");
    return fetch(form.dataset.autosaveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify({ save_token: parseInt(tokenEl.value, 10), content: content })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      inFlight = false;
      var pressed = pendingSubmit;
      pendingSubmit = null;
      if (result.status === 200) {
        tokenEl.value = result.data.save_token;
        lastSaved = body;
        lastSavedLabel = result.data.saved_label;
        retryDelay = 0;
        setStatus(result.data.saved_label, "saved");
        if (pressed) { form.requestSubmit(pressed === true ? undefined : pressed); return; }
        if (queued || changed()) { queued = false; schedule(); }
      } else if (result.status === 409 && result.data.conflict) {
        showConflict(content, result.data, lastSaved ? JSON.parse(lastSaved) : null);
      } else if (result.status === 409 || result.status === 403) {
        blocked = true;
        setStatus(result.data.error || msg("locked"), "error");
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        setStatus(result.data.error || msg("retrying"), "error");
      } else {
        retry();
      }
    }).catch(function () {
      inFlight = false;
      pendingSubmit = null;
      retry(true);
    });
  }

  function retry(offline) {
    setStatus(msg(offline && navigator.onLine === false ? "offline" : "retrying"), "error");
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
    clearTimeout(timer);
    timer = setTimeout(save, retryDelay);
  }

  // --- conflicts: both texts stay on screen until the student chooses ------------------------------
  // The server pairs the parts (a section with the same section, a goal or measure with the same one, by its id)
  // and merges what the student keeps: the panel shows its HTML and sends back the choices.
  var conflictFields = document.getElementById("conflict-fields");

  function showConflict(mine, data, base) {
    blocked = true;
    conflictData = { theirs: data.current, token: data.save_token };
    setStatus(msg("conflict"), "error");
    return postJSON(form.dataset.conflictUrl, { mine: mine, theirs: data.current, base: base }).then(function (result) {
      if (result.status !== 200) { throw new Error("compare"); }
      conflictFields.innerHTML = result.data.html;  // made on the server from the two texts, escaped there
      if (result.data.same) { return resolve("mine"); }
      conflictPanel.hidden = false;
      conflictPanel.focus();
    }).catch(function () {
      conflictFields.textContent = msg("compare-failed");
      conflictPanel.hidden = false;
      conflictPanel.focus();
    });
  }

  function resolve(use) {
    var choices = {};
    conflictFields.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
      choices[radio.name.replace(/^choice-/, "")] = radio.value;
    });
    setStatus(msg("saving"), "pending");
    // The editor's text as it is now: what the student typed while the panel was open goes along.
    return postJSON(form.dataset.resolveUrl, {
      save_token: parseInt(conflictData.token, 10), mine: collect(), theirs: conflictData.theirs, use: use, choices: choices
    }).then(function (result) {
      if (result.status === 200) {
        setContent(result.data.content);
        tokenEl.value = result.data.save_token;
        lastSaved = serialise(collect());
        lastSavedLabel = result.data.saved_label;
        conflictPanel.hidden = true;
        conflictFields.textContent = "";
        blocked = false;
        setStatus(result.data.saved_label, "saved");
        document.getElementById("save-button").focus();
      } else if (result.status === 409 && result.data.conflict) {
        var shown = conflictData.theirs;
        setContent(result.data.mine);
        showConflict(result.data.mine, result.data, shown);
      } else {
        setStatus(result.data.error || msg("retrying"), "error");
      }
    }).catch(function () {
      setStatus(msg(navigator.onLine === false ? "offline" : "retrying"), "error");
    });
  }

  document.getElementById("conflict-save").addEventListener("click", function () { resolve("chosen"); });
  document.getElementById("conflict-keep-mine").addEventListener("click", function () { resolve("mine"); });
  document.getElementById("conflict-take-theirs").addEventListener("click", function () { resolve("theirs"); });

  // --- rows: add, remove, reorder with the keyboard ----------------------------------------------------
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var row = button.closest("[data-row]");
    var kind = row ? row.parentElement.dataset.rows : button.dataset.add;
    if (button.dataset.add) {
      var list = form.querySelector('[data-rows="' + kind + '"]');
      var fresh = blankRow(kind);
      list.appendChild(fresh);
      renumber(kind);
      fresh.querySelector("textarea, input:not([type=hidden])").focus();
      rowsStatus.textContent = msg("added");
      schedule();
    } else if (button.hasAttribute("data-remove")) {
      var rows = rowsOf(kind);
      var index = rows.indexOf(row);
      if (rows.length === 1) {
        row.querySelectorAll("[data-field]").forEach(function (input) { if (input.dataset.field !== "id") { input.value = ""; } });
      } else {
        row.remove();
      }
      renumber(kind);
      var remaining = rowsOf(kind);
      var next = remaining[Math.min(index, remaining.length - 1)];
      (next ? next.querySelector("[data-remove]") : form.querySelector('[data-add="' + kind + '"]')).focus();
      rowsStatus.textContent = msg("removed");
      schedule();
    } else if (button.dataset.move) {
      var siblings = rowsOf(kind);
      var at = siblings.indexOf(row);
      var target = button.dataset.move === "up" ? at - 1 : at + 1;
      if (target < 0 || target >= siblings.length) { return; }
      if (button.dataset.move === "up") { row.parentElement.insertBefore(row, siblings[target]); }
      else { row.parentElement.insertBefore(siblings[target], row); }
      renumber(kind);
      button.focus();
      rowsStatus.textContent = msg("moved", target + 1);
      schedule();
    } else if (button.classList.contains("preview-toggle")) {
      togglePreview(button);
    }
  });

  function togglePreview(button) {
    var section = button.closest(".plan-section");
    var textarea = section.querySelector("textarea[data-section]");
    var preview = section.querySelector(".preview");
    if (!preview.hidden) {
      preview.hidden = true;
      textarea.hidden = false;
      button.textContent = msg("preview");
      button.setAttribute("aria-expanded", "false");
      textarea.focus();
      return;
    }
    fetch(form.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ text: textarea.value })
    }).then(function (r) { return r.json(); }).then(function (data) {
      preview.innerHTML = data.html || "<p>" + msg("empty-preview") + "</p>";  // sanitised on the server
      if (!textarea.value.trim()) { preview.textContent = msg("empty-preview"); }
      preview.hidden = false;
      textarea.hidden = true;
      button.textContent = msg("edit");
      button.setAttribute("aria-expanded", "true");
    });
  }

  function isPlanField(target) { return target.matches("[data-section], [data-field]"); }
  form.addEventListener("input", function (event) {
    if (!isPlanField(event.target)) { return; }
    if (event.target.hasAttribute("data-limit")) { checkLength(event.target); }
    if (event.target.matches('[data-rows="goal"] [data-field="text"]')) { refreshGoalSelects(); }
    schedule();
  });
  form.addEventListener("change", function (event) { if (isPlanField(event.target)) { schedule(); } });
  // The form itself posts the text as typed, with the save token it holds: while an autosave is on its way, that
  // token is about to be out of date, so the post waits for the autosave's answer (else it would meet a conflict).
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      pendingSubmit = event.submitter || true;
      return;
    }
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (blocked || inFlight || changed()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
  });

  // Expose for other scripts on the page (language hints) — the current content and a way to save.
  window.CarePlan = window.CarePlan || {};
  window.CarePlan.editor = { collect: collect, save: save, schedule: schedule, form: form };

  refreshGoalSelects();
  // A page that came back with text the server refused (too long) holds unsaved text from the start.
  lastSaved = form.dataset.unsaved ? "" : serialise(collect());
})();
