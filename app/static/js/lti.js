// LTI launches (app/lti): pylti1p3's cookies check inside a learning platform's frame, the deep-linking answer
// sent back to the platform, and the end of a dynamic registration.
(function () {
  "use strict";

  function cookiesCheck(box) {
    var params = JSON.parse(box.dataset.params || "{}");
    var url = new URL(window.location.href);
    Object.keys(params).forEach(function (key) {
      if (!url.searchParams.has(key)) { url.searchParams.set(key, params[key]); }
    });
    var cookie = "lti1p3_test_cookie=1; path=/";
    if (box.dataset.protocol === "https") { cookie += "; SameSite=None; secure; partitioned"; }
    document.cookie = cookie;
    if (document.cookie.indexOf("lti1p3_test_cookie") !== -1) {
      document.cookie = "lti1p3_test_cookie=1; path=/; expires=Thu, 01-Jan-1970 00:00:01 GMT";
      window.location.href = url.toString();
      return;
    }
    document.getElementById("lti1p3-loading-msg").hidden = true;
    var warning = document.getElementById("lti1p3-warning-msg");
    warning.hidden = false;
    var link = document.getElementById("lti1p3-new-tab-link");
    link.href = url.toString();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("lti-cookies-check");
    if (box) { cookiesCheck(box); }
    var answer = document.querySelector("form[data-auto-submit]");
    if (answer) { answer.submit(); }
    if (document.querySelector("[data-registration-complete]")) {
      (window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");
    }
  });
})();
