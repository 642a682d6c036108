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
  // Forms that wait for Pongo: <form data-busy-label="Refreshing…">. On submit the button says
  // so, is disabled, the text is announced, and a second submit is ignored. Without this
  // script the form simply posts.
  const live = document.getElementById("live-status");
  document.querySelectorAll("form[data-busy-label]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;  // a confirmation was declined
      if (form.dataset.submitting) { event.preventDefault(); return; }
      form.dataset.submitting = "1";
      const label = form.dataset.busyLabel;
      const button = event.submitter || form.querySelector("[type=submit]");
      if (button) {
        button.dataset.idleLabel = button.innerHTML;
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
        button.textContent = label;
        // Disabled after this tick: the pressed button's name and value still go with the form.
        setTimeout(() => { button.disabled = true; }, 0);
      }
      if (live) live.textContent = label;
    });
  });
  // Back to a page kept in the browser's memory: its forms are usable again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting]").forEach((form) => {
      delete form.dataset.submitting;
      form.querySelectorAll(".is-busy").forEach((button) => {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
        button.innerHTML = button.dataset.idleLabel || button.innerHTML;
      });
    });
    if (live) live.textContent = "";
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
// Locations: rows of a large merchant offer a few stores each; the page's one list of every
// free store (#pongo-stores) becomes a search beside each row's select, which still submits.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("pongo-stores");
  if (!source) return;
  // [slug, description] pairs; the label is the one the rows' own lists show.
  const stores = JSON.parse(source.textContent).map(([slug, text]) => [slug, `${text} (${slug})`]);
  const slugByLabel = new Map(stores.map(([slug, label]) => [label, slug]));
  const list = document.createElement("datalist");
  list.id = "pongo-store-list";
  stores.forEach(([, label]) => list.appendChild(new Option(label)));
  source.after(list);
  document.querySelectorAll("select[data-store-picker]").forEach((select) => {
    const search = document.createElement("input");
    search.type = "search";
    search.setAttribute("list", list.id);
    search.setAttribute("aria-label", source.dataset.label);
    search.placeholder = source.dataset.label;
    search.className = "store-search";
    search.addEventListener("change", () => {
      const slug = slugByLabel.get(search.value);
      if (!slug) return;
      if (![...select.options].some((option) => option.value === slug)) {
        select.add(new Option(search.value, slug));
      }
      select.value = slug;
    });
    select.after(search);
  });
});
// Locations: rows changed since the page was drawn (each row's select against its "was" field)
// turn the action bar into "Unsaved changes: Discard / Save" and put "Accept suggestions"
// away, since accepting would drop them. Without this script the bar is a plain Save.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-unsaved-form]");
  const bar = document.getElementById("action-bar");
  if (!form || !bar) return;
  const status = bar.querySelector("[data-unsaved-status]");
  const discard = bar.querySelector("[data-discard]");
  const save = bar.querySelector("button[type=submit][form]");
  const accept = bar.querySelector("[data-when-saved]");
  const next = document.querySelector(".next-step .button-primary");
  const selects = [...form.querySelectorAll("select[name=store]")];
  const drawn = (select) => select.parentElement.querySelector("input[name=was]").value;
  const update = () => {
    const changed = selects.some((select) => select.value !== drawn(select));
    status.hidden = !changed;
    discard.hidden = !changed;
    save.hidden = !changed;
    if (accept) accept.hidden = changed;
    // One primary action at a time: the setup's next step waits for the save.
    if (next) next.classList.toggle("button-ghost", changed);
    selects.forEach((select) => {
      const option = select.selectedOptions[0];
      if (option) select.title = option.text;
    });
  };
  form.addEventListener("change", update);
  form.addEventListener("reset", () => setTimeout(update, 0));
  update();
});
