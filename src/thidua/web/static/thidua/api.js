// The JSON API from a page of the signed-in session (its CSRF token), for the scripts that
// talk to it (board.js, sealed-ballot.js): a refusal throws the server's reason.
(function () {
  "use strict";
  window.thiduaApi = function (base, csrf) {
    return function call(method, path, body) {
      return fetch(base + path, {
        method: method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: body === undefined ? undefined : JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            var first = (data.errors || [])[0] || {};
            throw new Error(first.message || first.code || data.detail || String(response.status));
          }
          return data;
        });
      });
    };
  };
})();
