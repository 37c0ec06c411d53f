// The label schema editor: add, remove and reorder rows. The form posts the same fields without it
// (a blank row to add, a remove box, an order number), so this only makes those quicker.
"use strict";

(function () {
  const page = document.querySelector(".schema-page");
  const form = document.getElementById("schema-form");
  if (!page || !form) return;
  page.classList.add("js"); // hides the order numbers: the arrows set them

  const rowsOf = (tbody) => Array.from(tbody.querySelectorAll("tr.schema-row"));

  function renumber(tbody) {
    rowsOf(tbody).forEach((row, position) => {
      const order = row.querySelector("input.order");
      if (order) order.value = String(position);
    });
  }

  function addMoveButtons(row) {
    const cell = row.querySelector("td");
    if (!cell || cell.querySelector(".move")) return;
    for (const [text, step, label] of [["↑", -1, "Move up"], ["↓", 1, "Move down"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "move";
      button.textContent = text;
      button.setAttribute("aria-label", label);
      button.dataset.step = String(step);
      cell.append(button);
    }
  }

  function nextIndex(section) {
    // Row names are <list>-<n>-<field>: a new row takes the first n no row uses.
    let highest = -1;
    for (const input of section.querySelectorAll("tbody input[name$='-order']")) {
      const n = Number(input.name.split("-").at(-2));
      if (n > highest) highest = n;
    }
    return highest + 1;
  }

  for (const section of form.querySelectorAll("section[data-list]")) {
    const tbody = section.querySelector("tbody");
    rowsOf(tbody).forEach(addMoveButtons);
    const template = section.querySelector("template.row-template");
    const add = section.querySelector("button.add-row");
    if (template && add) {
      add.hidden = false;
      add.addEventListener("click", () => {
        const html = template.innerHTML.replaceAll("__index__", String(nextIndex(section)));
        tbody.insertAdjacentHTML("beforeend", html);
        const row = tbody.lastElementChild;
        addMoveButtons(row);
        renumber(tbody);
        row.querySelector("input[name$='-label']").focus();
      });
    }
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button.move");
    if (!button) return;
    const row = button.closest("tr");
    const tbody = row.parentElement;
    if (button.dataset.step === "-1" && row.previousElementSibling) tbody.insertBefore(row, row.previousElementSibling);
    if (button.dataset.step === "1" && row.nextElementSibling) tbody.insertBefore(row.nextElementSibling, row);
    renumber(tbody);
    button.focus();
  });

  form.addEventListener("change", (event) => {
    if (event.target.matches("input.remove")) event.target.closest("tr").classList.toggle("removed", event.target.checked);
  });

  form.addEventListener("input", (event) => {
    if (!event.target.matches("input.colour")) return;
    const swatch = event.target.parentElement.querySelector(".swatch");
    if (swatch) swatch.style.background = event.target.value || "transparent";
  });
})();
