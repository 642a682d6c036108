// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: <button data-copy-target="id">
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copyTarget);
      if (!source) return;
      const text = source.value !== undefined ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        if (source.select) { source.select(); document.execCommand("copy"); }
      }
      const done = button.dataset.copiedLabel;
      if (done) {
        const original = button.textContent;
        button.textContent = done;
        setTimeout(() => { button.textContent = original; }, 2000);
      }
    });
  });
  // Confirmation before destructive actions: <form data-confirm="message">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Scroll to and highlight the row named in the URL fragment.
  if (location.hash) {
    const row = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (row) { row.classList.add("is-target"); row.scrollIntoView({ block: "center" }); }
  }
});
// Locations: a launch aiming at a row on another page asks the server for that row's page.
document.addEventListener("DOMContentLoaded", () => {
  if (!location.hash.startsWith("#row-") || !document.querySelector(".locations-table")) return;
  const ref = decodeURIComponent(location.hash.slice(5));
  const params = new URLSearchParams(location.search);
  if (!document.getElementById("row-" + ref) && params.get("focus") !== ref) {
    location.replace(location.pathname + "?focus=" + encodeURIComponent(ref) + location.hash);
  }
});
