// Article upload: drop several files (or choose them), send them to the API with a progress bar, then show
// the summary per file; a large upload becomes a job whose progress is polled. Without this script the
// form posts the same files to the page. Every text from the server goes in with textContent.

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const COLUMNS = ["documents", "passages", "furniture", "skipped_duplicates"];

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function showError(text) {
  $("upload-error").textContent = text;
  $("upload-error").hidden = !text;
}

function setProgress(percent, stage) {
  $("upload-progress").hidden = false;
  $("upload-bar").style.width = `${percent}%`;
  $("upload-bar").parentElement.setAttribute("aria-valuenow", String(percent));
  $("upload-stage").textContent = stage;
}

function cell(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderSummary(summary) {
  const table = document.createElement("table");
  table.className = "upload-summary";
  table.id = "summary-table";
  const head = table.createTHead().insertRow();
  for (const title of ["File", "Documents", "Passages", "Furniture lines", "Duplicates skipped", "Problem"]) {
    head.appendChild(cell("th", title, title === "File" || title === "Problem" ? "" : "num"));
  }
  const body = table.createTBody();
  for (const file of summary.files) {
    const row = body.insertRow();
    if (file.error) row.className = "failed";
    const name = cell("td", file.name);
    if (file.encoding && file.encoding !== "UTF-8") {
      name.append(" ", cell("span", `(read as ${file.encoding})`, "muted"));
    }
    row.appendChild(name);
    for (const key of COLUMNS) row.appendChild(cell("td", String(file[key]), "num"));
    row.appendChild(cell("td", file.error ? `${file.error} — nothing imported from this file` : ""));
  }
  const foot = table.createTFoot().insertRow();
  foot.appendChild(cell("th", "All files"));
  for (const key of COLUMNS) foot.appendChild(cell("th", String(summary[key]), "num"));
  const failed = summary.failed_files;
  foot.appendChild(cell("th", failed ? `${failed} file${failed === 1 ? "" : "s"} failed` : ""));
  const result = $("upload-result");
  result.replaceChildren(table);
  result.hidden = false;
  $("assign-now").hidden = summary.failed_files === summary.files.length;
}

function renderJob(job) {
  const box = document.createElement("div");
  box.className = "card";
  box.id = "job-status";
  box.dataset.status = job.status;
  box.append(`Import job ${job.id}: `, cell("span", job.status, "badge"), ` ${job.progress}%`);
  if (job.error) box.appendChild(cell("p", job.error, "error"));
  const result = $("upload-result");
  result.replaceChildren(box);
  result.hidden = false;
  setProgress(job.progress, job.status === "succeeded" ? "Imported." : `Importing in the background: ${job.status}…`);
  if (job.summary) {
    renderSummary(job.summary); // the files done so far, then all of them
    result.prepend(box);
  }
}

async function pollJob(config, id) {
  for (;;) {
    const response = await fetch(`${config.urls.jobs}${id}/`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      showError(`Could not read the import job (${response.status}).`);
      return;
    }
    const job = await response.json();
    renderJob(job);
    if (job.status === "succeeded" || job.status === "failed") return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function upload(config, files) {
  if (!files.length) {
    showError("Choose one or more files to upload.");
    return;
  }
  const tooBig = files.find((file) => file.size > config.max_file_bytes);
  if (tooBig) {
    showError(`${tooBig.name}: file is over the ${Math.floor(config.max_file_bytes / 1048576)} MB limit; nothing was uploaded.`);
    return;
  }
  showError("");
  const form = new FormData();
  form.append("project", String(config.project));
  for (const file of files) form.append("file", file, file.name);
  const request = new XMLHttpRequest();
  request.open("POST", config.urls.upload);
  request.setRequestHeader("X-CSRFToken", csrfToken());
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) setProgress(Math.round((100 * event.loaded) / event.total), "Uploading…");
  });
  request.upload.addEventListener("load", () => setProgress(100, "Importing…"));
  request.addEventListener("load", () => {
    $("upload-submit").disabled = false;
    let body = null;
    try {
      body = JSON.parse(request.responseText);
    } catch {
      body = null;
    }
    if ((request.status === 201 || request.status === 400) && body && body.files) {
      setProgress(100, request.status === 201 ? "Imported." : "Nothing imported.");
      renderSummary(body);
    } else if (request.status === 202 && body) {
      renderJob(body);
      pollJob(config, body.id);
    } else {
      const message = body && (body.file || body.detail || body.project);
      showError(Array.isArray(message) ? message.join(" ") : message || `Upload failed (${request.status}).`);
      $("upload-progress").hidden = true;
    }
  });
  request.addEventListener("error", () => {
    $("upload-submit").disabled = false;
    showError("The upload did not reach the server; check the connection and try again.");
  });
  $("upload-submit").disabled = true;
  setProgress(0, "Uploading…");
  request.send(form);
}

function listChosen(files) {
  $("chosen-files").textContent = files.length ? `${files.length} file${files.length === 1 ? "" : "s"}: ${files.map((f) => f.name).join(", ")}` : "";
}

function start() {
  const node = $("upload-config");
  if (!node) return;
  const config = JSON.parse(node.textContent);
  const zone = $("drop-zone");
  const input = $("upload-files");
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const files = [...(event.dataTransfer ? event.dataTransfer.files : [])];
    listChosen(files);
    upload(config, files); // dropping is the request to import
  });
  input.addEventListener("change", () => listChosen([...input.files]));
  $("upload-form").addEventListener("submit", (event) => {
    event.preventDefault();
    upload(config, [...input.files]);
  });
  const job = $("job-status");
  if (job && (job.dataset.status === "queued" || job.dataset.status === "running")) pollJob(config, job.dataset.job);
  document.documentElement.dataset.upload = "ready";
}

start();
