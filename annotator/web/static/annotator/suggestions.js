// Suggested claims in the span editor: the detector's quotes and reported speech for the open passage,
// drawn as dashed outlines and listed in the side panel. The annotator moves through them (u / Shift+U),
// accepts one (y: it becomes a new claim with the span, attribution and speaker, to label as usual) or
// dismisses it (x). A suggestion the annotator has made a claim of (accepted, or the same span) is not
// shown, so discarding the new claim brings it back.
//
// Offsets are the server's (code points); the editor converts them for the DOM as it does for claims.

/** The suggestions not yet made into one of `claims` (by link or by the same span). */
export function openSuggestions(items, claims) {
  return items.filter(
    (s) => !claims.some((c) => c.suggestion === s.id || (c.start === s.start && c.end === s.end)),
  );
}

/** Who the suggestion says is speaking, as the list and the tooltip show it. */
export function speakerLabel(suggestion) {
  if (suggestion.speaker) return suggestion.speaker.name;
  if (suggestion.speaker_name) return `${suggestion.speaker_name} (new speaker)`;
  return "speaker not found";
}

function attributionLabel(schema, value) {
  const item = (schema.attributions || []).find((a) => a.value === value);
  return item ? item.label || item.value : value;
}

/** The suggestions of the open passage: loading, moving through them, dismissing; the editor accepts. */
export function suggestionsController({ api, config, onChange, showBanner }) {
  const enabled = Boolean(config.suggestions);
  let items = [];
  let current = null; // id of the focused suggestion
  let loadSeq = 0;

  function load(ws, editable) {
    const seq = ++loadSeq;
    items = [];
    current = null;
    if (!enabled || !editable) return;
    if (Array.isArray(ws.suggestions)) {
      items = ws.suggestions; // handed over with the page
      return;
    }
    api("GET", `suggestions/?assignment=${ws.assignment.id}`)
      .then((result) => {
        if (seq !== loadSeq || !result.ok) return; // another passage opened meanwhile, or nothing to show
        items = result.data.results;
        onChange();
      })
      .catch(() => {});
  }

  function focused(claims) {
    return openSuggestions(items, claims).find((s) => s.id === current) || null;
  }

  function focus(id) {
    current = id;
    onChange();
    if (id !== null) {
      const item = document.querySelector(`#suggestion-list li[data-id="${id}"]`);
      if (item) item.scrollIntoView({ block: "nearest" });
    }
  }

  function move(claims, direction) {
    const open = openSuggestions(items, claims);
    if (!open.length) {
      showBanner("No suggestions left in this passage.", "info");
      return;
    }
    const at = open.findIndex((s) => s.id === current);
    const next = at < 0 ? (direction > 0 ? 0 : open.length - 1) : (at + direction + open.length) % open.length;
    focus(open[next].id);
  }

  async function dismiss(claims, id) {
    const suggestion = openSuggestions(items, claims).find((s) => s.id === id);
    if (!suggestion) return;
    const result = await api("POST", `suggestions/${id}/dismiss/`).catch(() => null);
    if (!result || !result.ok) {
      showBanner("Could not dismiss the suggestion: the server could not be reached. Try again.", "warning");
      return;
    }
    const open = openSuggestions(items, claims);
    const following = open[open.findIndex((s) => s.id === id) + 1] || null;
    items = items.filter((s) => s.id !== id);
    current = current === id ? (following ? following.id : null) : current;
    showBanner("Suggestion dismissed.", "info");
    onChange();
  }

  function listItem(suggestion, schema) {
    const li = document.createElement("li");
    li.dataset.id = String(suggestion.id);
    li.className = "suggestion-item" + (suggestion.id === current ? " current" : "");
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "suggestion-pick";
    pick.dataset.focus = String(suggestion.id);
    const quote = document.createElement("span");
    quote.className = "quote";
    quote.textContent = suggestion.text.length > 90 ? `${suggestion.text.slice(0, 87)}…` : suggestion.text;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${speakerLabel(suggestion)} · ${attributionLabel(schema, suggestion.attribution)}`;
    pick.append(quote, meta);
    const row = document.createElement("div");
    row.className = "row";
    const accept = document.createElement("button");
    accept.type = "button";
    accept.className = "btn small";
    accept.dataset.accept = String(suggestion.id);
    accept.textContent = "Accept";
    const dismissButton = document.createElement("button");
    dismissButton.type = "button";
    dismissButton.className = "btn secondary small";
    dismissButton.dataset.dismiss = String(suggestion.id);
    dismissButton.textContent = "Dismiss";
    if (suggestion.id === current) {
      // The keys act on the focused suggestion: show them on its buttons only.
      accept.append(" ", Object.assign(document.createElement("kbd"), { textContent: "y" }));
      dismissButton.append(" ", Object.assign(document.createElement("kbd"), { textContent: "x" }));
    }
    row.append(accept, dismissButton);
    li.append(pick, row);
    return li;
  }

  function render(claims) {
    const section = document.getElementById("suggestions");
    if (!section) return;
    const open = openSuggestions(items, claims);
    section.hidden = !open.length;
    document.getElementById("suggestion-count").textContent = open.length ? `(${open.length})` : "";
    document.getElementById("suggestion-list").replaceChildren(...open.map((s) => listItem(s, config.schema)));
  }

  return {
    enabled,
    load,
    focus,
    focused,
    move,
    dismiss,
    render,
    open: (claims) => openSuggestions(items, claims),
    byId: (id) => items.find((s) => s.id === id) || null,
    isCurrent: (id) => id === current,
    describe: (s) => `Suggested: ${speakerLabel(s)} · ${attributionLabel(config.schema, s.attribution)}`,
  };
}
