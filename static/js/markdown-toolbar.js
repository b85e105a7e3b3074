// A Markdown toolbar over each textarea[data-markdown] of the composer, and images pasted
// or dropped into them uploaded to the media library (POST /admin/media) then inserted as
// ![alt](url). The plain textarea stays the fallback without this script.
(() => {
  const form = document.getElementById("composer-form");
  if (!form) return;
  const t = JSON.parse(form.dataset.messages);
  const csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  const status = document.getElementById("autosave-status");

  function notify(textarea) {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function replaceSelection(textarea, before, after, placeholder) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const chosen = value.slice(start, end) || placeholder;
    textarea.setRangeText(before + chosen + after, start, end, "end");
    textarea.setSelectionRange(start + before.length, start + before.length + chosen.length);
    textarea.focus();
    notify(textarea);
  }

  function prefixLines(textarea, prefix) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const from = value.lastIndexOf("\n", start - 1) + 1;
    const lines = value.slice(from, end).split("\n").map((line) => prefix + line);
    textarea.setRangeText(lines.join("\n"), from, end, "end");
    textarea.focus();
    notify(textarea);
  }

  function insert(textarea, text) {
    textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
    textarea.focus();
    notify(textarea);
  }

  async function upload(textarea, file) {
    const alt = (window.prompt(t.alt, "") || "").trim();
    if (!alt) {
      status.textContent = t.alt_needed;
      return;
    }
    status.textContent = t.uploading;
    const body = new FormData();
    body.append("file", file);
    body.append("alt", alt);
    body.append("csrf_token", csrf);
    const response = await fetch(form.dataset.mediaUrl, {
      method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    });
    const answer = await response.json();
    if (!response.ok) {
      status.textContent = answer.error;
      return;
    }
    insert(textarea, `![${answer.alt.replace(/[[\]]/g, "")}](${answer.url})`);
    status.textContent = t.uploaded;
  }

  function pickImage(textarea) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = "image/png,image/jpeg,image/webp,image/gif";
    input.addEventListener("change", () => { if (input.files[0]) upload(textarea, input.files[0]); });
    input.click();
  }

  const ACTIONS = [
    ["bold", "B", (ta) => replaceSelection(ta, "**", "**", t.text)],
    ["italic", "I", (ta) => replaceSelection(ta, "_", "_", t.text)],
    ["heading", "H", (ta) => prefixLines(ta, "### ")],
    ["list", "•", (ta) => prefixLines(ta, "- ")],
    ["link", t.link, (ta) => {
      const url = window.prompt(t.address, "https://");
      if (url) replaceSelection(ta, "[", `](${url})`, t.link_text);
    }],
    ["quote", "»", (ta) => prefixLines(ta, "> ")],
    ["image", t.image, pickImage],
    ["field", "{{ prénom }}", (ta) => insert(ta, "{{ prénom }}")],
  ];

  function imageFiles(transfer) {
    return Array.from((transfer && transfer.files) || []).filter((f) => f.type.startsWith("image/"));
  }

  form.querySelectorAll("textarea[data-markdown]").forEach((textarea) => {
    const bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", t.toolbar);
    bar.setAttribute("aria-controls", textarea.id);
    for (const [name, label, action] of ACTIONS) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `outline secondary md-${name}`;
      button.textContent = label;
      button.title = t[name];
      button.setAttribute("aria-label", t[name]);
      button.addEventListener("click", () => action(textarea));
      bar.append(button);
    }
    textarea.before(bar);
    textarea.addEventListener("paste", (event) => {
      const files = imageFiles(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      files.forEach((file) => upload(textarea, file));
    });
    textarea.addEventListener("dragover", (event) => {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) event.preventDefault();
    });
    textarea.addEventListener("drop", (event) => {
      const files = imageFiles(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      files.forEach((file) => upload(textarea, file));
    });
  });
})();
