// History of a claim (or of a passage's gold version): the recorded changes, newest first, each with who,
// when and what changed (before → after), from the API's history endpoints. In the editor the panel sits
// in the claim form ("History", key h) and offers "Restore" for each earlier version of one's own claim;
// the review page shows the same entries read-only. Everything the server sends is put in with
// textContent: nothing in a change is ever parsed as markup.

const FIELD_NAMES = {
  span: "span", text: "text", speaker: "speaker", mention: "speaker mention", attribution: "attribution",
  perspective: "perspective", stance: "stance", target: "target", confidence: "confidence", note: "note",
  claims: "gold claims", name: "name", kind: "kind", affiliation: "affiliation", aliases: "aliases",
  approved: "approved",
};
const ACTIONS = {
  create: "created", update: "changed", delete: "deleted", restore: "restored", import: "imported",
  approve: "approved", speaker_merge: "speaker merge", speaker_merge_undo: "speaker merge undone",
  schema_move: "label renamed or merged",
};
const CHOICE_LISTS = { attribution: "attributions", perspective: "perspectives", stance: "stances" };
const QUOTE_LIMIT = 80;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function clip(text) {
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT - 1)}…` : text;
}

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// One side of a change as words: labels from the schema, speakers by name, long text clipped.
function shown(field, side, { schema, speakers }) {
  if (!side) return "—";
  if (field === "span") return side.start === undefined && side.end === undefined ? "—" : `${side.start ?? "?"}–${side.end ?? "?"}`;
  if (field === "mention") return side.mention_start === null || side.mention_start === undefined ? "—" : `${side.mention_start}–${side.mention_end}`;
  const value = side[field];
  if (value === null || value === undefined || value === "") return "—";
  if (field === "speaker") return speakers[String(value)] || `speaker #${value}`;
  if (CHOICE_LISTS[field] && schema && schema[CHOICE_LISTS[field]]) {
    const item = schema[CHOICE_LISTS[field]].find((x) => x.value === value);
    return item ? item.label || item.value : String(value);
  }
  if (field === "claims") return `${value.length} gold claim${value.length === 1 ? "" : "s"}`;
  if (Array.isArray(value)) return value.join(", ") || "—";
  if (typeof value === "string") return `“${clip(value)}”`;
  return String(value);
}

// The fields a change touched, with start/end and mention_start/mention_end shown as one span each.
export function changedFields(change) {
  const names = new Set([...Object.keys(change.before || {}), ...Object.keys(change.after || {})]);
  const fields = [];
  for (const name of names) {
    const field = name === "start" || name === "end" ? "span" : name.startsWith("mention_") ? "mention" : name;
    if (field === "source_claim_ids" || fields.includes(field)) continue;
    fields.push(field);
  }
  const order = Object.keys(FIELD_NAMES);
  return fields.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
}

function describeChange(change, context) {
  const items = [];
  const onlyAfter = change.before === null;
  const onlyBefore = change.after === null;
  for (const field of changedFields(change)) {
    // A creation lists what the claim said; a deletion what it said last; the rest before → after.
    if ((onlyAfter || onlyBefore) && !["text", "speaker", "perspective", "stance", "claims", "name"].includes(field)) continue;
    const li = el("li");
    li.append(el("span", "history-field", `${FIELD_NAMES[field] || field}: `));
    if (onlyAfter) li.append(el("span", "history-after", shown(field, change.after, context)));
    else if (onlyBefore) li.append(el("span", "history-before", shown(field, change.before, context)));
    else {
      li.append(el("del", "history-before", shown(field, change.before, context)), " → ",
        el("ins", "history-after", shown(field, change.after, context)));
    }
    items.push(li);
  }
  return items;
}

// Render `changes` into `list` (an <ol>); `restorable(change)` says which get a Restore button, whose
// click calls onRestore(change.version).
export function renderChanges(list, changes, { schema, restorable = () => false, onRestore = null } = {}) {
  const entries = changes.map((change) => {
    const li = el("li", "history-entry");
    li.dataset.version = change.version === null ? "" : String(change.version);
    li.dataset.action = change.action;
    const head = el("div", "history-head");
    if (change.version !== null) head.append(el("strong", "history-version", `v${change.version}`), " ");
    let action = ACTIONS[change.action] || change.action;
    if (change.action === "restore" && change.detail && change.detail.restored_from) action = `restored v${change.detail.restored_from}`;
    head.append(el("span", "history-action", action), " · ", el("span", "history-actor", change.actor || "(someone removed)"), " · ");
    const time = el("time", "history-at", when(change.at));
    time.dateTime = change.at;
    head.append(time);
    if (onRestore && restorable(change)) {
      const button = el("button", "link history-restore", `Restore v${change.version}`);
      button.type = "button";
      button.dataset.version = String(change.version);
      head.append(" ", button);
    }
    li.append(head);
    const lines = describeChange(change, { schema, speakers: change.speakers || {} });
    if (lines.length) {
      const ul = el("ul", "history-changes");
      ul.append(...lines);
      li.append(ul);
    }
    return li;
  });
  list.replaceChildren(...entries);
}

// The editor's panel. getClaim() is the selected claim ({id, version, …} or null), editable() whether it
// is one's own; onRestore(version) brings back that version.
export function claimHistoryPanel({ api, schema, getClaim, editable, onRestore }) {
  const $ = (id) => document.getElementById(id);
  const details = $("claim-history");
  const list = $("history-list");
  const status = $("history-status");
  const more = $("history-more");
  let shownFor = null; // "id:version" whose history is on screen
  let next = null;
  let changes = [];
  let request = 0;
  let reveal = false; // opened from the keyboard: bring the entries into view once they are drawn

  function restorable(change) {
    const claim = getClaim();
    return Boolean(claim && editable() && change.version !== null && change.version < claim.version && change.action !== "delete");
  }

  function draw() {
    renderChanges(list, changes, { schema, restorable, onRestore });
    more.hidden = !next;
  }

  async function load(claim, { older = false } = {}) {
    const seq = ++request;
    status.textContent = "Loading…";
    const path = older && next ? next : `claims/${claim.id}/history/`;
    const result = await api("GET", path).catch(() => null);
    if (seq !== request) return; // another claim or a newer version was asked for meanwhile
    if (!result || !result.ok) {
      status.textContent = "The history could not be loaded; open it again to retry.";
      shownFor = null;
      return;
    }
    changes = older ? [...changes, ...result.data.results] : result.data.results;
    next = result.data.next ? relative(result.data.next) : null;
    status.textContent = changes.length ? "" : "No recorded changes.";
    draw();
    if (reveal) {
      reveal = false;
      (list.firstElementChild || details).scrollIntoView({ block: "nearest" });
    }
  }

  // The API answers absolute `next` links; api() takes paths under the API root.
  function relative(url) {
    const at = url.indexOf("/api/v1/");
    return at >= 0 ? url.slice(at + "/api/v1/".length) : url;
  }

  function refresh() {
    const claim = getClaim();
    const saved = claim && claim.id !== null;
    details.hidden = !saved;
    if (!saved) {
      shownFor = null;
      return;
    }
    const key = `${claim.id}:${claim.version}`;
    // Drawn again only when the claim's version changes, so that a focused Restore button keeps focus.
    if (details.open && key !== shownFor) {
      shownFor = key;
      load(claim);
    }
  }

  details.addEventListener("toggle", () => {
    if (!details.open) shownFor = null;
    refresh();
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button.history-restore");
    if (button) onRestore(Number(button.dataset.version));
  });
  more.addEventListener("click", () => {
    const claim = getClaim();
    if (claim && next) load(claim, { older: true });
  });

  return {
    refresh,
    toggle(open = !details.open) {
      if (details.hidden) return;
      reveal = open;
      details.open = open;
    },
    error(message) {
      status.textContent = message;
    },
  };
}
