// A refused form's summary of errors takes the focus on load (also where `autofocus` on a
// non-input is not honoured), so that it is seen and read out first.
(function () {
  "use strict";
  var first = document.querySelector("[data-focus-first]");
  if (first && document.activeElement !== first) {
    first.focus();
  }
})();
