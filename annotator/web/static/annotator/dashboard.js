// The agreement dashboard while a run is queued or running: poll its progress, reload when it is done.
// The page hands over {run, url} with json_script; the figures themselves are drawn on the server.

const config = JSON.parse(document.getElementById("agreement-poll")?.textContent ?? "null");

function show(run) {
  const percent = Math.max(0, Math.min(100, Number(run.progress) || 0));
  const bar = document.getElementById("run-bar");
  if (bar) {
    bar.style.width = `${percent}%`;
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
  }
  const text = { "run-percent": String(percent), "run-stage": run.stage || "", "run-status": run.status };
  for (const [id, value] of Object.entries(text)) {
    const element = document.getElementById(id);
    if (element) element.textContent = value;
  }
}

async function poll(delay) {
  try {
    const response = await fetch(config.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const run = await response.json();
      show(run);
      if (run.status === "succeeded" || run.status === "failed") {
        window.location.reload();
        return;
      }
    }
  } catch (error) {
    // The server or the network hiccuped: keep polling, a little more slowly.
  }
  window.setTimeout(() => poll(Math.min(delay * 1.25, 5000)), delay);
}

if (config) window.setTimeout(() => poll(1000), 1000);
