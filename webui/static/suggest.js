// newsindex: the search box suggests the archive's phrases as one types (/suggest).
// An ARIA 1.2 combobox with a listbox popup: Down/Up move through the suggestions, Enter
// searches for the one chosen, Escape closes the list and keeps the typed text. Without this
// script the search box is a plain form field that works as before.
"use strict";

(function () {
  const DELAY_MS = 90;

  function enhance(form) {
    const input = form.querySelector("input[type=search]");
    const url = form.dataset.suggest;
    if (!input || !url || !window.fetch) return;
    const list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    let active = -1;
    let timer = 0;
    let controller = null;

    function options() {
      return Array.from(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      const all = options();
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function search(text) {
      input.value = text;
      close();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }

    function show(prefix, completions) {
      if (prefix !== input.value || !completions.length) {
        if (!completions.length) close();
        return;
      }
      list.replaceChildren(
        ...completions.map((text, i) => {
          const option = document.createElement("li");
          option.id = list.id + "-" + i;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = text;
          option.addEventListener("mousedown", (event) => event.preventDefault());
          option.addEventListener("click", () => search(text));
          return option;
        })
      );
      active = -1;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      input.removeAttribute("aria-activedescendant");
    }

    function ask() {
      const prefix = input.value;
      if (!prefix.trim()) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(prefix), { signal: controller.signal })
        .then((response) => (response.ok ? response.json() : [prefix, []]))
        .then((answer) => show(answer[0], Array.isArray(answer[1]) ? answer[1] : []))
        .catch(() => {});
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const count = options().length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        choose((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        choose(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        search(options()[active].textContent);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("form[data-suggest]").forEach(enhance);
})();
