/* Tick several rows of a portal table for one action (delete several at once).
 *
 * <input type="checkbox" data-select-all="NAME">   ticks or clears every row of NAME
 * <input type="checkbox" data-select="NAME">       one row
 * [data-bulk-delete]                               enabled once a row is ticked
 * [data-selected-count]                            how many rows are ticked
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    const name = all.dataset.selectAll;
    const boxes = () => Array.from(document.querySelectorAll("[data-select='" + name + "']"));
    const button = document.querySelector("[data-bulk-delete]");
    const badge = document.querySelector("[data-selected-count]");
    function update() {
      const count = boxes().filter((box) => box.checked).length;
      if (button) button.disabled = count === 0;
      if (badge) {
        badge.textContent = count;
        badge.classList.toggle("d-none", count === 0);
      }
      all.checked = count > 0 && count === boxes().length;
      all.indeterminate = count > 0 && count < boxes().length;
    }
    all.addEventListener("change", () => { boxes().forEach((box) => { box.checked = all.checked; }); update(); });
    boxes().forEach((box) => box.addEventListener("change", update));
    update();
  });
})();
