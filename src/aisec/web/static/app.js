/* aisec web app: the only script the pages load (CSP forbids inline scripts).
   Everything works without it; it adds the live threat preview, drag and drop of evidence files
   and select-all for bulk edits. Server text is inserted with textContent, never as HTML. */
"use strict";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderPreview(body, data) {
  body.replaceChildren();
  if (data.problems && data.problems.length) {
    body.append(el("p", "warn small", "Still missing for a valid system: " + data.problems.length +
      " answer(s); threats shown with placeholders."));
  }
  const count = el("p");
  count.append(el("strong", "", String(data.applicable.length)));
  count.append(" threat(s) apply, " + data.excluded + " do not.");
  body.append(count);
  const list = el("ul", "plain");
  for (const t of data.applicable) {
    const item = el("li");
    item.append(el("strong", "", t.threat_name), " ", el("code", "muted", t.threat_id), " on ",
      el("code", "", t.component), el("div", "small", t.rationale.join("; ")));
    list.append(item);
  }
  body.append(list);
}

function livePreview(form) {
  const body = document.getElementById("preview-body");
  if (!body || !form.dataset.preview) return;
  let timer = null;
  let seq = 0;
  const run = async () => {
    const mine = ++seq;
    const data = new FormData(form);
    try {
      const response = await fetch(form.dataset.preview, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      if (!response.ok || mine !== seq) return;
      renderPreview(body, await response.json());
      body.dataset.updated = String(mine);
    } catch (err) {
      /* the server-side "Check which threats apply" button still works */
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(run, 300); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}

function dropzone(zone) {
  const input = zone.querySelector("input[type=file]");
  const names = zone.querySelector(".dropped");
  if (!input) return;
  const show = () => { if (names) names.textContent = Array.from(input.files).map(f => f.name).join(", "); };
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
}

function selectAll(box) {
  box.addEventListener("change", () => {
    const form = box.form;
    if (!form) return;
    for (const other of form.querySelectorAll("input[type=checkbox][name=" + box.dataset.selectAll + "]")) {
      other.checked = box.checked;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("system-form");
  if (form) livePreview(form);
  document.querySelectorAll(".dropzone").forEach(dropzone);
  document.querySelectorAll("input[data-select-all]").forEach(selectAll);
});
