// The editor's passage navigator: a drawer listing the annotator's own passages (GET /api/v1/assignments/
// filtered by status, flag, document and a text search) to jump to one; the full page is "my-passages".
// The list comes a page at a time (the API counts nothing); "More passages" follows the `next` link.
// It knows nothing of the editor: it gets the API call, the page config and a jump callback.

const STATUS_LABELS = { assigned: "Assigned", in_progress: "In progress", submitted: "Submitted", skipped: "Skipped" };

export function passageNavigator({ api, config, onJump }) {
  const $ = (id) => document.getElementById(id);
  const panel = $("navigator");
  const filters = { status: $("nav-status"), flagged: $("nav-flagged"), document: $("nav-document"), q: $("nav-q") };
  const documents = new Map(); // id -> title, filled from the results so the select needs no other call
  let seq = 0;
  let timer = null;
  let currentId = null;
  let nextUrl = null; // the API's link to the following page of the current filters
  let shown = 0;

  function query() {
    const params = new URLSearchParams({ project: String(config.project.id), annotator: config.user });
    for (const [name, control] of Object.entries(filters)) if (control.value) params.set(name, control.value.trim());
    return `assignments/?${params}`;
  }

  async function refresh() {
    await load(query(), false);
  }

  async function load(url, append) {
    const mine = ++seq;
    $("nav-state").textContent = "Loading…";
    const result = await api("GET", url).catch(() => null);
    if (mine !== seq) return; // a newer filter won
    if (!result || !result.ok) {
      $("nav-state").textContent = "Could not load your passages; change a filter to try again.";
      return;
    }
    const rows = result.data.results || result.data;
    for (const row of rows) documents.set(String(row.document), row.document_title);
    renderDocuments();
    if (append) $("nav-list").append(...rows.map(item));
    else $("nav-list").replaceChildren(...rows.map(item));
    shown = (append ? shown : 0) + rows.length;
    nextUrl = result.data.next ? relative(result.data.next) : null;
    $("nav-more").hidden = !nextUrl;
    const more = nextUrl ? " so far" : "";
    $("nav-state").textContent = shown ? `${shown} passages${more}` : "No passages match.";
  }

  /** The API's absolute `next` link as a path under the API root, which is what `api()` takes. */
  function relative(link) {
    const url = new URL(link, window.location.href);
    const root = new URL(config.urls.api, window.location.href).pathname;
    return url.pathname.slice(root.length) + url.search;
  }

  function item(row) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "nav-item" + (row.id === currentId ? " current" : "");
    button.dataset.id = String(row.id);
    if (row.id === currentId) button.setAttribute("aria-current", "true");
    const number = row.passage_number ?? row.position + 1;
    const where = document.createElement("span");
    where.className = "nav-where";
    where.textContent = `${row.document_title} · ¶ ${number}`;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.dataset.status = row.status;
    badge.textContent = STATUS_LABELS[row.status] || row.status;
    const meta = document.createElement("span");
    meta.className = "nav-meta";
    const bits = [];
    if (row.claim_count !== undefined) bits.push(`${row.claim_count} claims`);
    if (row.flag_reason) bits.push(`⚑ ${flagLabel(config, row.flag_reason)}`);
    meta.textContent = bits.join(" · ");
    button.append(where, " ", badge, meta);
    li.append(button);
    return li;
  }

  function renderDocuments() {
    const select = filters.document;
    const chosen = select.value;
    const known = new Set([...select.options].map((o) => o.value));
    for (const [id, title] of documents) if (!known.has(id)) select.append(new Option(title, id));
    select.value = chosen;
  }

  function toggle(open) {
    const show = open === undefined ? panel.hidden : open;
    panel.hidden = !show;
    $("show-navigator").setAttribute("aria-expanded", String(show));
    if (show) {
      refresh();
      filters.q.focus();
    }
  }

  for (const control of Object.values(filters)) {
    control.addEventListener(control === filters.q ? "input" : "change", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, control === filters.q ? 200 : 0);
    });
  }
  $("nav-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-id]");
    if (button) onJump(Number(button.dataset.id));
  });
  $("nav-more").addEventListener("click", () => {
    if (nextUrl) load(nextUrl, true);
  });
  $("navigator-close").addEventListener("click", () => toggle(false));
  $("show-navigator").addEventListener("click", () => toggle());

  return {
    toggle,
    isOpen: () => !panel.hidden,
    setCurrent(id) {
      currentId = id;
      if (!panel.hidden) refresh();
    },
  };
}

/** The label of a flag reason from the project's list (the value itself when the list no longer has it). */
export function flagLabel(config, value) {
  const item = (config.flag_reasons || []).find((r) => r.value === value);
  return item ? item.label || item.value : value;
}
