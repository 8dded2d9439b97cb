// Reviewing: the review saves itself as the reviewer writes; comments on passages, the comment bank and deleting
// a comment work without leaving the page; a text selection in the plan becomes a comment's passage; saved
// comments are inserted where the cursor was. The page works without this file: every button sends the whole
// review form, and the server keeps what was typed.
(function () {
  "use strict";
  var form = document.getElementById("rubric-form");
  var button = document.getElementById("selection-button");
  var statusEl = document.getElementById("review-save-status");
  var lastTarget = null;
  // Where each action's messages go, and its fields (by the names the server gives in an error's "field").
  var groups = {
    anchor: { error: "anchor-error", status: "comment-status", fields: { quote: "anchor-quote", body: "anchor-body" }, first: "anchor-quote" },
    bank: { error: "bank-error", status: "bank-status", fields: {}, first: "bank-new" }
  };

  function msg(name) {
    var messages = document.getElementById("review-messages");
    var node = messages && messages.content.querySelector('[data-msg="' + name + '"]');
    return node ? node.textContent : "";
  }
  function csrf() { return window.CarePlan && window.CarePlan.csrfToken ? window.CarePlan.csrfToken() : ""; }
  function byId(id) { return document.getElementById(id); }
  function selectablePlan() { return byId("selectable-plan"); }

  // --- a selection in the plan becomes the passage of a comment -------------------------------------------

  // A passage's visible text is every text node inside it, in order, without the comment numbers: the server counts
  // the rendered Markdown the same way (app/reviews/anchors.py), so an offset here is an offset there.
  function passageNodes(container) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return n.parentElement.closest(".anchor-ref") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var nodes = [], current;
    while ((current = walker.nextNode())) { nodes.push(current); }
    return nodes;
  }
  function passageText(container) {
    return passageNodes(container).map(function (n) { return n.textContent; }).join("");
  }

  // Character offset of a point inside a passage, counting only the plan's own text (not the comment numbers).
  function offsetWithin(container, node, offset) {
    var nodes = passageNodes(container), total = 0, i;
    if (node.nodeType !== Node.TEXT_NODE) {
      var child = node.childNodes[offset];
      for (i = 0; i < nodes.length; i++) {
        if (child && (child === nodes[i] || child.contains(nodes[i]) || (child.compareDocumentPosition(nodes[i]) & Node.DOCUMENT_POSITION_FOLLOWING))) { return offsetWithin(container, nodes[i], 0); }
      }
      if (!child && node !== container && container.contains(node)) {
        // just after the last text of an element: count every text node that precedes that point
        for (i = 0; i < nodes.length; i++) {
          if (node.contains(nodes[i]) || (node.compareDocumentPosition(nodes[i]) & Node.DOCUMENT_POSITION_PRECEDING)) { total += nodes[i].textContent.length; }
        }
        return total;
      }
      node = null;
    }
    for (i = 0; i < nodes.length; i++) {
      if (nodes[i] === node) { return total + offset; }
      total += nodes[i].textContent.length;
    }
    return total;
  }

  function currentSelection() {
    var plan = selectablePlan();
    var selection = window.getSelection();
    if (!plan || !selection || selection.isCollapsed || !selection.rangeCount) { return null; }
    var range = selection.getRangeAt(0);
    var startBox = range.startContainer.parentElement && range.startContainer.parentElement.closest(".anchor-text");
    if (range.startContainer.nodeType === Node.ELEMENT_NODE) { startBox = range.startContainer.closest(".anchor-text"); }
    if (!startBox || !plan.contains(startBox)) { return null; }
    var endBox = (range.endContainer.nodeType === Node.ELEMENT_NODE ? range.endContainer : range.endContainer.parentElement).closest(".anchor-text");
    var start = offsetWithin(startBox, range.startContainer, range.startOffset);
    var end = endBox === startBox ? offsetWithin(startBox, range.endContainer, range.endOffset) : null;
    var text = passageText(startBox);
    if (end === null) { end = text.length; }
    var quote = text.slice(start, end);
    var trimmedStart = start + (quote.length - quote.replace(/^\s+/, "").length);
    quote = quote.trim();
    if (!quote) { return null; }
    return { key: startBox.dataset.anchorKey, label: startBox.dataset.anchorLabel, start: trimmedStart, quote: quote };
  }

  function useSelection() {
    var found = currentSelection();
    var select = byId("anchor-key");
    if (!found || !select) { return false; }
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === found.key; })) {
      select.add(new Option(found.label || found.key, found.key));
    }
    select.value = found.key;
    byId("anchor-quote").value = found.quote;
    byId("anchor-start").value = found.start;
    clearError("anchor");
    byId("anchor-body").focus();
    return true;
  }

  if (button) {
    document.addEventListener("selectionchange", function () { button.hidden = !currentSelection(); });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { useSelection(); button.hidden = true; });
    document.addEventListener("keydown", function (event) {
      var plan = selectablePlan();
      if (event.key === "Enter" && plan && plan.contains(event.target) && currentSelection()) { event.preventDefault(); useSelection(); }
    });
  }
  if (byId("anchor-quote")) {
    byId("anchor-quote").addEventListener("input", function () { byId("anchor-start").value = ""; });
    byId("anchor-key").addEventListener("change", function () { byId("anchor-start").value = ""; });
  }

  // --- the feedback column: what the jump bar leads to is not hidden under the bar, whatever its height ----------
  // The two columns fit the window below the page's title; a jump scrolls only its column, not the page.
  (function () {
    var column = byId("feedback-column"), bar = column && column.querySelector(".save-bar");
    var layout = document.querySelector(".review-layout");
    if (!bar || !layout) { return; }
    function fit() {
      column.style.scrollPaddingTop = bar.offsetHeight + "px";
      layout.style.setProperty("--review-top", Math.round(layout.getBoundingClientRect().top + window.scrollY) + "px");
    }
    fit();
    window.addEventListener("resize", fit);
    bar.addEventListener("click", function (event) {
      var link = event.target.closest(".jump-bar a");
      var target = link && byId(link.getAttribute("href").slice(1));
      if (!target || getComputedStyle(column).overflowY !== "auto") { return; }  // one column: the page scrolls
      event.preventDefault();
      var top = column.scrollTop + target.getBoundingClientRect().top - column.getBoundingClientRect().top - bar.offsetHeight - 8;
      column.scrollTo({ top: top, behavior: "instant" });  // also ends a scroll still under way (Page Down)
      target.focus({ preventScroll: true });
    });
  })();

  // --- the plan column: the plan and the case as tabs (without scripts, the case follows the plan) ---------------
  (function () {
    var list = byId("plan-tabs");
    if (!list) { return; }
    var column = byId("plan-column");
    var tabs = Array.prototype.slice.call(list.querySelectorAll(".tab"));
    var positions = {};
    list.setAttribute("role", "tablist");
    tabs.forEach(function (tab) {
      var panel = byId(tab.getAttribute("aria-controls"));
      tab.setAttribute("role", "tab");
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", function () { choose(tab, false); });
    });
    // The case with its teaching notes is fetched once: when its tab is first opened, or sooner when the browser
    // is idle, so that it is usually there before anyone asks. Until then (or if it fails) the panel says so and
    // keeps the link to the case's own page.
    var casePanel = byId("panel-case"), caseHolder = byId("case-holder"), caseRequest = null;
    function loadCase() {
      if (!casePanel || !caseHolder || !casePanel.dataset.src || caseRequest) { return; }
      var status = byId("case-status"), link = status ? status.querySelector("a") : null;
      function say(text) {  // what is happening, then the link
        if (status && link) { status.textContent = text + " "; status.appendChild(link); }
      }
      casePanel.setAttribute("aria-busy", "true");
      say(casePanel.dataset.loading);
      caseRequest = fetch(casePanel.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) { caseHolder.innerHTML = html; })
        .catch(function () {
          caseRequest = null;  // opening the tab again tries again
          say(casePanel.dataset.failed);
        })
        .then(function () { casePanel.setAttribute("aria-busy", "false"); });
    }
    if (window.requestIdleCallback) { window.requestIdleCallback(loadCase, { timeout: 3000 }); }
    else { window.setTimeout(loadCase, 1000); }
    function choose(chosen, focus) {
      tabs.forEach(function (tab) {
        var selected = tab === chosen, panel = byId(tab.getAttribute("aria-controls"));
        if (!panel.hidden) { positions[tab.id] = column.scrollTop; }  // each tab keeps its place
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        panel.hidden = !selected;
      });
      if (chosen.getAttribute("aria-controls") === "panel-case") { loadCase(); }
      column.scrollTop = positions[chosen.id] || 0;
      if (focus) { chosen.focus(); }
    }
    list.addEventListener("keydown", function (event) {
      var at = tabs.indexOf(document.activeElement), next = null;
      if (at < 0) { return; }
      if (event.key === "ArrowRight") { next = tabs[(at + 1) % tabs.length]; }
      else if (event.key === "ArrowLeft") { next = tabs[(at - 1 + tabs.length) % tabs.length]; }
      else if (event.key === "Home") { next = tabs[0]; }
      else if (event.key === "End") { next = tabs[tabs.length - 1]; }
      if (next) { event.preventDefault(); choose(next, true); }
    });
    list.hidden = false;
    choose(tabs[0], false);
  })();

  // --- the comment bank: remember the last comment field, insert saved text there -----------------------
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("textarea[data-bank-target]")) { lastTarget = event.target; }
  });
  document.addEventListener("click", function (event) {
    var insert = event.target.closest("[data-insert]");
    if (!insert) { return; }
    var target = lastTarget || byId("overall");
    if (!target) { return; }
    var text = insert.getAttribute("data-insert");
    var at = target.selectionStart != null ? target.selectionStart : target.value.length;
    target.value = target.value.slice(0, at) + text + target.value.slice(target.selectionEnd != null ? target.selectionEnd : at);
    target.focus();
    target.selectionStart = target.selectionEnd = at + text.length;
    target.dispatchEvent(new Event("input", { bubbles: true }));  // the review saves itself with it
  });

  if (!form || !form.dataset.autosaveUrl || !statusEl) { return; }

  // --- the review saves itself ------------------------------------------------------------------------------
  var AUTOSAVE_DELAY = 1500;
  var timer = null, inFlight = false, queued = false, retryDelay = 0, blocked = false, submitting = false;
  var lastSaved = null, lastSavedLabel = statusEl.classList.contains("is-saved") ? statusEl.textContent.trim() : "";
  var tokenEl = byId("review-save-token"), conflict = null, afterSave = null;
  function runAfterSave() {
    var next = afterSave;
    afterSave = null;
    if (next && !blocked) { next(); }
  }
  function token() { return parseInt(tokenEl.value, 10) || 0; }
  function withToken(body) {
    var data = JSON.parse(body);
    data.save_token = token();
    return JSON.stringify(data);
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }
  function isReviewField(field) {
    return form.contains(field) && /^(level-|comment-|intention-|overall$)/.test(field.name || "");
  }
  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!isReviewField(field)) { return; }
      if (field.type === "radio") {
        if (field.checked) { data[field.name] = field.value; } else if (!(field.name in data)) { data[field.name] = ""; }
      } else {
        data[field.name] = field.value;
      }
    });
    return JSON.stringify(data);
  }
  function changed() { return collect() !== lastSaved; }

  function schedule() {
    if (blocked) { return; }
    setStatus(msg("unsaved"), "pending");
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_DELAY);
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function save() {
    clearTimeout(timer);
    if (blocked) { return Promise.resolve(); }
    if (inFlight) { queued = true; return Promise.resolve(); }
    var body = collect();
    if (body === lastSaved) {
      if (statusEl.classList.contains("is-pending")) { setStatus(lastSavedLabel || msg("unsaved"), lastSavedLabel ? "saved" : "pending"); }
      return Promise.resolve();
    }
    inFlight = true;
    setStatus(msg("saving"), "pending");
    return postJSON(form.dataset.autosaveUrl, withToken(body)).then(function (result) {
      inFlight = false;
      if (result.status === 200) {
        lastSaved = body;
        lastSavedLabel = result.data.saved_label;
        tokenEl.value = result.data.save_token;
        retryDelay = 0;
        setStatus(result.data.saved_label, "saved");
        if (queued || changed()) { queued = false; schedule(); }
      } else if (result.status === 409 && result.data.conflict) {
        showConflict(result.data);
      } else if (result.status === 409 || result.status === 403) {
        blocked = true;  // released from another tab, or no longer the reviewer: the text stays on the page
        setStatus(result.data.error || msg("retrying"), "error");
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        setStatus(result.data.error || msg("retrying"), "error");  // what is wrong; the next change tries again
      } else {
        retry();
      }
      runAfterSave();
    }).catch(function () {
      inFlight = false;
      retry(true);
      runAfterSave();
    });
  }

  function retry(offline) {
    setStatus(msg(offline && navigator.onLine === false ? "offline" : "retrying"), "error");
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
    clearTimeout(timer);
    timer = setTimeout(save, retryDelay);
  }

  form.addEventListener("input", function (event) { if (isReviewField(event.target)) { schedule(); } });
  form.addEventListener("change", function (event) { if (isReviewField(event.target)) { schedule(); } });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
  });

  // --- another tab or window saved the review since this page read it: the reviewer chooses ------------------
  var conflictBox = byId("review-conflict"), keptBox = byId("review-kept");

  function fieldLabel(field) {  // as the page without scripts names it: "Criterion: level", "Criterion: your comment"
    var fieldset = field.closest("fieldset.criterion");
    if (!fieldset) {
      var own = form.querySelector('label[for="' + field.id + '"]');
      return own ? own.textContent.trim() : field.name;
    }
    var legend = fieldset.querySelector("legend").textContent.trim();
    var kind = field.name.indexOf("intention-") === 0 ? "intention-of" : (field.type === "radio" ? "level-of" : "comment-of");
    return msg(kind).replace("{criterion}", legend);
  }
  function levelText(name, value) {
    var radio = value && form.querySelector('input[type="radio"][name="' + name + '"][value="' + value + '"]');
    return radio ? radio.closest("label").querySelector("strong").textContent.trim() : "";
  }
  function showAtTop(heading) {  // the boxes stand first in the feedback column, right under its bar
    var column = byId("feedback-column");
    if (getComputedStyle(column).overflowY === "auto") { column.scrollTop = 0; } else { heading.scrollIntoView(); }
    heading.focus({ preventScroll: true });
  }
  function showConflict(data) {
    blocked = true;  // nothing more is sent until the reviewer has chosen; what was typed stays in the form
    conflict = data.review;
    setStatus(data.error, "error");
    conflictBox.hidden = false;
    showAtTop(byId("review-conflict-title"));
  }
  function loadNewer() {
    var mine = JSON.parse(collect()), rows = [];
    Object.keys(mine).forEach(function (name) {
      var theirs = conflict[name] || "";
      if ((mine[name] || "").trim() === theirs.trim()) { return; }
      var field = form.querySelector('[name="' + name + '"]');
      if (field.type === "radio") {
        form.querySelectorAll('input[type="radio"][name="' + name + '"]').forEach(function (radio) { radio.checked = radio.value === theirs; });
        if (mine[name]) { rows.push([fieldLabel(field), levelText(name, mine[name])]); }
      } else {
        if (mine[name].trim()) { rows.push([fieldLabel(field), mine[name]]); }
        field.value = theirs;
      }
    });
    var list = byId("review-kept-list");
    list.textContent = "";
    rows.forEach(function (row, index) {
      var wrap = document.createElement("div"), label = document.createElement("label"), text = document.createElement("textarea");
      wrap.className = "field";
      label.className = "label";
      label.htmlFor = text.id = "kept-" + (index + 1);
      label.textContent = row[0];
      text.readOnly = true;
      text.rows = 2;
      text.value = row[1];
      wrap.appendChild(label);
      wrap.appendChild(text);
      list.appendChild(wrap);
    });
    settle(conflict.saved_label);
    if (rows.length) {
      keptBox.hidden = false;
      showAtTop(byId("review-kept-title"));
    } else {
      byId("rubric-title").focus();
    }
  }
  function keepMine() {
    tokenEl.value = conflict.save_token;
    settle(null);
    save();
    byId("rubric-title").focus();
  }
  function settle(label) {
    tokenEl.value = conflict.save_token;
    conflictBox.hidden = true;
    blocked = false;
    if (label) {  // the form now holds the newer version, as saved
      lastSaved = collect();
      lastSavedLabel = label;
      setStatus(label, "saved");
    } else {
      lastSaved = null;
    }
    conflict = null;
  }
  conflictBox.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-conflict]");
    if (!choice || !conflict) { return; }
    if (choice.dataset.conflict === "theirs") { loadNewer(); } else { keepMine(); }
  });
  byId("review-kept-close").addEventListener("click", function () {
    keptBox.hidden = true;
    byId("rubric-title").focus();
  });

  // --- comments, the bank and deleting, without leaving the page ---------------------------------------------

  function clearError(name) {
    var group = groups[name], error = byId(group.error);
    if (!error) { return; }
    error.hidden = true;
    error.textContent = "";
    [group.first].concat(Object.keys(group.fields).map(function (k) { return group.fields[k]; })).forEach(function (id) {
      var field = byId(id);
      if (field) { field.removeAttribute("aria-invalid"); field.closest(".field").classList.remove("has-error"); }
    });
  }
  function showError(name, message, fieldName) {
    var group = groups[name], error = byId(group.error);
    clearError(name);
    byId(group.status).textContent = "";
    error.textContent = message;
    error.hidden = false;
    var field = byId(group.fields[fieldName] || group.first);
    field.setAttribute("aria-invalid", "true");
    field.closest(".field").classList.add("has-error");
    field.focus();  // the message is the field's description: it is read with it
  }
  function announce(name, message) {
    clearError(name);
    var status = byId(groups[name].status);
    status.textContent = "";
    setTimeout(function () { status.textContent = message; }, 50);
  }
  function replaceParts(data) {
    byId("marked-plan").innerHTML = data.plan_html;  // rendered and escaped on the server
    byId("comment-list").innerHTML = data.comments_html;
    var count = document.querySelector("#comments-title .count");
    if (count) { count.textContent = "(" + data.count + ")"; }
  }
  function sending(control, promise) {
    control.disabled = true;
    return promise.then(function (result) { control.disabled = false; return result; },
                        function (problem) { control.disabled = false; throw problem; });
  }

  function addComment(control) {
    var body = JSON.stringify({ key: byId("anchor-key").value, quote: byId("anchor-quote").value,
                                start: byId("anchor-start").value, body: byId("anchor-body").value });
    sending(control, postJSON(control.dataset.url, body)).then(function (result) {
      if (result.status === 201) {
        replaceParts(result.data);
        ["anchor-quote", "anchor-body", "anchor-start"].forEach(function (id) { byId(id).value = ""; });
        if (result.data.saved_label && !blocked) {  // the review was saved with it (and started, the first time)
          lastSavedLabel = result.data.saved_label;
          if (!changed()) { setStatus(lastSavedLabel, "saved"); }
        }
        announce("anchor", result.data.message);
      } else {
        showError("anchor", result.data.error || msg("retrying"), result.data.field);
      }
    }).catch(function () { showError("anchor", msg("not-sent"), "body"); });
  }

  function saveToBank(control) {
    var input = byId("bank-new");
    sending(control, postJSON(control.dataset.url, JSON.stringify({ text: input.value }))).then(function (result) {
      if (result.status === 201) {
        byId("bank-list").innerHTML = result.data.html;
        input.value = "";
        announce("bank", result.data.message);
      } else {
        showError("bank", result.data.error || msg("retrying"));
      }
    }).catch(function () { showError("bank", msg("not-sent")); });
  }

  function deleteComment(control) {
    sending(control, postJSON(control.dataset.url, "{}")).then(function (result) {
      if (result.status === 200) {
        replaceParts(result.data);
        byId("comments-title").focus();  // the button is gone: the list's heading keeps the place
        announce("anchor", result.data.message);
      } else {
        setStatus(result.data.error || msg("retrying"), "error");
      }
    }).catch(function () { setStatus(msg("not-sent"), "error"); });
  }

  form.addEventListener("submit", function (event) {
    var by = event.submitter;
    if (by && by.name === "then" && by.value === "comment") { event.preventDefault(); addComment(by); return; }
    if (by && by.name === "then" && by.value === "bank") { event.preventDefault(); saveToBank(by); return; }
    if (by && by.name === "delete_comment") { event.preventDefault(); deleteComment(by); return; }
    if (inFlight) {  // the form goes once this save has answered, with the save token it gives
      event.preventDefault();
      afterSave = function () { if (by) { form.requestSubmit(by); } else { form.requestSubmit(); } };
      return;
    }
    submitting = true;  // the whole review goes with the form, the unsent texts too
    clearTimeout(timer);
  });
  byId("bank-new").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); saveToBank(document.querySelector('[name="then"][value="bank"]')); }
  });

  // --- leaving with something unsaved asks first ----------------------------------------------------------------
  function unsent() {
    return ["anchor-body", "bank-new"].some(function (id) { return byId(id) && byId(id).value.trim() !== ""; });
  }
  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (blocked || inFlight || changed() || unsent()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("pageshow", function () { submitting = false; });

  // What the page shows was saved, unless the server sent it back because it could not be saved.
  lastSaved = form.hasAttribute("data-unsaved") ? null : collect();
  // Sent back because another tab saved first (the page without scripts' answer): nothing is saved until the
  // reviewer has pressed one of the two buttons there.
  if (byId("review-conflict-page")) { blocked = true; }
})();
