// Behaviour every workspace page shares, in place of inline event handlers (the Content-Security-Policy
// runs no inline script): a button marked data-print prints the page. (The language switch has its own
// button: a select that sends its form on change would move the user without warning, WCAG 2.1 SC 3.2.2.)
(() => {
  "use strict";
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
