// The pipeline board: quiet stages open and fold with their heading's button, and the hint above the
// board shows only while some stages lie outside it. Opened stages stay open when htmx redraws the board.
(() => {
  "use strict";
  const opened = new Set();

  const setOpen = (column, open) => {
    column.classList.toggle("folded", !open);
    const button = column.querySelector("[data-board-toggle]");
    if (button) button.setAttribute("aria-expanded", String(open));
  };

  const updateHint = () => {
    const board = document.querySelector("[data-board]");
    const hint = document.querySelector("[data-board-hint]");
    if (board && hint) hint.hidden = board.scrollWidth <= board.clientWidth + 1;
  };

  const restore = () => {
    for (const stage of opened) {
      const column = document.querySelector(`.board-column[data-stage="${stage}"]`);
      if (column) setOpen(column, true);
    }
    updateHint();
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-board-toggle]");
    if (!button) return;
    const column = button.closest(".board-column");
    const open = button.getAttribute("aria-expanded") !== "true";
    setOpen(column, open);
    if (open) opened.add(column.dataset.stage);
    else opened.delete(column.dataset.stage);
    updateHint();
    if (open) column.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
  document.addEventListener("htmx:afterSettle", restore);
  window.addEventListener("resize", updateHint);
  restore();
})();
