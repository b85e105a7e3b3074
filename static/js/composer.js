// The one-screen composer: drag and drop (SortableJS) and move buttons reorder the cards,
// the preview follows the typing, the draft saves itself every few seconds and on leaving.
// Without this script every part still works through the page's plain forms.
(() => {
  const form = document.getElementById("composer-form");
  if (!form) return;
  const messages = JSON.parse(form.dataset.messages);
  const list = document.getElementById("section-list");
  const status = document.getElementById("autosave-status");
  const warning = document.getElementById("conflict-warning");
  const version = document.getElementById("composer-version");
  const previewButton = document.getElementById("preview-refresh");
  const textPanel = document.getElementById("preview-text");
  const csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  const AUTOSAVE_MS = 4000;
  const PREVIEW_MS = 400;
  let dirty = false;
  let stale = !warning.hidden;
  let saving = null;
  let previewTimer = null;
  let submitting = false;

  const cards = () => Array.from(list.querySelectorAll(":scope > li.section-card"));

  // Positions follow the cards' order: 10, 20, 30... as the server numbers them.
  function renumber() {
    const all = cards();
    all.forEach((card, index) => {
      const position = String((index + 1) * 10);
      const input = card.querySelector(".card-position");
      if (!input) return;
      input.value = position;
      card.id = `section-${position}`;
      card.querySelector(".move-up").value = `${position}:up`;
      card.querySelector(".move-down").value = `${position}:down`;
      card.querySelector(".move-up").disabled = index === 0;
      card.querySelector(".move-down").disabled = index === all.length - 1;
    });
  }

  function changed() {
    dirty = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, PREVIEW_MS);
  }

  function refreshPreview() {
    form.requestSubmit(previewButton);
    if (textPanel.open) refreshText();
  }

  async function refreshText() {
    const response = await fetch(form.dataset.textUrl, {
      method: "POST", body: new FormData(form), headers: { "X-CSRFToken": csrf },
    });
    if (response.ok) textPanel.querySelector("pre").textContent = await response.text();
  }

  function say(text) {
    status.textContent = text;
  }

  async function save(keepalive = false) {
    if (!dirty || stale || submitting) return;
    if (saving) return saving;
    dirty = false;
    say(messages.saving);
    saving = (async () => {
      try {
        const response = await fetch(form.dataset.autosaveUrl, {
          method: "POST", body: new FormData(form), keepalive,
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        });
        const answer = await response.json();
        if (response.ok) {
          version.value = answer.version;
          say(answer.message);
        } else if (response.status === 409) {
          stale = true;
          warning.hidden = false;
          say(messages.conflict);
        } else {
          dirty = true;
          say(messages.failed.replace("{reason}", answer.error || response.status));
        }
      } catch (error) {
        dirty = true;
        say(messages.offline);
      } finally {
        saving = null;
      }
    })();
    return saving;
  }

  // Keyboard and no-mouse reordering: the buttons move the card here instead of posting.
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button.move-up, button.move-down");
    if (!button) return;
    event.preventDefault();
    const card = button.closest("li");
    const up = button.classList.contains("move-up");
    const other = up ? card.previousElementSibling : card.nextElementSibling;
    if (!other) return;
    if (up) list.insertBefore(card, other);
    else list.insertBefore(other, card);
    renumber();
    const all = cards();
    const again = card.querySelector(up ? ".move-up" : ".move-down");
    (again.disabled ? card.querySelector(up ? ".move-down" : ".move-up") : again).focus();
    say(messages.moved.replace("{n}", all.indexOf(card) + 1).replace("{total}", all.length));
    changed();
  });

  if (window.Sortable) {
    window.Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      forceFallback: true, // pointer events: the same on every browser and in tests
      onEnd: () => { renumber(); changed(); },
    });
  }

  // The cards' summaries follow their title and first line.
  form.addEventListener("input", (event) => {
    const card = event.target.closest("li.section-card");
    if (event.target.name === "subject") {
      document.querySelector(".compose-head > summary strong").textContent = event.target.value;
    } else if (card && event.target.name.endsWith("-title")) {
      card.querySelector(".card-title").textContent = event.target.value;
    } else if (card && event.target.name.endsWith("-body_md")) {
      const line = event.target.value.split("\n").find((l) => l.trim()) || "";
      card.querySelector(".card-line").textContent = line.trim().slice(0, 90);
    }
    changed();
  });
  form.addEventListener("change", changed);
  textPanel.addEventListener("toggle", () => { if (textPanel.open) refreshText(); });

  // A plain save sends the page's version itself: no autosave may start after it, and one
  // in flight is waited for (its answer carries the version the save must send).
  form.addEventListener("submit", async (event) => {
    if (event.submitter === previewButton) return;
    submitting = true;
    if (!saving) return;
    event.preventDefault();
    await saving;
    if (!stale) form.submit();
  });
  // Adding a section reloads the page: save the typed text first.
  document.querySelectorAll("form.add-form").forEach((addForm) => {
    addForm.addEventListener("submit", async (event) => {
      if (!dirty) return;
      event.preventDefault();
      await save();
      if (!stale) addForm.submit();
    });
  });

  setInterval(() => save(), AUTOSAVE_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && !submitting) save(true);
  });
  window.addEventListener("pagehide", () => { if (!submitting) save(true); });
})();
