// Forms with data-confirm ask before submitting (no inline handler: the CSP allows
// scripts from the site only).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
