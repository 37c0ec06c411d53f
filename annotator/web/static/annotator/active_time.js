// Time on task: counts the seconds an annotator actively spends on the open passage and reports them to
// POST /api/v1/assignments/{id}/time/ as increments (the server adds them; see labeling/time_on_task.py).
//
// A second counts while the tab is visible and there was input (a key, the pointer, a text selection)
// within the last `idleAfter` seconds. What was counted is sent every `flushEvery` seconds, when the tab is
// hidden and when the editor leaves the passage — with sendBeacon, so it survives closing the tab.

const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "selectionchange"];
const TICK_MS = 1000;

export function activeTimeTracker({ url, csrfToken, idleAfter, flushEvery }) {
  let assignmentId = null;
  let countedMs = 0; // counted for the current passage, not yet sent
  let lastInput = 0;
  let lastTick = Date.now();
  const visible = () => document.visibilityState === "visible";
  // Visibility during the stretch since the last tick; updated only after that stretch is counted.
  let shown = visible();

  function tick() {
    const now = Date.now();
    // Count wall time since the last tick, not ticks (timers drift, and are throttled in background tabs),
    // up to the moment the idle window closed.
    if (assignmentId !== null && shown) {
      countedMs += Math.max(0, Math.min(now, lastInput + idleAfter * 1000) - lastTick);
    }
    lastTick = now;
    if (countedMs >= flushEvery * 1000) flush();
  }

  function flush() {
    const seconds = Math.floor(countedMs / 1000);
    if (assignmentId === null || seconds < 1) return;
    countedMs -= seconds * 1000;
    const body = new URLSearchParams({ seconds: String(seconds), csrfmiddlewaretoken: csrfToken() });
    const target = url(assignmentId);
    if (!(navigator.sendBeacon && navigator.sendBeacon(target, body))) {
      fetch(target, { method: "POST", body, credentials: "same-origin", keepalive: true }).catch(() => {});
    }
  }

  const noteInput = () => { lastInput = Date.now(); };
  for (const name of INPUT_EVENTS) document.addEventListener(name, noteInput, { passive: true, capture: true });
  document.addEventListener("visibilitychange", () => {
    tick(); // count the stretch just ended under the visibility it had
    shown = visible();
    if (!shown) flush();
  });
  window.addEventListener("pagehide", () => { tick(); flush(); });
  setInterval(tick, TICK_MS);

  return {
    // Call when the editor opens a passage (or none): what the last one counted is sent first.
    open(id) {
      tick();
      flush();
      assignmentId = id;
      countedMs = 0;
      lastInput = Date.now(); // opening a passage is itself input
      lastTick = Date.now();
    },
  };
}
