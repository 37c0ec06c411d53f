// Side-by-side review of one passage and the gold editor (ES module, no build step).
//
// Data comes from two json_script blocks: `review-data` (the passage, annotators, claims, aligned rows
// with their differences and the gold proposal or saved gold), `review-span-extras` (claim id -> the pieces
// of its span other versions of the claim lack) and `review-config` (schema, URLs).
// Everything user-typed is put into the page with textContent, never as HTML.

import { utf16ToCodePoint } from "./text.js";

const data = JSON.parse(document.getElementById("review-data").textContent);
const config = JSON.parse(document.getElementById("review-config").textContent);
const spanExtras = JSON.parse(document.getElementById("review-span-extras")?.textContent || "{}");
const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;

const TEXT = data.passage.text;
// Server offsets count code points (as Python does); slicing this array keeps an emoji one character.
const CHARS = Array.from(TEXT);
const textOf = (start, end) => CHARS.slice(start, end).join("");
const annotators = data.annotators;
const claims = new Map(data.claims.map((claim) => [claim.id, claim]));
const speakers = new Map(data.speakers.map((speaker) => [speaker.id, speaker]));
const schema = config.schema;
const CHOICES = { attribution: schema.attributions, perspective: schema.perspectives, stance: schema.stances };
const perspectiveIndex = new Map(schema.perspectives.map((item, index) => [item.value, index]));
const KEYS = new Map();
for (const [field, items] of Object.entries(CHOICES)) {
  for (const item of items) if (item.key) KEYS.set(item.key, [field, item.value]);
}
const GOLD_FIELDS = ["start", "end", "speaker_id", "mention_start", "mention_end", "attribution", "perspective",
  "stance", "target", "confidence", "note"];

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const labelOf = (field, value) => (CHOICES[field].find((item) => item.value === value) || {}).label || value;
const speakerName = (id) => (id === null || id === undefined ? null : (speakers.get(id) || {}).name || `#${id}`);
const rowClaimIds = (row) => Object.values(row.cells).sort((a, b) => a - b);

function goldItem(source, origin) {
  const item = { origin };
  for (const name of GOLD_FIELDS) item[name] = source[name] ?? null;
  item.note = item.note || "";
  item.target = item.target || schema.default_target;
  item.source_claim_ids = [...(source.source_claim_ids || [])];
  return item;
}

// --- state ------------------------------------------------------------------------------------------

const state = {
  rows: data.rows.map((row, index) => ({
    key: index,
    cells: row.cells,
    differences: row.differences,
    majority: row.majority,
    gold: row.gold ? goldItem(row.gold, data.gold_source === "adjudication" ? "saved" : "majority") : null,
    accepted: false,
    errors: {},
  })),
  version: data.version,
  selected: data.rows.length ? 0 : -1,
  dirty: false,
  saving: false,
  undo: [],
};
let nextKey = state.rows.length;

function change(fn) {
  state.undo.push(structuredClone({ rows: state.rows, selected: state.selected }));
  if (state.undo.length > 100) state.undo.shift();
  fn();
  state.dirty = true;
  setStatus("Unsaved changes", "dirty");
  render();
}

function undo() {
  const previous = state.undo.pop();
  if (!previous) return setStatus("Nothing to undo", "idle");
  state.rows = previous.rows;
  state.selected = previous.selected;
  state.dirty = true;
  setStatus("Undone", "dirty");
  render();
}

const selectedRow = () => state.rows[state.selected] || null;

function select(index, { scroll = true } = {}) {
  if (!state.rows.length) return;
  state.selected = Math.max(0, Math.min(state.rows.length - 1, index));
  render();
  if (scroll) $(`#compare tr[data-row="${state.selected}"]`)?.scrollIntoView({ block: "nearest" });
}

// --- actions ----------------------------------------------------------------------------------------

function accept(index) {
  const row = state.rows[index];
  if (!row) return;
  change(() => {
    if (!row.gold && row.majority) row.gold = goldItem(row.majority, "majority");
    row.accepted = true;
    row.errors = {};
  });
  if (index < state.rows.length - 1) select(index + 1);
}

function useAnnotator(index, annotatorNumber) {
  const row = state.rows[index];
  const annotator = annotators[annotatorNumber];
  if (!row || !annotator) return;
  const claimId = row.cells[String(annotator.id)];
  if (!claimId) return flash(`${annotator.username} marked no claim in this row.`);
  const claim = claims.get(claimId);
  change(() => {
    row.gold = goldItem({ ...claim, confidence: null, note: "", source_claim_ids: rowClaimIds(row) },
      `from ${annotator.username}`);
    row.accepted = true;
    row.errors = {};
  });
}

function removeGold(index) {
  const row = state.rows[index];
  if (!row || !row.gold) return;
  change(() => {
    row.gold = null;
    row.accepted = true;
    row.errors = {};
  });
}

function setField(index, field, value) {
  const row = state.rows[index];
  if (!row) return;
  if (!row.gold) return flash("This row has no gold claim: accept the majority (Enter) or use a version first.");
  change(() => {
    row.gold[field] = value;
    if (field === "attribution" && value === "authorial") row.gold.speaker_id = null;
    if (field === "speaker_id" && value !== null && row.gold.attribution === "authorial") {
      row.gold.attribution = schema.attributions.some((a) => a.value === "indirect") ? "indirect"
        : schema.attributions[0].value;
    }
    row.gold.origin = "edited";
    row.accepted = true;
    delete row.errors[field === "speaker_id" ? "speaker" : field];
  });
}

function respan(index) {
  const row = state.rows[index];
  const span = selectedSpan();
  if (!row || !row.gold) return flash("Select a row with a gold claim to re-span.");
  if (!span) return flash("First select the new words in the passage, then press r.");
  change(() => {
    [row.gold.start, row.gold.end] = span;
    row.gold.origin = "edited";
    row.accepted = true;
    row.errors = {};
  });
  window.getSelection().removeAllRanges();
}

function addClaim() {
  const span = selectedSpan();
  if (!span) return flash("First select the words of the new claim in the passage, then press +.");
  const pick = (items, wanted) => (items.some((i) => i.value === wanted) ? wanted : items[0].value);
  const gold = goldItem({
    start: span[0], end: span[1], attribution: pick(schema.attributions, "indirect"),
    perspective: pick(schema.perspectives, "neutral_mixed"), stance: pick(schema.stances, "neutral"),
  }, "added");
  const row = { key: nextKey++, cells: {}, differences: {}, majority: null, gold, accepted: true, errors: {} };
  change(() => {
    let at = state.rows.findIndex((r) => spanOf(r)[0] > span[0]);
    if (at < 0) at = state.rows.length;
    state.rows.splice(at, 0, row);
    state.selected = at;
  });
  window.getSelection().removeAllRanges();
}

function spanOf(row) {
  if (row.gold) return [row.gold.start, row.gold.end];
  const first = claims.get(Object.values(row.cells)[0]);
  return first ? [first.start, first.end] : [Infinity, Infinity];
}

// --- selection inside a copy of the passage ----------------------------------------------------------

function offsetIn(container, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(container);
  range.setEnd(node, offset);
  return range.toString().length;
}

function selectedSpan() {
  const selection = window.getSelection();
  if (!selection || !selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const container = range.commonAncestorContainer.nodeType === Node.ELEMENT_NODE
    ? range.commonAncestorContainer.closest(".passage-copy")
    : range.commonAncestorContainer.parentElement?.closest(".passage-copy");
  if (!container) return null;
  // The DOM counts UTF-16 units; the gold claim is saved in code points.
  let start = utf16ToCodePoint(TEXT, offsetIn(container, range.startContainer, range.startOffset));
  let end = utf16ToCodePoint(TEXT, offsetIn(container, range.endContainer, range.endOffset));
  while (start < end && /\s/u.test(CHARS[start])) start += 1;
  while (end > start && /\s/u.test(CHARS[end - 1])) end -= 1;
  return start < end ? [start, end] : null;
}

// --- rendering ----------------------------------------------------------------------------------------

function perspectiveStyle(perspective) {
  const index = perspectiveIndex.has(perspective) ? perspectiveIndex.get(perspective) : 5;
  return `--mark: var(--p${index % 6})`;
}

function markedText(spans) {
  // spans: [{start, end, row, perspective, differs}] -> a .passage-copy element with <mark>s
  const container = el("div", { class: "passage-copy", lang: "en" });
  const cuts = new Set([0, CHARS.length]);
  for (const span of spans) cuts.add(span.start).add(span.end);
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    const covering = spans.filter((span) => span.start <= a && span.end >= b);
    const piece = textOf(a, b);
    if (!covering.length) {
      container.append(piece);
      continue;
    }
    const rows = covering.map((span) => span.row);
    const classes = ["m"];
    if (covering.length > 1) classes.push("nested");
    if (covering.some((span) => span.differs)) classes.push("differs");
    if (rows.includes(state.selected)) classes.push("selected");
    container.append(el("mark", {
      class: classes.join(" "),
      "data-rows": rows.join(" "),
      style: perspectiveStyle(covering[covering.length - 1].perspective),
      title: covering.map((span) => span.title).join("\n"),
    }, piece));
  }
  return container;
}

function claimTitle(claim) {
  return [speakerName(claim.speaker_id) || "(no speaker)", labelOf("attribution", claim.attribution),
    labelOf("perspective", claim.perspective), `${labelOf("stance", claim.stance)} · ${claim.target}`].join(" · ");
}

function renderColumns() {
  const columns = $("#columns");
  columns.replaceChildren();
  columns.style.setProperty("--columns", String(annotators.length + 1));
  annotators.forEach((annotator, number) => {
    const spans = [];
    state.rows.forEach((row, index) => {
      const claim = claims.get(row.cells[String(annotator.id)]);
      if (!claim) return;
      spans.push({ start: claim.start, end: claim.end, row: index, perspective: claim.perspective,
        differs: (row.differences[String(annotator.id)] || []).length > 0, title: claimTitle(claim) });
    });
    columns.append(el("article", { class: "column", "data-annotator": annotator.id },
      el("h3", {}, annotator.username, " ", el("span", { class: "muted small", text: `Shift+${number + 1}` }),
        el("span", { class: "count muted small", text: `${spans.length} claim${spans.length === 1 ? "" : "s"}` })),
      markedText(spans)));
  });
  const goldSpans = [];
  state.rows.forEach((row, index) => {
    if (row.gold) goldSpans.push({ ...row.gold, row: index, differs: false, title: claimTitle(row.gold) });
  });
  columns.append(el("article", { class: "column gold", "data-annotator": "gold" },
    el("h3", {}, "Gold", el("span", { class: "count muted small", text: `${goldSpans.length} claim${goldSpans.length === 1 ? "" : "s"}` })),
    markedText(goldSpans)));
  renderColumnTabs();
}

// On a narrow screen the versions do not fit side by side: a tab list shows one at a time (CSS hides the
// tabs on wide screens, where every column shows).
let activeColumn = null;

function renderColumnTabs() {
  const columns = [...$("#columns").children];
  const ids = columns.map((column) => column.dataset.annotator);
  if (!ids.includes(activeColumn)) activeColumn = ids[0];
  $("#column-tabs").replaceChildren(...columns.map((column) => {
    const id = column.dataset.annotator;
    column.id = `column-${id}`;
    column.setAttribute("role", "tabpanel");
    column.setAttribute("aria-labelledby", `tab-${id}`);
    const name = id === "gold" ? "Gold" : (annotators.find((a) => String(a.id) === id) || {}).username;
    return el("button", { type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `column-${id}`,
      "data-column": id, text: name });
  }));
  showColumn(activeColumn);
}

function showColumn(id) {
  activeColumn = id;
  for (const column of $("#columns").children) column.classList.toggle("active", column.dataset.annotator === id);
  for (const tab of $("#column-tabs").children) {
    const selected = tab.dataset.column === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
}

$("#column-tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("[role=tab]");
  if (tab) showColumn(tab.dataset.column);
});

function chip(field, value, differs, display) {
  return el("span", {
    class: `chip chip-${field}${differs ? " diff" : ""}`,
    title: differs ? `${field} differs from the majority` : field,
    style: field === "perspective" ? perspectiveStyle(value) : null,
  }, display ?? labelOf(field, value));
}

const QUOTE_LIMIT = 140;
const QUOTE_HEAD = 90;
const QUOTE_TAIL = 40;

function extraTitle(extra, owner, row) {
  const others = Object.keys(row.cells).filter((id) => id !== String(owner.id));
  const missing = extra.missing_from.map((id) => annotators.find((a) => a.id === id)?.username || `#${id}`);
  if (missing.length === others.length) return `only in ${owner.username}'s span`;
  return `in ${owner.username}'s span, not in ${missing.map((name) => `${name}'s`).join(" or ")}`;
}

// [start, end) as text nodes, with the pieces in `extras` (code points, like the server) as <mark>s.
function markedPieces(start, end, extras, titleOf) {
  const cuts = new Set([start, end]);
  for (const extra of extras) {
    if (extra.start > start && extra.start < end) cuts.add(extra.start);
    if (extra.end > start && extra.end < end) cuts.add(extra.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    const extra = extras.find((e) => e.start <= a && e.end >= b);
    pieces.push(extra ? el("mark", { class: "span-extra", title: titleOf(extra) }, textOf(a, b)) : textOf(a, b));
  }
  return pieces;
}

function quote(start, end, differs, extras = [], titleOf = null) {
  const words = textOf(start, end);
  // Cut long claims in code points, so an emoji is never split and the marks stay on their characters.
  const parts = end - start > QUOTE_LIMIT
    ? [...markedPieces(start, start + QUOTE_HEAD, extras, titleOf), " … ",
      ...markedPieces(end - QUOTE_TAIL, end, extras, titleOf)]
    : markedPieces(start, end, extras, titleOf);
  return el("blockquote", { class: `quote${differs ? " diff" : ""}`, title: `${start}–${end}: ${words}` },
    differs ? el("span", { class: "span-tag", text: "span ≠" }) : null, "“", ...parts, "”");
}

function annotatorCell(row, annotator, number) {
  const claim = claims.get(row.cells[String(annotator.id)]);
  const kinds = row.differences[String(annotator.id)] || [];
  if (!claim) return el("td", { class: "cell missing", "data-annotator": annotator.id }, el("span", { class: "missing-tag", text: "no claim" }));
  return el("td", { class: `cell${kinds.length ? " has-diff" : ""}`, "data-annotator": annotator.id },
    kinds.includes("span")
      ? quote(claim.start, claim.end, true, spanExtras[String(claim.id)] || [],
        (extra) => extraTitle(extra, annotator, row))
      : quote(claim.start, claim.end, false),
    el("div", { class: "chips" },
      chip("speaker", claim.speaker_id, kinds.includes("speaker"), speakerName(claim.speaker_id) || "no speaker"),
      chip("attribution", claim.attribution, kinds.includes("attribution")),
      chip("perspective", claim.perspective, kinds.includes("perspective")),
      chip("stance", claim.stance, kinds.includes("stance")),
      chip("target", claim.target, kinds.includes("target"), claim.target)),
    claim.note ? el("p", { class: "claim-note muted small", text: claim.note }) : null,
    el("button", { type: "button", class: "link use", "data-use": number,
      title: `Use ${annotator.username}'s version as gold (Shift+${number + 1})` }, "use this ", el("kbd", { text: `⇧${number + 1}` })));
}

function selectField(field, value, items, label) {
  const select = el("select", { "data-field": field, "aria-label": label, title: label },
    items.map(([v, text]) => el("option", { value: v === null ? "" : String(v), text })));
  select.value = value === null || value === undefined ? "" : String(value);
  return select;
}

function goldCell(row, index) {
  const cell = el("td", { class: `cell gold${row.gold ? "" : " empty"}${row.accepted ? " accepted" : ""}` });
  if (!row.gold) {
    cell.append(el("span", { class: "missing-tag", text: "not in gold" }));
    if (row.majority) cell.append(" ", el("button", { type: "button", class: "link", "data-action": "accept" }, "add the majority claim ", el("kbd", { text: "Enter" })));
    return cell;
  }
  const gold = row.gold;
  const speakerItems = [[null, "— no speaker —"], ...data.speakers.map((s) => [s.id, s.name])];
  if (gold.speaker_id !== null && !speakers.has(gold.speaker_id)) speakerItems.push([gold.speaker_id, `#${gold.speaker_id}`]);
  const targets = schema.targets.includes(gold.target) ? schema.targets : [...schema.targets, gold.target];
  const errors = Object.entries(row.errors);
  cell.append(
    quote(gold.start, gold.end, false),
    el("div", { class: "gold-fields" },
      selectField("speaker_id", gold.speaker_id, speakerItems, "Speaker (s)"),
      selectField("attribution", gold.attribution, schema.attributions.map((i) => [i.value, i.label || i.value]), "Attribution"),
      selectField("perspective", gold.perspective, schema.perspectives.map((i) => [i.value, i.label || i.value]), "Perspective"),
      selectField("stance", gold.stance, schema.stances.map((i) => [i.value, i.label || i.value]), "Stance"),
      selectField("target", gold.target, targets.map((t) => [t, t]), "Target (t)")),
    el("div", { class: "gold-actions" },
      el("span", { class: "origin", text: gold.origin }),
      row.accepted ? el("span", { class: "accepted-tag", text: "✓ accepted" })
        : el("button", { type: "button", class: "btn small", "data-action": "accept", title: "Accept (Enter)" }, "Accept ", el("kbd", { text: "Enter" })),
      el("button", { type: "button", class: "link", "data-action": "respan", title: "Select new words, then r" }, "re-span ", el("kbd", { text: "r" })),
      el("button", { type: "button", class: "link danger", "data-action": "remove", title: "Remove from gold (Del)" }, "remove ", el("kbd", { text: "Del" }))),
  );
  if (errors.length) {
    cell.append(el("ul", { class: "errors" }, errors.map(([field, message]) => el("li", { text: `${field}: ${message}` }))));
  }
  return cell;
}

function renderTable() {
  const table = $("#compare");
  $("thead", table).replaceChildren(el("tr", {},
    el("th", { class: "row-head", text: "Row" }),
    annotators.map((annotator, number) => el("th", {}, annotator.username, " ", el("span", { class: "muted small", text: `⇧${number + 1}` }))),
    el("th", { class: "gold", text: "Gold" })));
  const body = $("tbody", table);
  body.replaceChildren();
  state.rows.forEach((row, index) => {
    const kinds = [...new Set(Object.values(row.differences).flat())];
    body.append(el("tr", { "data-row": index, class: index === state.selected ? "selected" : "", "aria-selected": String(index === state.selected) },
      el("th", { class: "row-head", scope: "row" },
        el("span", { class: "row-number", text: `#${index + 1}` }),
        el("div", { class: "kinds" }, kinds.length ? kinds.map((kind) => el("span", { class: `kind kind-${kind}`, text: kind }))
          : el("span", { class: "muted small", text: Object.keys(row.cells).length ? "agree" : "gold only" }))),
      annotators.map((annotator, number) => annotatorCell(row, annotator, number)),
      goldCell(row, index)));
  });
  if (!state.rows.length) {
    body.append(el("tr", {}, el("td", { colspan: annotators.length + 2, class: "muted", text: "Nobody marked a claim here. Select words and press + to add a gold claim." })));
  }
}

function render() {
  renderColumns();
  renderTable();
  $("#save").disabled = state.saving;
}

// --- saving ---------------------------------------------------------------------------------------------

function setStatus(message, kind) {
  const status = $("#save-status");
  status.textContent = message;
  status.dataset.state = kind;
}

function flash(message) {
  setStatus(message, "hint");
}

function banner(message, ...actions) {
  const box = $("#banner");
  box.replaceChildren(el("span", { text: message }), ...actions);
  box.hidden = false;
}

async function save() {
  if (state.saving) return;
  state.saving = true;
  render();
  setStatus("Saving…", "saving");
  const goldRows = state.rows.filter((row) => row.gold);
  const body = {
    version: state.version,
    note: $("#note").value,
    claims: goldRows.map((row) => {
      const claim = {};
      for (const name of GOLD_FIELDS) claim[name] = row.gold[name];
      claim.source_claim_ids = row.gold.source_claim_ids;
      return claim;
    }),
  };
  let response;
  try {
    response = await fetch(config.urls.save, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
  } catch (error) {
    state.saving = false;
    render();
    setStatus("Not saved: the server cannot be reached. Try again.", "error");
    return;
  }
  const answer = await response.json().catch(() => ({}));
  state.saving = false;
  state.rows.forEach((row) => { row.errors = {}; });
  if (response.ok) {
    state.version = answer.version;
    state.dirty = false;
    state.rows.forEach((row) => {
      row.accepted = true;
      if (row.gold) row.gold.origin = "saved";
    });
    $("#banner").hidden = true;
    const status = $("#gold-status");
    status.textContent = `gold v${answer.version} by ${answer.reviewer}`;
    status.className = "badge done";
    setStatus(`Saved gold version ${answer.version} (${answer.claims.length} claim${answer.claims.length === 1 ? "" : "s"}).`, "saved");
    render();
    $("#next").focus();
  } else if (response.status === 409) {
    const current = answer.current || {};
    setStatus("Not saved: conflict", "error");
    const who = current.reviewer ? `${current.reviewer} saved gold version ${current.version}` : "The gold version changed";
    banner(`${who} while you were editing, so your changes were not saved over it. `,
      el("button", { type: "button", class: "btn small", "data-action": "reload" }, "Load the newer version"));
    render();
  } else if (response.status === 400) {
    const general = [];
    for (const [key, message] of Object.entries(answer)) {
      const match = /^claims\[(\d+)\]\.(\w+)$/.exec(key);
      const text = Array.isArray(message) ? message.join(" ") : String(message);
      if (match && goldRows[Number(match[1])]) goldRows[Number(match[1])].errors[match[2]] = text;
      else general.push(`${key}: ${typeof message === "string" ? message : JSON.stringify(message)}`);
    }
    setStatus("Not saved: some gold claims need fixing (marked below).", "error");
    if (general.length) banner(general.join(" "));
    render();
  } else {
    setStatus(`Not saved (${response.status}${answer.detail ? `: ${answer.detail}` : ""}).`, "error");
    render();
  }
}

// --- events -------------------------------------------------------------------------------------------

function rowIndexOf(node) {
  const tr = node.closest("tr[data-row]");
  return tr ? Number(tr.dataset.row) : -1;
}

$("#compare").addEventListener("click", (event) => {
  const index = rowIndexOf(event.target);
  if (index < 0) return;
  const use = event.target.closest("[data-use]");
  const action = event.target.closest("[data-action]");
  if (use) useAnnotator(index, Number(use.dataset.use));
  else if (action?.dataset.action === "accept") accept(index);
  else if (action?.dataset.action === "remove") removeGold(index);
  else if (action?.dataset.action === "respan") respan(index);
  else if (!event.target.closest("select, button") && index !== state.selected) select(index, { scroll: false });
});

$("#compare").addEventListener("change", (event) => {
  const field = event.target.dataset.field;
  if (!field) return;
  const index = rowIndexOf(event.target);
  let value = event.target.value;
  if (field === "speaker_id") value = value === "" ? null : Number(value);
  state.selected = index;
  setField(index, field, value);
  $(`#compare tr[data-row="${index}"] select[data-field="${field}"]`)?.focus();
});

$("#columns").addEventListener("click", (event) => {
  const mark = event.target.closest("mark[data-rows]");
  if (!mark || !window.getSelection().isCollapsed) return;
  const rows = mark.dataset.rows.split(" ").map(Number);
  const next = rows.includes(state.selected) ? rows[(rows.indexOf(state.selected) + 1) % rows.length] : rows[0];
  select(next);
});

$("#banner").addEventListener("click", (event) => {
  if (event.target.closest("[data-action=reload]")) {
    state.dirty = false;
    window.location.reload();
  }
});

$("#save").addEventListener("click", save);
$("#note").addEventListener("input", () => {
  state.dirty = true;
  setStatus("Unsaved changes", "dirty");
});
$("#next").addEventListener("click", (event) => {
  if (state.dirty && !window.confirm("Leave without saving the gold version?")) event.preventDefault();
  else state.dirty = false;
});
$("#show-help").addEventListener("click", () => toggleHelp());
$("#help-close").addEventListener("click", () => toggleHelp(false));
window.addEventListener("beforeunload", (event) => {
  if (state.dirty) event.preventDefault();
});

function toggleHelp(show) {
  const help = $("#help");
  help.hidden = show === undefined ? !help.hidden : !show;
  if (!help.hidden) $("#help-close").focus();
}

document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  const command = event.ctrlKey || event.metaKey;
  if (command && (event.key === "Enter" || event.key.toLowerCase() === "s")) {
    event.preventDefault();
    save();
    return;
  }
  if (event.key === "Escape") {
    if (!$("#help").hidden) toggleHelp(false);
    else if (typing) event.target.blur();
    return;
  }
  if (typing || event.altKey) return;
  if (event.key === "Enter" && event.target.closest("button, a")) return; // let the focused control act
  if (command) {
    if (event.key.toLowerCase() === "z") {
      event.preventDefault();
      undo();
    }
    return;
  }
  const index = state.selected;
  if (event.shiftKey && /^Digit[1-9]$/.test(event.code)) {
    event.preventDefault();
    useAnnotator(index, Number(event.code.slice(5)) - 1);
    return;
  }
  const actions = {
    ".": () => select(index + 1),
    ",": () => select(index - 1),
    Enter: () => accept(index),
    Delete: () => removeGold(index),
    Backspace: () => removeGold(index),
    r: () => respan(index),
    "+": () => addClaim(),
    z: () => undo(),
    j: () => $("#next").click(),
    e: () => $("#note").focus(),
    t: () => $(`#compare tr[data-row="${index}"] select[data-field="target"]`)?.focus(),
    s: () => $(`#compare tr[data-row="${index}"] select[data-field="speaker_id"]`)?.focus(),
    "?": () => toggleHelp(),
  };
  if (actions[event.key]) {
    event.preventDefault();
    actions[event.key]();
  } else if (KEYS.has(event.key) && !event.shiftKey) {
    event.preventDefault();
    const [field, value] = KEYS.get(event.key);
    setField(index, field, value);
  }
});

render();
