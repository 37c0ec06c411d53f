// The span editor: claims as highlights over a passage, a side panel to label them, autosave through the
// REST API (/api/v1/), keyboard first. No build step: a plain ES module.
//
// Offsets: the server counts characters as Python does (code points); a JS string counts UTF-16 units, so
// an emoji before a claim shifts it by one per emoji. Claims keep server offsets (code points) and the
// DOM side converts with utf16ToCodePoint / codePointToUtf16 at the edges.

import { utf16ToCodePoint, codePointToUtf16, snapToWords, wordSpans, sentenceSpans, segmentsFor } from "./text.js";
import { activeTimeTracker } from "./active_time.js";
import { passageNavigator, flagLabel } from "./navigator.js";
import { flagDialog } from "./flag.js";
import { chordOf, renderHelp } from "./keys.js";
import { suggestionsController } from "./suggestions.js";
import { claimHistoryPanel } from "./claim_history.js";

// Re-exported so the helpers can be checked from the page that loads the editor.
export { utf16ToCodePoint, codePointToUtf16, snapToWords, wordSpans, sentenceSpans, segmentsFor };

// --- state --------------------------------------------------------------------------------------------

const FIELDS = [
  "start", "end", "text", "speaker", "mention_start", "mention_end",
  "attribution", "perspective", "stance", "target", "confidence", "note", "suggestion",
];
const PALETTE = ["#2e6fdf", "#d93a2f", "#7c4dbd", "#8b5a2b", "#0f9488", "#7a7f8a", "#c2410c", "#be185d"];
const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
const TEXT_SAVE_DELAY = 600;

const $ = (id) => document.getElementById(id);
const state = {
  config: null,
  ws: null, // the workspace from the API: assignment, passage, context, navigation, progress, editable
  text: "",
  claims: [], // local claims (see newClaim), in no particular order
  selected: null, // key of the selected claim
  armed: null, // "respan" | "mention": the next text selection goes to the selected claim
  cursor: 0, // UTF-16 offset where keyboard word/sentence moves continue
  undo: [],
  banner: null,
  loading: false,
  nextKey: 1,
  pointer: null, // the last pointer: {down, type} ("mouse" | "touch" | "pen")
  selectionTimer: null,
  navigator: null, // navigator.js
  flag: null, // flag.js
  suggestions: null, // suggestions.js
  claimHistory: null, // claim_history.js
};

function newClaim(fields, server) {
  const claim = {
    key: state.nextKey++,
    id: server ? server.id : null,
    version: server ? server.version : null,
    saved: server ? pick(server) : null, // the last state the server confirmed
    inflight: false,
    deleted: false,
    error: null, // {kind: "retry" | "invalid" | "fatal", message, fields, payload}
    // A create the server may have committed although its answer was lost: {key, payload, sent}, sent
    // again as it was, with the same Idempotency-Key, until an answer says what became of it.
    createRequest: null,
    attempts: 0,
    timer: null,
    touched: new Set(server ? FIELDS : []),
    ...pick(fields),
  };
  return claim;
}

function pick(source) {
  const out = {};
  for (const name of FIELDS) out[name] = source[name] === undefined ? null : source[name];
  if (out.note === null) out.note = "";
  return out;
}

function same(name, a, b) {
  if (name === "speaker") return (a ? a.id : null) === (b ? b.id : null);
  return (a ?? null) === (b ?? null);
}

function dirtyFields(claim) {
  if (!claim.saved) return FIELDS.slice();
  return FIELDS.filter((name) => !same(name, claim[name], claim.saved[name]));
}

function complete(claim) {
  return Boolean(claim.attribution && claim.perspective && claim.stance && claim.start < claim.end);
}

function missing(claim) {
  return ["perspective", "stance"].filter((name) => !claim[name]);
}

const liveClaims = () => state.claims.filter((c) => !c.deleted);
const selectedClaim = () => state.claims.find((c) => c.key === state.selected && !c.deleted) || null;
const editable = () => Boolean(state.ws && state.ws.editable);

// --- API ----------------------------------------------------------------------------------------------

function csrfToken() {
  // The cookie follows a new login in another tab (Django rotates the token then); the form copy does not.
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

async function api(method, path, body, extraHeaders = {}) {
  const response = await fetch(state.config.urls.api + path, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken(), ...extraHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  return { status: response.status, ok: response.ok, data };
}

/** A fresh random key (a version 4 UUID) for one create request. */
export function newIdempotencyKey() {
  const cryptoApi = globalThis.crypto;
  // randomUUID exists only in secure contexts (HTTPS or localhost); getRandomValues everywhere.
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
  const bytes = new Uint8Array(16);
  if (cryptoApi && typeof cryptoApi.getRandomValues === "function") cryptoApi.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function payloadOf(claim, names) {
  const body = {};
  for (const name of names) {
    body[name] = name === "speaker" ? (claim.speaker ? claim.speaker.id : null) : claim[name];
  }
  return body;
}

// --- saving -------------------------------------------------------------------------------------------
// One request per claim at a time; changes made meanwhile are sent when it returns, on top of the new
// version. A failure keeps the change and retries with backoff; a 409 shows the newer claim instead.
// Every create carries a fresh Idempotency-Key and a retried create repeats the same request with the same
// key, so a create that was saved although its answer was lost (a 502, a dropped connection) is answered
// with the claim it made rather than saved twice; later edits follow it as an update.

function needsSync(claim) {
  // A deleted claim whose create may have gone through is created (or found) first, then deleted.
  if (claim.deleted) return claim.id !== null || claim.inflight || claim.createRequest !== null;
  if (claim.id === null) return complete(claim);
  return dirtyFields(claim).length > 0;
}

function scheduleSync(claim, delay = 0) {
  clearTimeout(claim.timer);
  claim.timer = setTimeout(() => {
    claim.timer = null;
    sync(claim);
  }, delay);
  render();
}

async function sync(claim) {
  if (claim.inflight || claim.timer) return;
  if (claim.deleted && claim.id === null && !claim.createRequest) {
    drop(claim);
    return;
  }
  if (!needsSync(claim)) {
    render();
    return;
  }
  const kind = claim.id === null ? "create" : claim.deleted ? "delete" : "update";
  const names = kind === "create" ? FIELDS : kind === "update" ? dirtyFields(claim) : [];
  if (kind === "create" && !claim.createRequest) {
    claim.createRequest = { key: newIdempotencyKey(), payload: payloadOf(claim, names), sent: pick(claim) };
  }
  const sent = kind === "create" ? claim.createRequest.sent : pick(claim); // to tell later edits from them
  const payload = kind === "create" ? claim.createRequest.payload : payloadOf(claim, names);
  const fingerprint = JSON.stringify([kind, payload]);
  if (claim.error && claim.error.kind === "invalid" && claim.error.payload === fingerprint) return;
  claim.inflight = true;
  render();
  let result;
  try {
    if (kind === "delete") {
      result = await api("DELETE", `claims/${claim.id}/?version=${claim.version}`);
    } else if (kind === "create") {
      const body = { assignment: state.ws.assignment.id, ...payload };
      result = await api("POST", "claims/", body, { "Idempotency-Key": claim.createRequest.key });
    } else {
      result = await api("PATCH", `claims/${claim.id}/`, { version: claim.version, ...payload });
    }
  } catch {
    result = { status: 0, ok: false, data: null };
  }
  claim.inflight = false;
  if (!state.claims.includes(claim)) return; // dropped meanwhile
  handleResult(claim, { kind, names, sent, fingerprint }, result);
  if (!claim.error && needsSync(claim) && state.claims.includes(claim)) sync(claim);
  render();
}

function handleResult(claim, request, result) {
  const { status, ok, data } = result;
  // These answers settle a create (saved or found, refused, gone); after any other the same request goes again.
  if (request.kind === "create" && (ok || [400, 404, 409, 422].includes(status))) claim.createRequest = null;
  if (ok) {
    state.savedOnce = true;
    claim.error = null;
    claim.attempts = 0;
    if (request.kind === "delete") {
      drop(claim);
      return;
    }
    claim.id = data.id;
    claim.version = data.version;
    // The server's values for what we sent become the saved state; a field still holding what we sent
    // takes the server's form of it (e.g. a trimmed target); one edited meanwhile stays dirty, goes next.
    const stored = pick(data);
    const saved = claim.saved ? { ...claim.saved } : stored;
    for (const name of request.names) {
      saved[name] = stored[name];
      if (same(name, claim[name], request.sent[name])) claim[name] = stored[name];
    }
    claim.saved = saved;
    if (request.kind === "create" && ["assigned", "skipped"].includes(state.ws.assignment.status)) {
      setAssignmentStatus("in_progress");
    }
    return;
  }
  if (status === 409) {
    conflict(claim, data ? data.current : null, data ? data.detail : "");
    return;
  }
  if (status === 400) {
    const fields = data || {};
    claim.error = { kind: "invalid", message: "Not saved: fix the marked fields.", fields, payload: request.fingerprint };
    return;
  }
  if (status === 404 && request.kind !== "create") {
    conflict(claim, null, "This claim was deleted elsewhere.");
    return;
  }
  if (status === 404) {
    claim.error = { kind: "fatal", message: "Not saved: this passage is no longer yours to edit." };
    return;
  }
  // Network failure, 5xx, 403 (session ended), 429: keep the change and try again.
  const delay = RETRY_DELAYS[Math.min(claim.attempts, RETRY_DELAYS.length - 1)];
  claim.attempts += 1;
  const why = status === 403 ? "you seem to be logged out (log in again in another tab)" : `error ${status || "offline"}`;
  claim.error = { kind: "retry", message: `Not saved (${why}) — retrying`, retryAt: Date.now() + delay };
  scheduleSync(claim, delay);
}

function conflict(claim, current, detail) {
  state.undo = state.undo.filter((entry) => entry.key !== claim.key); // never undo over someone's newer edit
  if (!current) {
    drop(claim);
    showBanner(`${detail || "This claim was deleted elsewhere."} It was removed here too.`, "conflict");
    return;
  }
  const replacement = newClaim(current, current);
  replacement.key = claim.key;
  clearTimeout(claim.timer);
  Object.assign(claim, replacement, { error: null, attempts: 0, deleted: false });
  showBanner(
    "This claim was changed in another tab or window. Showing the newer version; your change was not saved.",
    "conflict",
  );
}

// Bring back an earlier version of the selected claim as a new version (POST claims/{id}/restore/); the
// claim must be saved first, so that the version the restore is based on is the one on screen.
async function restoreVersion(version) {
  const claim = selectedClaim();
  if (!claim || claim.id === null || !editable()) return;
  if (claim.inflight || claim.timer || claim.error || dirtyFields(claim).length) {
    state.claimHistory.error("Wait until this claim is saved, then restore.");
    return;
  }
  let result;
  try {
    result = await api("POST", `claims/${claim.id}/restore/`, { version, current_version: claim.version });
  } catch {
    result = { status: 0, ok: false, data: null };
  }
  if (!state.claims.includes(claim)) return;
  if (result.ok) {
    const restored = newClaim(result.data, result.data);
    restored.key = claim.key;
    Object.assign(claim, restored, { error: null, attempts: 0, deleted: false });
    state.undo = state.undo.filter((entry) => entry.key !== claim.key); // undo would write over the restore
    showBanner(`Version ${version} restored as version ${result.data.version}.`, "info");
  } else if (result.status === 409) {
    conflict(claim, result.data ? result.data.current : null, result.data ? result.data.detail : "");
  } else {
    const fields = result.data && typeof result.data === "object" ? Object.values(result.data).flat() : [];
    state.claimHistory.error(`Not restored: ${fields.join(" ") || `error ${result.status || "offline"}`}`);
  }
  render();
}

function drop(claim) {
  clearTimeout(claim.timer);
  state.claims = state.claims.filter((c) => c !== claim);
  if (state.selected === claim.key) state.selected = null;
  render();
}

function retryAll() {
  for (const claim of state.claims) {
    if (claim.error && claim.error.kind === "retry") {
      claim.error = null;
      claim.attempts = 0;
      clearTimeout(claim.timer);
      claim.timer = null;
      sync(claim);
    }
  }
}

function unsaved() {
  // A "fatal" error (the passage is no longer this user's) cannot be saved by waiting: it is shown, and
  // does not hold the annotator on the passage.
  const stuck = (c) => c.error && c.error.kind === "fatal";
  return state.claims.filter(
    (c) => !stuck(c) && (c.inflight || c.timer || c.error || (needsSync(c) && !(c.id === null && !complete(c)))),
  );
}

function incompleteDrafts() {
  return liveClaims().filter((c) => c.id === null && !complete(c));
}

// --- editing (every user change goes through here: undo entry, then save) --------------------------------

function change(claim, values, { delay = 0, coalesce = false, touch = null } = {}) {
  if (!claim || !editable()) return;
  const before = {};
  for (const name of Object.keys(values)) before[name] = claim[name];
  const top = state.undo[state.undo.length - 1];
  // Until its first save a new claim's edits belong to its "create" entry: undo removes it whole.
  const draft = claim.id === null && !claim.inflight && !claim.createRequest;
  const sameField = top && top.type === "change" && top.key === claim.key && Object.keys(top.before).join() === Object.keys(before).join();
  if (draft) {
    // no entry of its own
  } else if (!(coalesce && sameField && Date.now() - top.at < 2000)) {
    state.undo.push({ type: "change", key: claim.key, before, at: Date.now() });
  } else {
    top.at = Date.now();
  }
  Object.assign(claim, values);
  // "Touched" fields were chosen by the annotator; the others (suggestions) may still follow the speaker.
  for (const name of touch || Object.keys(values)) claim.touched.add(name);
  if (claim.error && claim.error.kind === "invalid") claim.error = null;
  scheduleSync(claim, delay);
}

function setSpan(claim, start16, end16) {
  const start = utf16ToCodePoint(state.text, start16);
  const end = utf16ToCodePoint(state.text, end16);
  change(claim, { start, end, text: state.text.slice(start16, end16) }, { delay: claim.id ? 400 : 0, coalesce: true });
  state.cursor = end16;
}

function createDraft(start16, end16) {
  if (!editable()) return null;
  const claim = newClaim({
    start: utf16ToCodePoint(state.text, start16),
    end: utf16ToCodePoint(state.text, end16),
    text: state.text.slice(start16, end16),
    attribution: defaultAttribution(null),
    target: state.config.schema.default_target || (state.config.schema.targets || [""])[0],
    note: "",
  });
  // A draft without perspective and stance is not saved yet; discard any other such draft first.
  for (const other of incompleteDrafts()) drop(other);
  state.claims.push(claim);
  state.selected = claim.key;
  state.cursor = end16;
  state.undo.push({ type: "create", key: claim.key, at: Date.now() });
  render();
  return claim;
}

function defaultAttribution(speaker) {
  const values = state.config.schema.attributions.map((a) => a.value);
  if (!speaker && values.includes("authorial")) return "authorial";
  return values.includes("indirect") ? "indirect" : values[0];
}

function perspectiveFor(speaker) {
  if (!speaker || !speaker.affiliation) return null;
  const item = state.config.schema.affiliations.find((a) => a.value === speaker.affiliation);
  return item && item.perspective ? item.perspective : null;
}

function setSpeaker(claim, speaker) {
  const values = { speaker };
  if (speaker) {
    if (!claim.touched.has("attribution") || claim.attribution === "authorial") values.attribution = defaultAttribution(speaker);
    const suggested = perspectiveFor(speaker);
    if (suggested && !claim.touched.has("perspective")) values.perspective = suggested;
    rememberSpeaker(speaker);
  } else {
    values.mention_start = null;
    values.mention_end = null;
  }
  change(claim, values, { touch: ["speaker"] });
}

// The annotator's last 9 speakers (this browser, this project), newest first: in the empty speaker search
// a digit picks one, so a speaker who talks again costs two keys ("s", "1") instead of a search.
const RECENT_SPEAKERS = 9;

function recentKey() {
  return `annotator.recent-speakers.${state.config.project.id}.${state.config.user}`;
}

function recentSpeakers() {
  try {
    const list = JSON.parse(localStorage.getItem(recentKey()) || "[]");
    return Array.isArray(list) ? list.slice(0, RECENT_SPEAKERS) : [];
  } catch {
    return [];
  }
}

function rememberSpeaker(speaker) {
  const { id, name, kind, affiliation } = speaker;
  const list = [{ id, name, kind, affiliation }, ...recentSpeakers().filter((s) => s.id !== id)].slice(0, RECENT_SPEAKERS);
  try {
    localStorage.setItem(recentKey(), JSON.stringify(list));
  } catch {
    // storage full or disabled: the digits simply find nothing
  }
}

function chooseRecent(index) {
  const speaker = recentSpeakers()[index];
  const claim = selectedClaim();
  if (!speaker || !claim) return;
  setSpeaker(claim, speaker);
  closeSpeakerSearch();
  $("f-speaker").value = "";
  $("f-speaker").blur();
}

function setAttribution(claim, value) {
  const values = { attribution: value };
  if (value === "authorial") Object.assign(values, { speaker: null, mention_start: null, mention_end: null });
  change(claim, values);
}

function deleteClaim(claim) {
  if (!claim || !editable()) return;
  state.undo.push({ type: "delete", key: claim.key, snapshot: pick(claim), at: Date.now() });
  claim.deleted = true;
  if (state.selected === claim.key) state.selected = null;
  if (claim.error && claim.error.kind === "invalid") claim.error = null;
  scheduleSync(claim);
}

function undo() {
  const entry = state.undo.pop();
  if (!entry) {
    showBanner("Nothing to undo.", "info");
    return;
  }
  const claim = state.claims.find((c) => c.key === entry.key);
  if (entry.type === "create") {
    if (claim) {
      state.cursor = span16(claim)[0]; // so that ↓ / → pick the same words again
      claim.deleted = true;
      if (state.selected === claim.key) state.selected = null;
      scheduleSync(claim);
    }
  } else if (entry.type === "change") {
    if (!claim || claim.deleted) return undo();
    Object.assign(claim, entry.before);
    state.selected = claim.key;
    scheduleSync(claim);
  } else if (entry.type === "delete") {
    if (claim && claim.deleted && !claim.inflight) {
      // Not deleted on the server yet (waiting to retry): simply keep it.
      clearTimeout(claim.timer);
      Object.assign(claim, { deleted: false, error: null, attempts: 0, timer: null });
      state.selected = claim.key;
      render();
      return;
    }
    const restored = newClaim(entry.snapshot);
    restored.touched = new Set(FIELDS);
    state.claims.push(restored);
    state.selected = restored.key;
    scheduleSync(restored);
  }
  showBanner("Undone.", "info");
}

// --- rendering ----------------------------------------------------------------------------------------

function span16(claim) {
  return [codePointToUtf16(state.text, claim.start), codePointToUtf16(state.text, claim.end)];
}

function perspectiveColour(value) {
  const index = state.config.schema.perspectives.findIndex((p) => p.value === value);
  return index < 0 ? "#98a2b3" : PALETTE[index % PALETTE.length];
}

function renderPassage() {
  const passage = $("passage");
  const spans = liveClaims().map((claim) => {
    const [start, end] = span16(claim);
    return { start, end, claim };
  });
  const selected = selectedClaim();
  const mention = selected && selected.mention_start !== null && selected.mention_end !== null
    ? { start: codePointToUtf16(state.text, selected.mention_start), end: codePointToUtf16(state.text, selected.mention_end), mention: true }
    : null;
  const suggested = state.suggestions.open(liveClaims()).map((suggestion) => {
    const [start, end] = span16(suggestion);
    return { start, end, suggestion };
  });
  const pieces = segmentsFor(state.text.length, [...spans, ...suggested, ...(mention ? [mention] : [])]);
  const nodes = [];
  for (const piece of pieces) {
    const text = state.text.slice(piece.start, piece.end);
    const covering = piece.spans.filter((s) => s.claim).sort((a, b) => (b.end - b.start) - (a.end - a.start));
    const inMention = piece.spans.some((s) => s.mention);
    const proposals = piece.spans.filter((s) => s.suggestion).map((s) => s.suggestion);
    if (!covering.length && !inMention) {
      nodes.push(proposals.length ? suggestedSpan(text, proposals) : document.createTextNode(text));
      continue;
    }
    const mark = document.createElement("mark");
    mark.textContent = text;
    if (covering.length) {
      // Outer claims first: each draws a 2 px band under the text, the innermost at the bottom.
      mark.dataset.claims = covering.map((s) => s.claim.key).join(" ");
      mark.style.setProperty("--depth", String(Math.min(covering.length, 4)));
      mark.style.boxShadow = covering
        .map((s, i) => `inset 0 -${2 * (covering.length - i)}px 0 ${perspectiveColour(s.claim.perspective)}`)
        .reverse()
        .join(", ");
      if (selected && covering.some((s) => s.claim === selected)) mark.classList.add("selected");
      if (covering.some((s) => s.claim.id === null)) mark.classList.add("draft");
      if (covering.some((s) => s.claim.error)) mark.classList.add("unsaved");
      mark.title = covering.map((s) => describe(s.claim)).reverse().join("\n");
    } else {
      mark.classList.add("plain");
    }
    if (inMention) mark.classList.add("mention");
    markSuggested(mark, proposals);
    nodes.push(mark);
  }
  passage.replaceChildren(...nodes);
}

// A suggestion alone is a <span>, not a <mark>: marks stand for the annotator's own claims and mentions.
function suggestedSpan(text, proposals) {
  const span = document.createElement("span");
  span.textContent = text;
  span.title = proposals.map((s) => state.suggestions.describe(s)).join("\n");
  markSuggested(span, proposals);
  return span;
}

function markSuggested(element, proposals) {
  if (!proposals.length) return;
  // Dashed outline, no fill: a suggestion is not a claim until the annotator accepts it.
  element.classList.add("suggested");
  element.dataset.suggestions = proposals.map((s) => s.id).join(" ");
  if (proposals.some((s) => state.suggestions.isCurrent(s.id))) element.classList.add("suggested-current");
}

function describe(claim) {
  const label = (list, value) => {
    const item = state.config.schema[list].find((x) => x.value === value);
    return item ? item.label || item.value : value || "—";
  };
  const who = claim.speaker ? claim.speaker.name : claim.attribution === "authorial" ? "Author" : "No speaker";
  return `${who} · ${label("perspectives", claim.perspective)} · ${label("stances", claim.stance)}`;
}

function claimStateText(claim) {
  if (claim.error) return claim.error.kind === "retry" ? "not saved — retrying" : claim.error.kind === "invalid" ? "not saved — check fields" : "not saved";
  if (claim.inflight || claim.timer) return "saving…";
  if (claim.id === null) return missing(claim).length ? `choose ${missing(claim).join(" and ")} to save` : "saving…";
  return dirtyFields(claim).length ? "saving…" : "saved";
}

function renderList() {
  const list = $("claim-list");
  const claims = liveClaims().sort((a, b) => a.start - b.start || b.end - a.end);
  const items = claims.map((claim) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "claim-item" + (claim.key === state.selected ? " selected" : "");
    button.dataset.key = String(claim.key);
    button.style.borderLeftColor = perspectiveColour(claim.perspective);
    const quote = document.createElement("span");
    quote.className = "quote";
    quote.textContent = claim.text.length > 90 ? `${claim.text.slice(0, 87)}…` : claim.text;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${describe(claim)} · ${claimStateText(claim)}`;
    button.append(quote, meta);
    li.append(button);
    return li;
  });
  list.replaceChildren(...items);
  $("claim-count").textContent = claims.length ? `(${claims.length})` : "";
  $("no-claims").hidden = claims.length > 0;
}

function setRadios(name, value) {
  for (const input of document.querySelectorAll(`#claim-form input[name=${name}]`)) input.checked = input.value === value;
}

function renderPanel() {
  const form = $("claim-form");
  const claim = selectedClaim();
  form.hidden = !claim;
  if (!claim) return;
  const ro = !editable();
  $("form-title").textContent = ro ? "Claim (read-only)" : claim.id === null ? "New claim" : "Claim";
  $("claim-state").textContent = ro ? "" : claimStateText(claim);
  $("f-text").textContent = claim.text;
  $("f-offsets").textContent = `characters ${claim.start}–${claim.end}`;
  $("speaker-chosen").hidden = !claim.speaker && !ro;
  $("speaker-name").textContent = claim.speaker ? claim.speaker.name : "No speaker";
  $("speaker-meta").textContent = claim.speaker
    ? [claim.speaker.kind, claim.speaker.affiliation].filter(Boolean).join(" · ")
    : claim.attribution === "authorial" ? "the writer's own voice" : "";
  $("suggested-speaker").hidden = ro || Boolean(claim.speaker) || !claim.suggestedName;
  $("suggested-speaker-name").textContent = claim.suggestedName || "";
  const hasMention = claim.mention_start !== null && claim.mention_end !== null;
  $("f-mention").textContent = hasMention
    ? state.text.slice(codePointToUtf16(state.text, claim.mention_start), codePointToUtf16(state.text, claim.mention_end))
    : state.armed === "mention" ? "select the words naming the speaker…" : "—";
  $("mention-clear").hidden = !hasMention || ro;
  setRadios("attribution", claim.attribution);
  setRadios("perspective", claim.perspective);
  setRadios("stance", claim.stance);
  const target = $("f-target");
  if (claim.target && ![...target.options].some((o) => o.value === claim.target)) {
    target.append(new Option(claim.target, claim.target)); // a target typed through the API
  }
  target.value = claim.target || "";
  $("f-confidence").value = claim.confidence === null ? "" : String(claim.confidence);
  if (document.activeElement !== $("f-note")) $("f-note").value = claim.note || "";
  for (const control of form.querySelectorAll("input, select, textarea")) {
    if (!control.closest("#speaker-create")) control.disabled = ro;
  }
  $("f-speaker").hidden = ro;
  const errors = (claim.error && claim.error.fields) || {};
  for (const p of form.querySelectorAll(".field-error")) {
    const messages = errors[p.dataset.for];
    if (p.dataset.for === "new-speaker") continue;
    p.textContent = messages ? [].concat(messages).join(" ") : "";
  }
  $("respan").textContent = state.armed === "respan" ? "select the new words… (Esc cancels)" : "re-span";
}

function renderStatus() {
  const status = $("save-status");
  const claims = state.claims;
  const retrying = claims.filter((c) => c.error && c.error.kind === "retry");
  const invalid = claims.filter((c) => c.error && c.error.kind !== "retry");
  const busy = claims.filter((c) => c.inflight || c.timer || (needsSync(c) && !(c.id === null && !complete(c))));
  let text;
  let kind;
  if (!editable()) {
    [text, kind] = ["Read-only", "readonly"];
  } else if (retrying.length) {
    const wait = Math.max(0, Math.ceil((Math.min(...retrying.map((c) => c.error.retryAt || 0)) - Date.now()) / 1000));
    [text, kind] = [`${retrying[0].error.message} in ${wait} s`, "error"];
  } else if (invalid.length) {
    [text, kind] = [invalid[0].error.message, "error"];
  } else if (busy.some((c) => !c.error)) {
    [text, kind] = ["Saving…", "saving"];
  } else if (incompleteDrafts().length) {
    [text, kind] = [`New claim: choose ${missing(incompleteDrafts()[0]).join(" and ")} to save it`, "draft"];
  } else {
    [text, kind] = [state.savedOnce || claims.some((c) => c.id !== null) ? "All changes saved" : "No changes yet", "saved"];
  }
  status.textContent = text;
  status.dataset.state = kind;
  $("retry-now").hidden = !retrying.length;
}

function renderBar() {
  const ws = state.ws;
  $("doc-title").textContent = ws.passage.document.title;
  $("doc-title").parentElement.title = ws.passage.document.title;
  $("passage-position").textContent = String(passageNumber(ws));
  const labels = { assigned: "Assigned", in_progress: "In progress", submitted: "Submitted", skipped: "Skipped" };
  $("assignment-status").textContent = labels[ws.assignment.status] || ws.assignment.status;
  $("assignment-status").dataset.status = ws.assignment.status;
  const flagged = ws.assignment.flag_reason;
  $("flag-badge").hidden = !flagged;
  $("flag-badge").textContent = flagged ? `⚑ ${flagLabel(state.config, flagged)}` : "";
  $("flag-badge").title = flagged ? `Flagged: ${flagLabel(state.config, flagged)}${ws.assignment.flag_note ? ` — ${ws.assignment.flag_note}` : ""}` : "";
  $("flag").setAttribute("aria-pressed", String(Boolean(flagged)));
  const p = ws.progress;
  $("progress-bar").style.width = `${p.percent}%`;
  $("progress").setAttribute("aria-valuenow", String(p.submitted));
  $("progress").setAttribute("aria-valuemax", String(p.assigned));
  $("progress").setAttribute("aria-valuetext", `${p.submitted} of ${p.assigned} passages submitted`);
  $("progress-text").textContent = `${p.submitted} / ${p.assigned} submitted`;
  $("go-previous").disabled = !ws.navigation.previous;
  $("go-next").disabled = !ws.navigation.next;
  for (const el of document.querySelectorAll(".editable-only")) el.hidden = !editable();
  const note = $("readonly-note");
  note.hidden = editable();
  note.textContent = editable() ? "" : `Read-only: ${ws.assignment.annotator}'s annotations. Only they can change them.`;
}

/** One numbering in the editor: the passage's 1-based ¶ number in its document. */
function passageNumber(ws) {
  return ws.assignment.passage_number ?? ws.passage.position + 1;
}

function render() {
  if (!state.ws) return;
  renderPassage();
  state.suggestions.render(liveClaims());
  renderList();
  renderPanel();
  if (state.claimHistory) state.claimHistory.refresh();
  renderStatus();
}

function showBanner(message, kind = "info") {
  const banner = $("banner");
  banner.textContent = message;
  banner.dataset.kind = kind;
  banner.hidden = false;
  clearTimeout(state.banner);
  // Conflicts stay until dismissed by the next action; short notices fade.
  state.banner = kind === "info" ? setTimeout(() => { banner.hidden = true; }, 2500) : null;
}

function hideBanner() {
  if (!$("banner").hidden && $("banner").dataset.kind !== "info") $("banner").hidden = true;
}

// --- loading passages (no page reload) ------------------------------------------------------------------

function annotateUrl(id) {
  return state.config.urls.annotate.replace(state.config.urls.placeholder, String(id));
}

function show(ws, { push = false } = {}) {
  state.ws = ws;
  state.text = ws.passage.text;
  state.claims = ws.claims.map((c) => newClaim(c, c));
  state.selected = null;
  state.armed = null;
  state.cursor = 0;
  state.undo = [];
  state.savedOnce = false;
  state.suggestions.load(ws, editable());
  state.activeTime.open(editable() ? ws.assignment.id : null); // time on task counts only one's own work
  state.navigator.setCurrent(ws.assignment.id);
  $("done").hidden = true;
  $("editor").hidden = false;
  $("context-before").textContent = ws.context.before || "";
  $("context-after").textContent = ws.context.after || "";
  closeSpeakerSearch();
  renderBar();
  render();
  document.title = `${ws.passage.document.title} · ${state.config.project.name}`;
  const url = annotateUrl(ws.assignment.id);
  if (push) history.pushState({ assignment: ws.assignment.id }, "", url);
  else history.replaceState({ assignment: ws.assignment.id }, "", url);
  window.scrollTo({ top: 0 });
}

// A draft the annotator has only pointed at (arrow keys, a tap) holds nothing worth keeping: leaving
// the passage discards it instead of stopping at it.
function emptyDraft(claim) {
  return claim.id === null && [...claim.touched].every((name) => ["start", "end", "text"].includes(name));
}

function readyToLeave() {
  for (const claim of incompleteDrafts().filter(emptyDraft)) {
    drop(claim);
    state.undo = state.undo.filter((e) => e.key !== claim.key);
  }
  const drafts = incompleteDrafts();
  if (drafts.length) {
    state.selected = drafts[0].key;
    render();
    showBanner(`Finish the new claim (choose ${missing(drafts[0]).join(" and ")}) or press Esc to discard it.`, "warning");
    return false;
  }
  const pending = unsaved();
  if (pending.length) {
    const failing = pending.some((c) => c.error);
    showBanner(
      failing
        ? "Some changes are not saved yet. They are being retried; stay on this passage until they are (or press Retry now)."
        : "Still saving — try again in a moment.",
      "warning",
    );
    return false;
  }
  return true;
}

async function load(request, { push = true } = {}) {
  if (state.loading) return;
  state.loading = true;
  try {
    const result = await request();
    if (result.status === 204) {
      showDone();
    } else if (result.ok) {
      hideBanner();
      show(result.data, { push });
    } else {
      showBanner(`Could not open the passage (error ${result.status}).`, "warning");
    }
  } catch {
    showBanner("Could not reach the server to open the passage. Check the connection and try again.", "warning");
  } finally {
    state.loading = false;
  }
}

function goTo(id, options) {
  if (!id || !readyToLeave()) return;
  load(() => api("GET", `assignments/${id}/`), options);
}

async function moveOn(action, body) {
  if (!editable() || !readyToLeave() || state.loading) return;
  const result = await api("POST", `assignments/${state.ws.assignment.id}/${action}/`, body).catch(() => null);
  if (!result || !result.ok) {
    const detail = result && result.data ? Object.values(result.data).flat().join(" ") : "the server could not be reached";
    showBanner(`Could not ${action} the passage: ${detail}`, "warning");
    return;
  }
  state.ws.progress = result.data.progress;
  Object.assign(state.ws.assignment, pickFlag(result.data.assignment));
  setAssignmentStatus(result.data.assignment.status);
  const nextId = result.data.next;
  if (nextId) goTo(nextId, { push: true });
  else showDone();
}

function pickFlag(assignment) {
  const out = {};
  for (const name of ["flag_reason", "flag_note", "flagged_at"]) if (assignment[name] !== undefined) out[name] = assignment[name];
  return out;
}

function openFlag() {
  if (editable()) state.flag.open(state.ws.assignment);
}

function flagged(assignment) {
  if (!state.ws || state.ws.assignment.id !== assignment.id) return;
  Object.assign(state.ws.assignment, pickFlag(assignment));
  if (assignment.status) state.ws.assignment.status = assignment.status;
  renderBar();
  showBanner(assignment.flag_reason ? `Flagged: ${flagLabel(state.config, assignment.flag_reason)}.` : "Flag removed.", "info");
}

function setAssignmentStatus(status) {
  state.ws.assignment.status = status;
  renderBar();
}

async function showDone() {
  $("editor").hidden = true;
  $("done").hidden = false;
  const p = state.ws ? state.ws.progress : null;
  if (p && $("done-progress")) $("done-progress").textContent = `${p.submitted} / ${p.assigned} submitted`;
  state.ws = null; // no passage open: the passage keys stop here
  state.activeTime.open(null);
  state.claims = [];
  history.pushState({ done: true }, "", state.config.urls.annotate_next);
  const mine = `assignments/?project=${state.config.project.id}&annotator=${encodeURIComponent(state.config.user)}`;
  const [all, skipped] = await Promise.all([
    api("GET", mine).catch(() => null),
    api("GET", `${mine}&status=skipped`).catch(() => null),
  ]);
  if (all && all.ok && all.data.results.length) {
    $("done-first").href = annotateUrl(all.data.results[0].id); // the list is in document order
    $("done-first").hidden = false;
  }
  if (!skipped || !skipped.ok) return;
  $("done-skipped").replaceChildren(
    ...skipped.data.results.map((a) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = annotateUrl(a.id);
      link.textContent = `${a.document_title} · ¶ ${a.passage_number ?? a.position + 1}`;
      li.append(link, " (skipped)");
      return li;
    }),
  );
}

// --- selections -----------------------------------------------------------------------------------------

function offsetIn(container, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(container);
  range.setEnd(node, offset);
  return range.toString().length;
}

/** The current DOM selection as UTF-16 offsets into the passage (clamped to it), or null. */
function selectionOffsets() {
  const selection = window.getSelection();
  if (!selection || !selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const passage = $("passage");
  const box = document.createRange();
  box.selectNodeContents(passage);
  if (range.compareBoundaryPoints(Range.END_TO_START, box) >= 0 || range.compareBoundaryPoints(Range.START_TO_END, box) <= 0) {
    return null; // entirely outside the passage
  }
  const point = (node, offset) => {
    const where = box.comparePoint(node, offset);
    return where < 0 ? 0 : where > 0 ? state.text.length : offsetIn(passage, node, offset);
  };
  return [point(range.startContainer, range.startOffset), point(range.endContainer, range.endOffset)];
}

/** The passage's language (its nearest lang attribute): it picks the word segmenter for CJK text. */
function passageLang() {
  const holder = $("passage").closest("[lang]");
  return holder ? holder.getAttribute("lang") : "";
}

function useSelection(offsets) {
  const snapped = offsets && snapToWords(state.text, offsets[0], offsets[1], undefined, passageLang());
  window.getSelection().removeAllRanges();
  if (!snapped) return;
  const claim = selectedClaim();
  if (state.armed && claim) {
    const mode = state.armed;
    state.armed = null;
    if (mode === "respan") {
      setSpan(claim, snapped[0], snapped[1]);
    } else {
      change(claim, {
        mention_start: utf16ToCodePoint(state.text, snapped[0]),
        mention_end: utf16ToCodePoint(state.text, snapped[1]),
      });
    }
    return;
  }
  createDraft(snapped[0], snapped[1]);
}

function onPointerUp(event) {
  state.pointer = { down: false, type: event.pointerType };
  if (!state.ws || event.button !== 0) return;
  // Read the selection once the browser has finished updating it.
  setTimeout(() => {
    if (takeSelection()) return;
    const mark = event.target.closest && event.target.closest("#passage mark[data-claims]");
    if (mark) clickClaims(mark.dataset.claims.split(" ").map(Number));
    const proposal = !mark && event.target.closest && event.target.closest("#passage [data-suggestions]");
    if (proposal) focusSuggestion(Number(proposal.dataset.suggestions.split(" ")[0]));
  }, 0);
}

/** A selection in the passage becomes a claim (or the armed re-span / mention); true when there was one. */
function takeSelection() {
  clearTimeout(state.selectionTimer);
  if (!state.ws) return false;
  const offsets = selectionOffsets();
  if (!offsets) return false;
  if (editable()) useSelection(offsets);
  return true;
}

// A touch screen's long-press selects a word after the finger is up and its handles then move it:
// wait until the selection has been still for a moment. A mouse selection is taken on pointerup instead.
function onSelectionChange() {
  clearTimeout(state.selectionTimer);
  if (!state.ws || (state.pointer && state.pointer.down) || (state.pointer && state.pointer.type === "mouse")) return;
  if (document.activeElement && document.activeElement.matches && document.activeElement.matches("input, textarea, select")) return;
  state.selectionTimer = setTimeout(takeSelection, 600);
}

function clickClaims(keys) {
  // Innermost (shortest) first; clicking again where claims nest cycles outwards.
  const claims = keys.map((k) => state.claims.find((c) => c.key === k)).filter(Boolean).sort((a, b) => (a.end - a.start) - (b.end - b.start));
  if (!claims.length) return;
  const at = claims.findIndex((c) => c.key === state.selected);
  select(claims[(at + 1) % claims.length]);
}

function select(claim) {
  state.selected = claim ? claim.key : null;
  state.armed = null;
  if (claim) state.cursor = span16(claim)[1];
  closeSpeakerSearch();
  render();
}

function moveByWord(direction, mode) {
  const words = wordSpans(state.text, passageLang());
  if (!words.length || !editable()) return;
  const claim = selectedClaim();
  if (claim && mode !== "move") {
    let [start, end] = span16(claim);
    if (mode === "end") {
      if (direction > 0) {
        const next = words.find(([s]) => s >= end);
        if (next) end = next[1];
      } else {
        const prev = [...words].reverse().find(([, e]) => e < end && e > start);
        if (prev) end = prev[1];
      }
    } else if (direction < 0) {
      const prev = [...words].reverse().find(([, e]) => e <= start);
      if (prev) start = prev[0];
    } else {
      const next = words.find(([s]) => s > start && s < end);
      if (next) start = next[0];
    }
    if (start < end) setSpan(claim, start, end);
    return;
  }
  // From a claim: the word after (before) it. From the cursor: the word it is in, or the next (previous).
  const word = claim
    ? direction > 0
      ? words.find(([s]) => s >= span16(claim)[1])
      : [...words].reverse().find(([, e]) => e <= span16(claim)[0])
    : direction > 0
      ? words.find(([, e]) => e > state.cursor)
      : [...words].reverse().find(([s]) => s < state.cursor);
  if (word) createDraft(word[0], word[1]);
}

function moveBySentence(direction, extend) {
  const sentences = sentenceSpans(state.text, passageLang());
  if (!sentences.length || !editable()) return;
  const claim = selectedClaim();
  const from = claim ? span16(claim) : [state.cursor, state.cursor];
  if (extend && claim) {
    const next = direction > 0 ? sentences.find(([, e]) => e > from[1]) : [...sentences].reverse().find(([, e]) => e < from[1] && e > from[0]);
    if (next) setSpan(claim, from[0], next[1]);
    return;
  }
  const sentence = claim
    ? direction > 0
      ? sentences.find(([s]) => s >= from[1])
      : [...sentences].reverse().find(([, e]) => e <= from[0])
    : direction > 0
      ? sentences.find(([, e]) => e > state.cursor)
      : [...sentences].reverse().find(([s]) => s < state.cursor);
  if (sentence) createDraft(sentence[0], sentence[1]);
}

// --- speakers -------------------------------------------------------------------------------------------

const search = { timer: null, options: [], active: -1, query: null, seq: 0, enterPending: false };

function openSpeakerSearch() {
  const claim = selectedClaim();
  if (!claim || !editable()) return;
  // An accepted suggestion whose speaker is not in the project yet: search for the name as written, so
  // creating it is one confirmation away (and never done without one).
  $("f-speaker").value = (!claim.speaker && claim.suggestedName) || "";
  $("f-speaker").focus(); // the focus listener runs the search: the project's speakers
}

function closeSpeakerSearch() {
  search.enterPending = false;
  $("speaker-options").hidden = true;
  $("f-speaker").setAttribute("aria-expanded", "false");
  $("speaker-create").hidden = true;
  search.options = [];
  search.active = -1;
}

function runSearch(query) {
  clearTimeout(search.timer);
  search.timer = setTimeout(async () => {
    search.timer = null;
    const seq = ++search.seq;
    const params = new URLSearchParams({ project: String(state.config.project.id), q: query });
    const result = await api("GET", `speakers/?${params}`).catch(() => null);
    if (seq !== search.seq || document.activeElement !== $("f-speaker")) return; // a newer search won
    const found = result && result.ok ? result.data.results.slice(0, 8) : [];
    const recent = query.trim() ? [] : recentSpeakers();
    const options = [
      ...recent.map((s, i) => ({ speaker: s, number: i + 1 })),
      ...found.filter((s) => !recent.some((r) => r.id === s.id)).map((s) => ({ speaker: s })),
    ];
    const speakers = options.map((o) => o.speaker);
    const trimmed = query.trim();
    if (trimmed && !speakers.some((s) => s.name.toLowerCase() === trimmed.toLowerCase())) {
      options.push({ create: trimmed });
    }
    if (!result || !result.ok) options.push({ failed: true });
    search.options = options;
    search.active = options.length ? 0 : -1;
    search.query = query;
    renderOptions();
    if (search.enterPending) {
      search.enterPending = false;
      chooseOption(search.active);
    }
  }, 120);
}

function renderOptions() {
  const list = $("speaker-options");
  list.replaceChildren(
    ...search.options.map((option, i) => {
      const li = document.createElement("li");
      li.role = "option";
      li.id = `speaker-option-${i}`;
      li.dataset.index = String(i);
      li.setAttribute("aria-selected", String(i === search.active));
      if (option.speaker) {
        li.textContent = option.speaker.name;
        if (option.number) li.prepend(Object.assign(document.createElement("kbd"), { textContent: String(option.number) }), " ");
        const meta = document.createElement("span");
        meta.className = "muted small";
        meta.textContent = ` ${[option.speaker.kind, option.speaker.affiliation].filter(Boolean).join(" · ")}`;
        li.append(meta);
      } else if (option.create) {
        li.textContent = `Create speaker “${option.create}”…`;
        li.className = "create";
      } else {
        li.textContent = "Search failed — type again to retry.";
        li.className = "muted";
      }
      return li;
    }),
  );
  list.hidden = !search.options.length;
  $("f-speaker").setAttribute("aria-expanded", String(!list.hidden));
  if (search.active >= 0) $("f-speaker").setAttribute("aria-activedescendant", `speaker-option-${search.active}`);
}

function chooseOption(index) {
  const option = search.options[index];
  const claim = selectedClaim();
  if (!option || !claim) return;
  if (option.speaker) {
    setSpeaker(claim, option.speaker);
    closeSpeakerSearch();
    $("f-speaker").value = "";
    $("f-speaker").blur();
  } else if (option.create) {
    $("speaker-options").hidden = true;
    $("speaker-create").hidden = false;
    $("new-speaker-name").value = option.create;
    document.querySelector('#speaker-create [data-for="new-speaker"]').textContent = "";
    $("new-speaker-kind").focus();
  }
}

async function createSpeaker() {
  const claim = selectedClaim();
  if (!claim) return;
  const error = document.querySelector('#speaker-create [data-for="new-speaker"]');
  const body = {
    project: state.config.project.id,
    name: $("new-speaker-name").value,
    kind: $("new-speaker-kind").value,
    affiliation: $("new-speaker-affiliation").value,
  };
  const result = await api("POST", "speakers/", body).catch(() => null);
  if (!result || !result.ok) {
    error.textContent = result && result.data ? Object.values(result.data).flat().join(" ") : "The server could not be reached; try again.";
    return;
  }
  setSpeaker(claim, result.data);
  closeSpeakerSearch();
  $("f-speaker").value = "";
  document.activeElement.blur();
}

// --- suggestions ----------------------------------------------------------------------------------------

function focusSuggestion(id) {
  state.selected = null; // one thing in focus at a time: the suggestion, not a claim
  state.armed = null;
  closeSpeakerSearch();
  state.suggestions.focus(id);
}

/** Make the suggestion a new claim (span, attribution, speaker, mention), selected for labelling; it
 * saves with the suggestion's id once it has a perspective and a stance, like any new claim. */
function acceptSuggestion(id) {
  const suggestion = state.suggestions.open(liveClaims()).find((s) => s.id === id);
  if (!suggestion || !editable()) return;
  const attributions = state.config.schema.attributions.map((a) => a.value);
  const speaker = suggestion.speaker || null;
  const claim = newClaim({
    start: suggestion.start,
    end: suggestion.end,
    text: suggestion.text,
    speaker,
    mention_start: suggestion.mention_start,
    mention_end: suggestion.mention_end,
    attribution: attributions.includes(suggestion.attribution) ? suggestion.attribution : defaultAttribution(speaker),
    perspective: perspectiveFor(speaker),
    target: state.config.schema.default_target || (state.config.schema.targets || [""])[0],
    note: "",
    suggestion: suggestion.id,
  });
  claim.suggestedName = speaker ? "" : suggestion.speaker_name;
  claim.touched = new Set(["start", "end", "text", "attribution", "speaker", "suggestion"]);
  for (const other of incompleteDrafts()) drop(other);
  state.claims.push(claim);
  state.suggestions.focus(null);
  state.selected = claim.key;
  state.cursor = span16(claim)[1];
  state.undo.push({ type: "create", key: claim.key, at: Date.now() });
  hideBanner();
  render();
}

function acceptFocused() {
  const suggestion = state.suggestions.focused(liveClaims());
  if (suggestion) acceptSuggestion(suggestion.id);
  else state.suggestions.move(liveClaims(), 1); // nothing in focus yet: show the first, accept it next
}

function dismissFocused() {
  const suggestion = state.suggestions.focused(liveClaims());
  if (suggestion) state.suggestions.dismiss(liveClaims(), suggestion.id);
  else state.suggestions.move(liveClaims(), 1);
}

// --- keyboard -------------------------------------------------------------------------------------------

function keyMap(list) {
  const map = new Map();
  for (const item of state.config.schema[list] || []) if (item.key) map.set(String(item.key), item.value);
  return map;
}

function toggleHelp(open) {
  const help = $("help");
  help.hidden = open === undefined ? !help.hidden : !open;
  if (!help.hidden) $("help-close").focus();
}

// The guidelines panel: Shift+G, because plain "g" is a stance key in the default schema ("against").
// Closing it records that the member has read them, so it stops opening by itself until they change.
function guidelinesPanel() {
  return document.getElementById("guidelines");
}

function toggleGuidelines(open) {
  const panel = guidelinesPanel();
  if (!panel) return;
  const show = open === undefined ? panel.hidden : open;
  if (!show && !panel.hidden) markGuidelinesRead();
  panel.hidden = !show;
  const button = document.getElementById("show-guidelines");
  if (button) button.setAttribute("aria-expanded", String(show));
}

let guidelinesMarked = false;

async function markGuidelinesRead() {
  if (guidelinesMarked) return;
  guidelinesMarked = true;
  const response = await fetch(state.config.urls.guidelines_read, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
  }).catch(() => null);
  if (!response || !response.ok) guidelinesMarked = false; // try again at the next close
}

function cancel() {
  const claim = selectedClaim();
  if (state.armed) {
    state.armed = null;
  } else if (claim && claim.id === null && !complete(claim)) {
    state.cursor = span16(claim)[0];
    drop(claim); // an unsaved new claim: Esc discards it
    state.undo = state.undo.filter((e) => e.key !== claim.key);
  } else if (state.selected === null) {
    state.suggestions.focus(null);
  } else {
    state.selected = null;
  }
  hideBanner();
  render();
}

// The one key table: onKeyDown and onKeyInField dispatch through it and the "?" help is drawn from it.
// scope: "claim" (a claim is open and editable; the schema's keys come first), "page" (the passage is
// open, focus not in a field), "fields" (also while typing), "speaker" (in the speaker search box).
const goNext = () => goTo(state.ws.navigation.next, { push: true });
const goPrevious = () => goTo(state.ws.navigation.previous, { push: true });
const KEYS = [
  { group: "Select words", scope: "page", keys: ["ArrowRight", "ArrowLeft"], does: "next / previous word (with Shift: move the end, with Alt+Shift: the start)",
    run: (claim, event) => moveByWord(event.key === "ArrowRight" ? 1 : -1, event.shiftKey ? (event.altKey ? "start" : "end") : "move") },
  { group: "Select words", scope: "page", keys: ["ArrowDown", "ArrowUp"], does: "next / previous sentence (with Shift: extend)",
    run: (claim, event) => moveBySentence(event.key === "ArrowDown" ? 1 : -1, event.shiftKey) },
  { group: "Select words", scope: "page", keys: ["Enter"], does: "make a claim of the words selected with the mouse or finger",
    run: () => { const offsets = selectionOffsets(); if (offsets && editable()) useSelection(offsets); } },
  { group: "Speaker", scope: "claim", keys: ["s", "/"], does: "search speakers", run: () => openSpeakerSearch() },
  { group: "Speaker", scope: "speaker", keys: ["1", "2", "3", "4", "5", "6", "7", "8", "9"], shown: "1–9", does: "in the empty search: one of your last 9 speakers",
    run: (claim, event) => chooseRecent(Number(event.key) - 1) },
  { group: "Speaker", scope: "speaker", keys: ["ArrowDown", "ArrowUp"], does: "move in the list", run: (claim, event) => moveInOptions(event.key === "ArrowDown" ? 1 : -1) },
  { group: "Speaker", scope: "speaker", keys: ["Enter"], does: "choose (the last option creates a new speaker)", run: () => enterInSearch() },
  { group: "Speaker", scope: "speaker", keys: ["Escape"], does: "close the search", run: () => { closeSpeakerSearch(); $("f-speaker").blur(); } },
  { group: "Speaker", scope: "claim", keys: ["m"], does: "mark the words naming the speaker", run: () => armOrApply("mention") },
  { group: "Claim", scope: "claim", keys: ["t"], does: "target", run: () => $("f-target").focus() },
  { group: "Claim", scope: "claim", keys: ["c"], does: "confidence (cycles)",
    run: (claim) => change(claim, { confidence: claim.confidence === null ? 1 : claim.confidence >= 5 ? null : claim.confidence + 1 }) },
  { group: "Claim", scope: "claim", keys: ["e"], does: "note", run: () => $("f-note").focus() },
  { group: "Claim", scope: "claim", keys: ["r"], does: "re-span", run: () => armOrApply("respan") },
  { group: "Claim", scope: "claim", keys: ["Delete", "Backspace"], does: "delete the selected claim", run: (claim) => deleteClaim(claim) },
  { group: "Claim", scope: "claim", keys: ["h"], does: "history of the claim: who changed what, and restore", run: () => state.claimHistory.toggle() },
  { group: "Claim", scope: "page", keys: [".", ","], does: "next / previous claim", run: (claim, event) => cycleClaims(event.key === "." ? 1 : -1) },
  { group: "Claim", scope: "page", keys: ["Escape"], does: "cancel / close", run: () => escape() },
  { group: "Suggestions", scope: "page", keys: ["u", "U"], does: "next / previous suggestion", available: () => state.suggestions.enabled,
    run: (claim, event) => { if (editable()) { state.selected = null; state.suggestions.move(liveClaims(), event.key === "U" ? -1 : 1); } } },
  { group: "Suggestions", scope: "page", keys: ["y"], does: "accept the suggestion as a new claim (then label it)", available: () => state.suggestions.enabled,
    run: () => acceptFocused() },
  { group: "Suggestions", scope: "page", keys: ["x"], does: "dismiss the suggestion", available: () => state.suggestions.enabled,
    run: () => dismissFocused() },
  { group: "Undo", scope: "page", keys: ["z", "Ctrl+z"], does: "undo the last change", run: () => undo() },
  { group: "Passage", scope: "page", keys: ["j", "PageDown"], does: "next passage", run: goNext },
  { group: "Passage", scope: "page", keys: ["k", "PageUp"], does: "previous passage", run: goPrevious },
  { group: "Passage", scope: "fields", keys: ["Ctrl+Enter"], does: "submit and go on",
    run: () => { if (document.activeElement) document.activeElement.blur(); moveOn("submit"); } },
  { group: "Passage", scope: "page", keys: ["S"], does: "skip", run: () => moveOn("skip") },
  { group: "Passage", scope: "page", keys: ["F"], does: "flag or skip with a reason", run: () => openFlag() },
  { group: "Passage", scope: "page", keys: ["p"], does: "your passages: filter, search, jump", run: () => state.navigator.toggle() },
  { group: "Guidelines", scope: "page", keys: ["G"], does: "show or hide the guidelines", available: () => Boolean(guidelinesPanel()), run: () => toggleGuidelines() },
  { group: "Help", scope: "page", keys: ["?"], does: "show or hide this list", run: () => toggleHelp() },
];

function keyEntry(chord, scopes) {
  return KEYS.find((e) => scopes.includes(e.scope) && e.keys.includes(chord) && (!e.available || e.available()));
}

function escape() {
  const guidelines = guidelinesPanel();
  if (guidelines && !guidelines.hidden) toggleGuidelines(false);
  else if (state.navigator.isOpen()) state.navigator.toggle(false);
  else cancel();
}

function renderKeyHelp() {
  const schemaRow = (group, list) => ({
    group,
    pairs: (state.config.schema[list] || []).filter((item) => item.key).map((item) => [String(item.key), item.label || item.value]),
  });
  renderHelp($("help-keys"), KEYS.filter((e) => !e.available || e.available()), [
    schemaRow("Attribution", "attributions"),
    schemaRow("Perspective", "perspectives"),
    schemaRow("Stance", "stances"),
  ]);
}

function onKeyDown(event) {
  if (!state.ws && event.key !== "?") return;
  const help = $("help");
  if (!help.hidden) {
    if (event.key === "Escape" || event.key === "?") {
      event.preventDefault();
      toggleHelp(false);
    }
    return;
  }
  if (state.flag.isOpen()) return; // the dialog answers its own keys
  const target = event.target;
  const typing = target instanceof HTMLElement && (target.matches("input, textarea, select") || target.isContentEditable);
  const chord = chordOf(event);
  const claim = selectedClaim();
  const run = (entry) => {
    event.preventDefault();
    entry.run(claim, event);
  };
  if (typing) {
    const entry = keyEntry(chord, ["fields"]);
    if (entry) run(entry);
    else onKeyInField(event, target);
    return;
  }
  if (event.altKey && !event.shiftKey) return;
  // With a claim open, the schema's keys come first (a project may give "j" to a label).
  if (claim && editable() && chord.length === 1) {
    const schemaKeys = [["perspectives", "perspective"], ["stances", "stance"], ["attributions", "attribution"]];
    for (const [list, field] of schemaKeys) {
      const value = keyMap(list).get(chord);
      if (value !== undefined) {
        event.preventDefault();
        hideBanner();
        if (field === "attribution") setAttribution(claim, value);
        else change(claim, { [field]: value });
        return;
      }
    }
  }
  const entry = keyEntry(chord, claim && editable() ? ["claim", "page", "fields"] : ["page", "fields"]);
  if (entry) run(entry);
}

function onKeyInField(event, target) {
  const key = event.key;
  if (target.id === "f-speaker") {
    const entry = keyEntry(chordOf(event), ["speaker"]);
    // Digits choose a recent speaker only in the empty box: typed after a letter they are part of a name.
    if (entry && !(entry.shown === "1–9" && (target.value !== "" || !recentSpeakers()[Number(key) - 1]))) {
      event.preventDefault();
      entry.run(selectedClaim(), event);
    }
    return;
  }
  if (target.closest("#speaker-create")) {
    if (key === "Enter") {
      event.preventDefault();
      createSpeaker();
    } else if (key === "Escape") {
      event.preventDefault();
      closeSpeakerSearch();
      $("f-speaker").focus();
    }
    return;
  }
  if (key === "Escape") {
    event.preventDefault();
    target.blur();
  }
}

function moveInOptions(step) {
  if (!search.options.length) return;
  search.active = (search.active + step + search.options.length) % search.options.length;
  renderOptions();
}

function enterInSearch() {
  // Results for an older query must not be picked: wait for the search of what is typed now.
  if (search.query === $("f-speaker").value && !search.timer) chooseOption(search.active);
  else search.enterPending = true;
}

function armOrApply(mode) {
  const offsets = selectionOffsets();
  state.armed = mode;
  if (offsets) useSelection(offsets);
  else render();
}

function cycleClaims(direction) {
  const claims = liveClaims().sort((a, b) => a.start - b.start || b.end - a.end);
  if (!claims.length) return;
  const at = claims.findIndex((c) => c.key === state.selected);
  const next = at < 0 ? (direction > 0 ? 0 : claims.length - 1) : (at + direction + claims.length) % claims.length;
  select(claims[next]);
}

// --- wiring ---------------------------------------------------------------------------------------------

function wire() {
  document.addEventListener("keydown", onKeyDown);
  // Pointer events cover mouse, pen and finger; a long-press selection on a touch screen ends after the
  // finger lifts, so touchend and selectionchange are read too (see onSelectionChange).
  document.addEventListener("pointerdown", (event) => { state.pointer = { down: true, type: event.pointerType }; });
  document.addEventListener("pointerup", onPointerUp);
  document.addEventListener("pointercancel", () => { state.pointer = { ...state.pointer, down: false }; });
  document.addEventListener("touchend", () => setTimeout(takeSelection, 0));
  document.addEventListener("selectionchange", onSelectionChange);
  $("flag").addEventListener("click", openFlag);
  const suggestionList = document.getElementById("suggestion-list");
  if (suggestionList) {
    suggestionList.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.dataset.accept) acceptSuggestion(Number(button.dataset.accept));
      else if (button.dataset.dismiss) state.suggestions.dismiss(liveClaims(), Number(button.dataset.dismiss));
      else if (button.dataset.focus) focusSuggestion(Number(button.dataset.focus));
    });
  }
  $("claim-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-key]");
    if (button) select(state.claims.find((c) => c.key === Number(button.dataset.key)));
  });
  // The form is never submitted: every field saves itself (Enter in a field must not reload the page).
  $("claim-form").addEventListener("submit", (event) => event.preventDefault());
  $("claim-form").addEventListener("change", (event) => {
    const claim = selectedClaim();
    const input = event.target;
    if (!claim) return;
    if (input.name === "attribution") setAttribution(claim, input.value);
    else if (input.name === "perspective" || input.name === "stance") change(claim, { [input.name]: input.value });
    else if (input.id === "f-target") change(claim, { target: input.value });
    else if (input.id === "f-confidence") change(claim, { confidence: input.value ? Number(input.value) : null });
  });
  $("f-note").addEventListener("input", (event) => {
    change(selectedClaim(), { note: event.target.value }, { delay: TEXT_SAVE_DELAY, coalesce: true });
  });
  $("f-speaker").addEventListener("input", (event) => runSearch(event.target.value));
  $("f-speaker").addEventListener("focus", (event) => runSearch(event.target.value));
  $("speaker-options").addEventListener("mousedown", (event) => {
    const li = event.target.closest("li[data-index]");
    if (li) {
      event.preventDefault(); // keep focus in the search box until the choice is made
      chooseOption(Number(li.dataset.index));
    }
  });
  $("f-speaker").addEventListener("blur", () => setTimeout(() => {
    if ($("speaker-create").hidden) $("speaker-options").hidden = true;
  }, 150));
  $("speaker-clear").addEventListener("click", () => setSpeaker(selectedClaim(), null));
  $("new-speaker-save").addEventListener("click", createSpeaker);
  $("new-speaker-cancel").addEventListener("click", closeSpeakerSearch);
  $("mention-set").addEventListener("click", () => armOrApply("mention"));
  $("mention-clear").addEventListener("click", () => change(selectedClaim(), { mention_start: null, mention_end: null }));
  $("respan").addEventListener("click", () => armOrApply("respan"));
  $("claim-delete").addEventListener("click", () => deleteClaim(selectedClaim()));
  $("claim-close").addEventListener("click", cancel);
  $("go-next").addEventListener("click", () => goTo(state.ws.navigation.next, { push: true }));
  $("go-previous").addEventListener("click", () => goTo(state.ws.navigation.previous, { push: true }));
  $("submit").addEventListener("click", () => moveOn("submit"));
  $("skip").addEventListener("click", () => moveOn("skip"));
  $("retry-now").addEventListener("click", retryAll);
  $("show-help").addEventListener("click", () => toggleHelp(true));
  $("help-close").addEventListener("click", () => toggleHelp(false));
  if (guidelinesPanel()) {
    $("show-guidelines").addEventListener("click", () => toggleGuidelines());
    $("guidelines-close").addEventListener("click", () => toggleGuidelines(false));
  }
  $("banner").addEventListener("click", () => { $("banner").hidden = true; });
  window.addEventListener("popstate", (event) => {
    const id = event.state && event.state.assignment;
    if (id && (!state.ws || state.ws.assignment.id !== id)) {
      if (readyToLeave()) load(() => api("GET", `assignments/${id}/`), { push: false });
      else history.pushState({ assignment: state.ws.assignment.id }, "", annotateUrl(state.ws.assignment.id));
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (unsaved().length || incompleteDrafts().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Keep the "retrying in N s" countdown honest.
  setInterval(() => {
    if (state.ws && state.claims.some((c) => c.error && c.error.kind === "retry")) renderStatus();
  }, 1000);
}

function start() {
  const configNode = document.getElementById("editor-config");
  if (!configNode) return; // imported elsewhere (e.g. to check the helpers): no editor on this page
  state.config = JSON.parse(configNode.textContent);
  state.activeTime = activeTimeTracker({
    url: (id) => `${state.config.urls.api}assignments/${id}/time/`,
    csrfToken,
    idleAfter: state.config.active_time.idle_after,
    flushEvery: state.config.active_time.flush_every,
  });
  const ws = JSON.parse(document.getElementById("editor-workspace").textContent || "null");
  for (const [i, swatch] of document.querySelectorAll(".swatch").entries()) {
    swatch.style.background = PALETTE[Number(swatch.dataset.index ?? i) % PALETTE.length];
  }
  state.navigator = passageNavigator({ api, config: state.config, onJump: (id) => goTo(id, { push: true }) });
  state.flag = flagDialog({ api, onFlagged: flagged, onSkip: (body) => moveOn("skip", body) });
  state.suggestions = suggestionsController({ api, config: state.config, onChange: render, showBanner });
  state.claimHistory = claimHistoryPanel({
    api, schema: state.config.schema, getClaim: selectedClaim, editable, onRestore: restoreVersion,
  });
  wire();
  renderKeyHelp();
  if (ws && typeof ws === "object") show(ws);
  document.documentElement.dataset.editor = "ready";
}

start();
