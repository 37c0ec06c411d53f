// The API tokens page: a copy button for a new token's secret, and a confirmation before revoking.
// Without this script the page still works: the secret can be selected and copied by hand, and the
// revoke buttons revoke without asking.

const secret = document.getElementById("token-secret");
const copy = document.getElementById("token-copy");
const copyStatus = document.getElementById("token-copy-status");

if (secret && copy) {
  copy.hidden = false;
  secret.addEventListener("focus", () => secret.select());
  copy.addEventListener("click", async () => {
    secret.select();
    try {
      await navigator.clipboard.writeText(secret.value);
      copyStatus.textContent = "Copied to the clipboard.";
    } catch {
      copyStatus.textContent = "Selected: press Ctrl+C to copy.";
    }
  });
}

for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
