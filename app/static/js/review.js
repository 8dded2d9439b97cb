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

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }
  function isReviewField(field) {
    return form.contains(field) && /^(level-|comment-|overall$)/.test(field.name || "");
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
    return postJSON(form.dataset.autosaveUrl, body).then(function (result) {
      inFlight = false;
      if (result.status === 200) {
        lastSaved = body;
        lastSavedLabel = result.data.saved_label;
        retryDelay = 0;
        setStatus(result.data.saved_label, "saved");
        if (queued || changed()) { queued = false; schedule(); }
      } else if (result.status === 409 || result.status === 403) {
        blocked = true;  // released from another tab, or no longer the reviewer: the text stays on the page
        setStatus(result.data.error || msg("retrying"), "error");
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        setStatus(result.data.error || msg("retrying"), "error");  // what is wrong; the next change tries again
      } else {
        retry();
      }
    }).catch(function () {
      inFlight = false;
      retry(true);
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
})();
