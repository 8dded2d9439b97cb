// Reviewing: turn a text selection in the plan into an anchored comment; insert saved comments.
(function () {
  "use strict";
  var plan = document.getElementById("selectable-plan");
  var form = document.getElementById("anchor-form");
  var button = document.getElementById("selection-button");
  var lastTarget = null;

  // Character offset of a point inside a passage, counting only the plan's own text (not the comment numbers).
  function offsetWithin(container, node, offset) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return n.parentElement.closest(".anchor-ref") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var total = 0, current;
    if (node.nodeType !== Node.TEXT_NODE) {
      var child = node.childNodes[offset];
      var sub = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
      var t;
      while ((t = sub.nextNode())) {
        if (child && (child === t || child.contains(t) || (child.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING))) { return offsetWithin(container, t, 0); }
      }
      node = null;
    }
    while ((current = walker.nextNode())) {
      if (current === node) { return total + offset; }
      total += current.textContent.length;
    }
    return total;
  }

  function currentSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
    var range = selection.getRangeAt(0);
    var startBox = range.startContainer.parentElement && range.startContainer.parentElement.closest(".anchor-text");
    if (range.startContainer.nodeType === Node.ELEMENT_NODE) { startBox = range.startContainer.closest(".anchor-text"); }
    if (!startBox || !plan || !plan.contains(startBox)) { return null; }
    var endBox = (range.endContainer.nodeType === Node.ELEMENT_NODE ? range.endContainer : range.endContainer.parentElement).closest(".anchor-text");
    var start = offsetWithin(startBox, range.startContainer, range.startOffset);
    var end = endBox === startBox ? offsetWithin(startBox, range.endContainer, range.endOffset) : null;
    var full = (startBox.textContent || "");
    var text = Array.prototype.map.call(startBox.childNodes, function (n) {
      return n.nodeType === Node.TEXT_NODE ? n.textContent : Array.prototype.filter.call(n.childNodes, function (c) {
        return !(c.classList && c.classList.contains("anchor-ref"));
      }).map(function (c) { return c.textContent; }).join("");
    }).join("");
    if (end === null) { end = text.length; }
    var quote = text.slice(start, end);
    var trimmedStart = start + (quote.length - quote.replace(/^\s+/, "").length);
    quote = quote.trim();
    if (!quote) { return null; }
    return { key: startBox.dataset.anchorKey, label: startBox.dataset.anchorLabel, start: trimmedStart, quote: quote, full: full };
  }

  function useSelection() {
    var found = currentSelection();
    if (!found || !form) { return false; }
    var select = document.getElementById("anchor-key");
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === found.key; })) {
      select.add(new Option(found.label || found.key, found.key));
    }
    select.value = found.key;
    document.getElementById("anchor-quote").value = found.quote;
    document.getElementById("anchor-start").value = found.start;
    var body = document.getElementById("anchor-body");
    body.focus();
    return true;
  }

  if (plan && button) {
    document.addEventListener("selectionchange", function () {
      var found = currentSelection();
      button.hidden = !found;
    });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { useSelection(); button.hidden = true; });
    plan.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && currentSelection()) { event.preventDefault(); useSelection(); }
    });
  }
  if (form) {
    document.getElementById("anchor-quote").addEventListener("input", function () {
      document.getElementById("anchor-start").value = "";
    });
  }

  // The comment bank: remember the last comment field, insert saved text there.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("textarea[data-bank-target]")) { lastTarget = event.target; }
  });
  document.addEventListener("click", function (event) {
    var insert = event.target.closest("[data-insert]");
    if (!insert) { return; }
    var target = lastTarget || document.getElementById("overall");
    if (!target) { return; }
    var text = insert.getAttribute("data-insert");
    var at = target.selectionStart != null ? target.selectionStart : target.value.length;
    target.value = target.value.slice(0, at) + text + target.value.slice(target.selectionEnd != null ? target.selectionEnd : at);
    target.focus();
    target.selectionStart = target.selectionEnd = at + text.length;
  });
})();
