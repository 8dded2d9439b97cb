// Live language hints in the plan editor: checks each field as the student types (debounced),
// shows hints with the words marked (underline + icon + list), applies simple replacements in one
// click, and lets the student dismiss a hint for a passage with a short reason.
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form || !form.dataset.checkUrl) { return; }
  var planId = parseInt(form.dataset.planId, 10);
  var lang = form.dataset.lang || "en";
  var results = {};   // field key -> findings
  var announced = {}; // section -> the number of open hints screen readers last heard of
  var timers = {};
  var DELAY = 600;

  function msg(name, n) {
    var el = document.getElementById("hint-templates");
    var node = el && el.content.querySelector('[data-msg="' + name + '"]');
    var text = node ? node.textContent : name;
    return n === undefined ? text : text.replace("{n}", n);
  }
  function csrf() { return window.CarePlan.csrfToken(); }
  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; }); });
  }

  // Which field an input is, which section it belongs to, and how to name it.
  function fieldOf(input) {
    if (input.dataset.section) {
      return { key: input.dataset.section, section: input.dataset.section, where: "" };
    }
    var row = input.closest("[data-row]");
    if (!row || !input.dataset.field || input.dataset.field === "id" || input.dataset.field === "goal_id") { return null; }
    var kind = row.parentElement.dataset.rows;
    var id = row.querySelector('[data-field="id"]').value;
    if (!id) { return null; }
    var label = row.querySelector("[data-row-label]");
    return { key: (kind === "goal" ? "goals." : "measures.") + id + "." + input.dataset.field,
             section: kind === "goal" ? "goals" : "measures", where: label ? label.textContent : "" };
  }

  function inputFor(key) {
    var all = form.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < all.length; i++) {
      var f = fieldOf(all[i]);
      if (f && f.key === key) { return all[i]; }
    }
    return null;
  }

  function check(input) {
    var field = fieldOf(input);
    if (!field) { return; }
    var text = input.value;
    if (!text.trim()) { results[field.key] = { findings: [], field: field }; render(field.section); return; }
    post(form.dataset.checkUrl, { text: text, lang: lang, plan_id: planId, field: field.key }).then(function (res) {
      if (!res.ok) { return; }
      if (input.value !== text) { return; }  // a newer check is on its way
      // The server checks in the plan's language and says which: the words of the hints are marked with it.
      results[field.key] = { findings: res.data.findings, field: field, lang: res.data.lang || lang };
      render(field.section);
    }).catch(function () { /* hints are advice: a failed check changes nothing */ });
  }

  function schedule(input) {
    var field = fieldOf(input);
    if (!field) { return; }
    clearTimeout(timers[field.key]);
    timers[field.key] = setTimeout(function () { check(input); }, DELAY);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(section) {
    var box = document.getElementById("hints-" + section);
    if (!box) { return; }
    var open = [], dismissed = [];
    Object.keys(results).forEach(function (key) {
      var entry = results[key];
      if (entry.field.section !== section) { return; }
      entry.findings.forEach(function (f) { (f.dismissed ? dismissed : open).push({ f: f, key: key, where: entry.field.where, lang: entry.lang || lang }); });
    });
    announce(section, box, open.length);
    box.textContent = "";
    if (!open.length && !dismissed.length) { box.hidden = true; updateTotals(); return; }
    box.hidden = false;
    var heading = el("p", "hints-title", msg("count", open.length));
    box.appendChild(heading);
    var list = el("ul", "hint-list");
    open.forEach(function (item) { list.appendChild(hintItem(item)); });
    box.appendChild(list);
    if (dismissed.length) {
      var details = el("details", "hints-dismissed");
      details.appendChild(el("summary", "", msg("dismissed-count", dismissed.length)));
      var dl = el("ul", "hint-list");
      dismissed.forEach(function (item) {
        var li = el("li", "hint-item dismissed");
        var quoted = el("q", "", item.f.text);
        quoted.lang = item.lang;
        li.appendChild(quoted);
        li.appendChild(document.createTextNode(" — " + msg("dismissed-because") + " " + (item.f.dismissed_reason || "")));
        dl.appendChild(li);
      });
      details.appendChild(dl);
      box.appendChild(details);
    }
    updateTotals();
  }

  // Say how many hints the part being edited has, through the status region, only when that number changes and
  // only for the part that has the focus (not for checks run when the page opens).
  function announce(section, box, count) {
    var before = announced[section] || 0;
    announced[section] = count;
    var part = box.closest(".plan-section");
    var region = document.getElementById("hint-status");
    if (count === before || !region || !part || !part.contains(document.activeElement)) { return; }
    var heading = part.querySelector("h2, h3");
    var name = heading ? heading.textContent.trim() : "";
    var text = count === 0 ? msg("announce-none") : count === 1 ? msg("announce-one") : msg("announce-many", count);
    region.textContent = text.replace("{section}", name);
  }

  function hintItem(item) {
    var f = item.f;
    var li = el("li", "hint-item cat-" + f.category);
    li.appendChild(el("span", "hint-icon", "⚑"));
    var head = el("p", "hint-head");
    head.appendChild(el("span", "hint-cat", f.category_label || msg("cat-" + f.category)));
    if (item.where) { head.appendChild(document.createTextNode(" · " + item.where)); }
    li.appendChild(head);
    var quote = el("p", "hint-context");
    quote.lang = item.lang;
    var at = f.context.indexOf(f.text);
    if (at >= 0) {
      quote.appendChild(document.createTextNode("…" + f.context.slice(0, at)));
      var mark = el("mark", "hint-term", f.text);
      quote.appendChild(mark);
      quote.appendChild(document.createTextNode(f.context.slice(at + f.text.length) + "…"));
    } else {
      quote.appendChild(el("mark", "hint-term", f.text));
    }
    li.appendChild(quote);
    var message = el("p", "hint-message", f.message);
    message.lang = item.lang;
    li.appendChild(message);
    if (f.suggestion) {
      var suggestion = el("p", "hint-suggestion", msg("try") + " ");
      var words = el("span", "", f.suggestion);
      words.lang = item.lang;
      suggestion.appendChild(words);
      li.appendChild(suggestion);
    }
    var tools = el("div", "hint-tools");
    if (f.replacement !== null && f.replacement !== undefined) {
      var apply = el("button", "button small", msg("apply").replace("{text}", f.replacement));
      apply.type = "button";
      apply.addEventListener("click", function () { applyReplacement(item); });
      tools.appendChild(apply);
    }
    var dismissButton = el("button", "button small secondary", msg("dismiss"));
    dismissButton.type = "button";
    dismissButton.setAttribute("aria-expanded", "false");
    tools.appendChild(dismissButton);
    li.appendChild(tools);
    var dismissForm = el("div", "dismiss-form");
    dismissForm.hidden = true;
    var id = "reason-" + Math.random().toString(16).slice(2);
    var label = el("label", "label", msg("reason"));
    label.htmlFor = id;
    var input = el("input");
    input.type = "text";
    input.id = id;
    input.maxLength = 200;
    input.setAttribute("list", "dismiss-reasons");
    var confirm = el("button", "button small", msg("dismiss-confirm"));
    confirm.type = "button";
    dismissForm.appendChild(label);
    dismissForm.appendChild(input);
    dismissForm.appendChild(confirm);
    li.appendChild(dismissForm);
    dismissButton.addEventListener("click", function () {
      dismissForm.hidden = !dismissForm.hidden;
      dismissButton.setAttribute("aria-expanded", String(!dismissForm.hidden));
      if (!dismissForm.hidden) { input.focus(); }
    });
    function send() {
      var reason = input.value.trim();
      if (!reason) { input.focus(); return; }
      post(form.dataset.dismissUrl, { field: item.key, rule: f.rule, text: f.text, context: f.context, reason: reason })
        .then(function (res) {
          if (res.ok) { var target = inputFor(item.key); if (target) { check(target); } }
        });
    }
    confirm.addEventListener("click", send);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); send(); } });
    return li;
  }

  function applyReplacement(item) {
    var input = inputFor(item.key);
    if (!input) { return; }
    var f = item.f;
    var value = input.value;
    if (value.slice(f.start, f.end) !== f.text) { check(input); return; }
    input.value = value.slice(0, f.start) + f.replacement + value.slice(f.end);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
    input.setSelectionRange(f.start, f.start + f.replacement.length);
    check(input);
  }

  function updateTotals() {
    var total = 0;
    Object.keys(results).forEach(function (key) { results[key].findings.forEach(function (f) { if (!f.dismissed) { total += 1; } }); });
    var counter = document.getElementById("hint-total");
    if (counter) { counter.textContent = msg("total", total); }
  }

  // Resource orientation: the whole plan, after each successful save.
  function planHints() {
    if (!window.CarePlan.editor || !form.dataset.planHintsUrl) { return; }
    post(form.dataset.planHintsUrl, { content: window.CarePlan.editor.collect() }).then(function (res) {
      if (!res.ok) { return; }
      var list = document.getElementById("plan-hints");
      if (!list) { return; }
      list.textContent = "";
      if (!res.data.plan_hints.length) { list.appendChild(el("li", "plan-hint ok", msg("plan-ok"))); return; }
      res.data.plan_hints.forEach(function (hint) {
        var item = el("li", "plan-hint", hint.message);
        item.lang = res.data.lang || lang;  // the checks speak the plan's language
        list.appendChild(item);
      });
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("[data-section], [data-field]")) { schedule(event.target); }
  });
  var status = document.getElementById("save-status");
  if (status && window.MutationObserver) {
    new MutationObserver(function () { if (status.classList.contains("is-saved")) { planHints(); } })
      .observe(status, { attributes: true, attributeFilter: ["class"] });
  }
  // First check of everything already written.
  form.querySelectorAll("textarea, input[type=text]").forEach(function (input) { if (input.value.trim()) { check(input); } });
  planHints();
})();
