// The mentor's page tells the server that a person opened it, once the page has loaded in a browser.
// Mail scanners fetch a link without running scripts, so their visits are not counted as "opened"
// (the coach sees on the placement page when the mentor last opened her page).
(function () {
  "use strict";
  if (!navigator.sendBeacon) {
    return;
  }
  var body = new FormData();
  body.append("action", "opened");
  navigator.sendBeacon(window.location.pathname, body);
})();
