// The review page's history (read-only): the passage's gold version, or any annotator's claim, as
// recorded change by change (who, when, before → after). Data comes from the page's json_script blocks
// and the API's history endpoints; claim_history.js renders it with textContent only.

import { renderChanges } from "./claim_history.js";

const $ = (id) => document.getElementById(id);
const review = JSON.parse($("review-data").textContent);
const config = JSON.parse($("review-config").textContent);
const details = $("review-history");
const choice = $("review-history-of");
const list = $("review-history-list");
const status = $("review-history-status");
let request = 0;

function option(value, label) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = label;
  return node;
}

function fillChoices() {
  const names = new Map(review.annotators.map((person) => [person.id, person.username]));
  const options = [option("gold", "Gold version of this passage")];
  for (const claim of review.claims) {
    const text = claim.text.length > 60 ? `${claim.text.slice(0, 59)}…` : claim.text;
    options.push(option(String(claim.id), `${names.get(claim.annotator_id) || "annotator"}: “${text}”`));
  }
  choice.replaceChildren(...options);
}

async function load() {
  const seq = ++request;
  const path = choice.value === "gold"
    ? `review-passages/${review.passage.id}/history/`
    : `claims/${choice.value}/history/`;
  status.textContent = "Loading…";
  let data = null;
  try {
    const response = await fetch(config.urls.api + path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    data = response.ok ? await response.json() : null;
  } catch {
    data = null;
  }
  if (seq !== request) return;
  if (!data) {
    status.textContent = "The history could not be loaded.";
    list.replaceChildren();
    return;
  }
  renderChanges(list, data.results, { schema: config.schema });
  status.textContent = data.results.length ? (data.next ? "Showing the latest changes." : "") : "No recorded changes.";
}

if (details) {
  fillChoices();
  details.addEventListener("toggle", () => { if (details.open) load(); });
  choice.addEventListener("change", load);
}
