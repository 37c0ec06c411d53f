// The flag dialog: a reason from the project's flag_reasons and a note, then either "Flag" (POST
// assignments/{id}/flag/), "Skip with this reason" (POST assignments/{id}/skip/ with the same body) or
// "Remove flag" ({"reason": null}). The editor says what happens after each answer.

export function flagDialog({ api, onFlagged, onSkip }) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("flag-dialog");
  let assignment = null;
  let returnFocus = null;

  function open(current) {
    assignment = current;
    returnFocus = document.activeElement;
    $("flag-reason").value = current.flag_reason || $("flag-reason").options[0].value;
    $("flag-note").value = current.flag_note || "";
    $("flag-clear").hidden = !current.flag_reason;
    $("flag-error").textContent = "";
    dialog.hidden = false;
    $("flag-reason").focus();
  }

  function close() {
    dialog.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
    else document.activeElement.blur();
  }

  function body() {
    return { reason: $("flag-reason").value, note: $("flag-note").value };
  }

  async function flag(reasonBody) {
    const result = await api("POST", `assignments/${assignment.id}/flag/`, reasonBody).catch(() => null);
    if (!result || !result.ok) {
      $("flag-error").textContent = failure(result);
      return;
    }
    close();
    onFlagged(result.data);
  }

  $("flag-save").addEventListener("click", () => flag(body()));
  $("flag-clear").addEventListener("click", () => flag({ reason: null }));
  $("flag-skip").addEventListener("click", () => {
    close();
    onSkip(body());
  });
  $("flag-cancel").addEventListener("click", close);
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Enter" && event.target.id !== "flag-note" && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      event.stopPropagation();
      flag(body());
    }
  });

  return { open, close, isOpen: () => !dialog.hidden };
}

function failure(result) {
  if (!result) return "The server could not be reached; try again.";
  if (result.data && typeof result.data === "object") return Object.values(result.data).flat().join(" ");
  return `Not saved (error ${result.status}).`;
}
