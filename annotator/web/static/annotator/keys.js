// Keys as the editor's one key table spells them, and the help drawn from that table: the handler and
// the "?" list read the same entries, so a key cannot work without being listed or be listed without
// working.

const SHOWN = {
  ArrowRight: "→", ArrowLeft: "←", ArrowDown: "↓", ArrowUp: "↑", Escape: "Esc", PageDown: "Page Down",
  PageUp: "Page Up",
};

/** The chord of a keydown: "j", "S" (a real Shift, not Caps Lock), "Ctrl+z", "Ctrl+Enter", "ArrowRight". */
export function chordOf(event) {
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl) return `Ctrl+${event.shiftKey ? "Shift+" : ""}${event.key.length === 1 ? event.key.toLowerCase() : event.key}`;
  if (event.key.length === 1 && /[a-z]/i.test(event.key)) return event.shiftKey ? event.key.toUpperCase() : event.key.toLowerCase();
  return event.key;
}

/** How a chord is written in the help: "Shift+S", "Ctrl+Z", "→". */
export function shownChord(chord) {
  if (SHOWN[chord]) return SHOWN[chord];
  if (chord.startsWith("Ctrl+")) return chord.replace(/\+([a-z])$/, (_, c) => `+${c.toUpperCase()}`);
  if (chord.length === 1 && /[A-Z]/.test(chord)) return `Shift+${chord}`;
  return chord;
}

function kbd(text) {
  const element = document.createElement("kbd");
  element.textContent = text;
  return element;
}

/** Fill the help table: one row per group, in the order the groups first appear in `entries`
 * ({group, keys, shown?, does}); `extra` rows ({group, pairs: [[key, label]]}) come from the schema. */
export function renderHelp(tbody, entries, extra) {
  const groups = new Map();
  const add = (group, keys, does) => {
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push([keys, does]);
  };
  for (const entry of entries) add(entry.group, entry.shown ? [entry.shown] : entry.keys.map(shownChord), entry.does);
  for (const row of extra) for (const [key, label] of row.pairs) add(row.group, [key], label);
  tbody.replaceChildren(
    ...[...groups].map(([group, items]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = group;
      const td = document.createElement("td");
      items.forEach(([keys, does], i) => {
        if (i) td.append(" · ");
        keys.forEach((key, j) => {
          if (j) td.append(" ");
          td.append(kbd(key));
        });
        td.append(` ${does}`);
      });
      tr.append(th, td);
      return tr;
    }),
  );
}
