// The page of an export being made: asks the server for one step after another (each adds a few plans to the zip)
// and shows how far it has come, in the bar and in words for a screen reader. Without scripts, "Continue" does one
// step by hand. Two tabs on the same export take turns: a step that finds the other one busy waits a moment.
(function () {
  "use strict";

  var box = document.querySelector("[data-export-step]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-export-step");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[role=status]");
  var form = box.querySelector("[data-export-continue]");
  var done = box.querySelector("[data-export-done]");
  var token = form.querySelector("input[name=csrf_token]").value;
  var failures = 0;

  function show(answer) {
    bar.max = answer.total || 1;
    bar.value = answer.total ? answer.done : (answer.state === "ready" ? 1 : 0);
    bar.textContent = answer.percent + "%";
    if (status.textContent !== answer.message) {
      status.textContent = answer.message;
    }
  }

  function step() {
    form.hidden = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (answer) {
      failures = 0;
      show(answer);
      if (answer.state === "building") {
        window.setTimeout(step, answer.busy ? 1500 : 50);
      } else if (answer.state === "ready") {
        box.querySelector("h2").textContent = box.getAttribute("data-ready-heading");
        box.querySelectorAll("[data-export-while-building]").forEach(function (note) { note.hidden = true; });
        done.hidden = false;
      } else {
        window.location.reload();
      }
    }).catch(function () {
      failures += 1;
      if (failures < 3) {
        window.setTimeout(step, 2000);
        return;
      }
      status.textContent = box.getAttribute("data-error");
      form.hidden = false;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    failures = 0;
    step();
  });
  step();
})();
