// Behaviour every workspace page shares, in place of inline event handlers (the Content-Security-Policy
// runs no inline script): a select marked data-autosubmit sends its form when changed (the language
// switch), a button marked data-print prints the page.
(() => {
  "use strict";
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
