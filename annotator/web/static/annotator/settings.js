// Project setup pages: the guidelines preview as you type, the slug suggested from the name, and the copy
// button of a new account's set-password link. Without this script the forms still work.
// The server renders and sanitises the preview (the same function the project page uses); this script
// only inserts what it returns and never builds HTML from the textarea itself.

const PREVIEW_DELAY_MS = 300;
const form = document.getElementById("project-form");

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]").value;
}

function livePreview(textarea, target, url) {
  let timer = null;
  let latest = 0;
  async function refresh() {
    const request = ++latest;
    const body = new URLSearchParams({ text: textarea.value });
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`preview answered ${response.status}`);
      const { html } = await response.json();
      // A slower answer to an older keystroke must not overwrite a newer preview.
      if (request === latest) target.innerHTML = html;
    } catch (error) {
      if (request === latest) target.textContent = "The preview is unavailable right now.";
    }
  }
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
}

function slugFrom(name) {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, "")
    .trim()
    .replace(/[\s-]+/g, "-")
    .slice(0, 80);
}

function suggestSlug(nameInput, slugInput) {
  // Follow the name until the user types a slug of their own.
  let edited = slugInput.value !== "" && slugInput.value !== slugFrom(nameInput.value);
  const follow = () => {
    if (!edited) slugInput.value = slugFrom(nameInput.value);
  };
  slugInput.addEventListener("input", () => { edited = slugInput.value !== ""; });
  nameInput.addEventListener("input", follow);
  // A name typed before this module ran still gets its slug.
  if (slugInput.value === "") follow();
}

if (form) {
  const textarea = form.querySelector("textarea[data-preview-target]");
  const target = textarea && document.getElementById(textarea.dataset.previewTarget);
  if (textarea && target) livePreview(textarea, target, form.dataset.previewUrl);
  if (form.hasAttribute("data-suggest-slug")) {
    suggestSlug(form.querySelector("input[name=name]"), form.querySelector("input[name=slug]"));
  }
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Selected: press Ctrl+C";
    }
  });
}
