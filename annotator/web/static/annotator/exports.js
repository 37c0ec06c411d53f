// The export page: "Run in background" queues a job through the API and the table polls its progress.
// Without this script the page still works (the button posts the form and the page lists the jobs).

const config = JSON.parse(document.getElementById("exports-config").textContent);
const form = document.getElementById("export-form");
const table = document.getElementById("jobs");
const errorBox = document.getElementById("job-error");
const POLL_MS = 1000;
const csrf = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function rowFor(job) {
  let row = table.querySelector(`tr[data-job="${job.id}"]`);
  if (row) return row;
  table.querySelector("tr.no-jobs")?.remove();
  row = document.createElement("tr");
  row.dataset.job = String(job.id);
  const bar = document.createElement("div");
  bar.className = "progress";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.append(document.createElement("span"));
  const progress = document.createElement("td");
  progress.append(bar);
  const when = new Date(job.created_at).toISOString().slice(0, 16).replace("T", " ");
  row.append(
    cell(String(job.id)), cell(job.format), cell(when), cell("", "job-status"), progress,
    cell("", "job-rows"), cell("", "job-download"),
  );
  table.prepend(row);
  return row;
}

function render(job) {
  const row = rowFor(job);
  row.dataset.status = job.status;
  const status = row.querySelector(".job-status");
  status.textContent = job.status;
  if (job.error) {
    const error = document.createElement("span");
    error.className = "error";
    error.textContent = ` ${job.error}`;
    status.append(error);
  }
  const bar = row.querySelector(".progress");
  bar.setAttribute("aria-valuenow", String(job.progress));
  bar.firstElementChild.style.width = `${job.progress}%`;
  row.querySelector(".job-rows").textContent = String(job.rows);
  const download = row.querySelector(".job-download");
  if (job.download_url && !download.querySelector("a")) {
    const link = document.createElement("a");
    link.href = job.download_url;
    link.textContent = "Download";
    download.append(link);
  }
}

async function poll(jobId) {
  try {
    const response = await fetch(`${config.api}exports/${jobId}/`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const job = await response.json();
    render(job);
    if (job.status === "queued" || job.status === "running") setTimeout(() => poll(jobId), POLL_MS);
  } catch (error) {
    showError(`Could not read the progress of export ${jobId} (${error.message}); retrying.`);
    setTimeout(() => poll(jobId), POLL_MS * 5);
  }
}

async function runInBackground(event) {
  event.preventDefault();
  showError("");
  const data = new FormData(form);
  const body = {
    project: config.project,
    format: data.get("format"),
    source: data.get("source"),
    status: data.get("status"),
    documents: data.getAll("documents").flatMap((v) => String(v).split(",")).map((v) => v.trim()).filter(Boolean),
    annotators: data.getAll("annotators"),
  };
  const response = await fetch(`${config.api}exports/`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  // 202: a new job; 200: the same export of ours is still queued or running, and that job is the answer.
  if (!response.ok) {
    const messages = Object.values(answer).flat().join(" ");
    showError(messages || `The export could not be queued (status ${response.status}).`);
    return;
  }
  const shown = table.querySelector(`tr[data-job="${answer.id}"]`); // already polled if it is
  render(answer);
  if (!shown) poll(answer.id);
}

document.getElementById("run-background").addEventListener("click", runInBackground);
for (const row of table.querySelectorAll("tr[data-job]")) {
  if (row.dataset.status === "queued" || row.dataset.status === "running") poll(row.dataset.job);
}
