// The console's only script (no inline scripts: the CSP forbids them).
// 1. The broadcast composer previews who gets it as the form changes (the server words the lines).
// 2. Broadcasts being sent show their progress until they are done.
// 3. A button with data-confirm asks before its form is sent (disabling a staff member).
"use strict";

function watchComposer(form) {
  const out = document.getElementById("preview");
  let timer = null;
  async function preview() {
    const answer = await fetch(form.dataset.preview, { method: "POST", body: new FormData(form) });
    if (!answer.ok) return;
    const p = await answer.json();
    out.textContent = p.lines.join("\n");
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 300); });
  if ([...form.querySelectorAll("textarea")].some((t) => t.value.trim())) preview();  // back from the confirm step
}

function watchProgress(row) {
  const bar = row.querySelector("progress");
  const status = row.querySelector(".status");
  const counts = row.querySelector(".counts");
  async function poll() {
    const answer = await fetch(row.dataset.progress);
    if (!answer.ok) return;
    const b = await answer.json();
    bar.max = b.queued || 1;
    bar.value = b.queued - b.pending;
    row.dataset.status = b.status;
    status.textContent = b.status_name;
    counts.textContent = `${b.sent}/${b.queued} · ${b.delivered} ✓ · ${b.failed} ✗ · ${b.cancelled} ⊘`;
    if (b.status === "sending") setTimeout(poll, 1000);
    else row.querySelectorAll("form").forEach((form) => form.remove());  // nothing left to cancel
  }
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("composer");
  if (form) watchComposer(form);
  document.querySelectorAll("tr[data-progress]").forEach((row) => {
    if (row.dataset.status === "sending") watchProgress(row);
  });
  document.querySelectorAll("form [data-confirm]").forEach((button) => {
    button.form.addEventListener("submit", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});
