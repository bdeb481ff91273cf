/* Terreau: progressive enhancement only; every page works without this file.
 * htmx requests carry the CSRF token as the X-CSRF-Token header (read from the page's meta).
 * A refusal (4xx) that the server marks as a fragment (X-Terreau-Fragment) is swapped in like a
 * success, so the message explaining it appears where the member acted. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Terreau-Fragment")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
