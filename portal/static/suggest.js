// Article suggestions while someone describes a problem, and "opened" feedback on suggested articles.
// Progressive enhancement: without it the forms still submit and the article page still offers feedback.
(() => {
  const csrfOf = (element) => {
    const input = (element.closest("form") || element).querySelector("input[name=csrf_token]");
    return input ? input.value : (element.dataset.csrf || "");
  };

  // On an article opened from a suggestion: record that it was opened, once.
  document.querySelectorAll("form[data-record-opened]").forEach((form) => {
    const body = new FormData(form);
    body.set("outcome", "opened");
    fetch(form.action, { method: "POST", body, credentials: "same-origin",
                         headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .catch(() => {});
  });

  // A suggestion box: <div data-doc-suggest data-url="..." data-subject="id" data-error="id">.
  document.querySelectorAll("[data-doc-suggest]").forEach((box) => {
    const subject = document.getElementById(box.dataset.subject);
    const error = document.getElementById(box.dataset.error);
    const list = box.querySelector("[data-suggestions]") || box;
    const form = box.closest("form") || (subject && subject.closest("form"));
    const keep = form ? form.querySelector("input[name=suggestion_interaction]") : null;
    let interaction = keep ? keep.value : "";
    let timer = null;
    let sequence = 0;
    const render = (items) => {
      list.replaceChildren();
      items.forEach((item) => {
        const entry = document.createElement("li");
        const link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title;
        const summary = document.createElement("span");
        summary.className = "muted";
        summary.textContent = item.summary;
        const reason = document.createElement("span");
        reason.className = "reason";
        reason.textContent = item.reason;
        entry.append(link, summary, reason);
        list.append(entry);
      });
      box.hidden = items.length === 0;
    };
    const update = async () => {
      const mine = ++sequence;
      const body = new FormData();
      body.append("subject", subject ? subject.value : "");
      body.append("error", error ? error.value : "");
      body.append("interaction", interaction);
      body.append("error_class", box.dataset.errorClass || "");
      body.append("failure_key", box.dataset.failureKey || "");
      body.append("csrf_token", csrfOf(box));
      if (!body.get("subject").trim() && !body.get("error").trim()) {
        render([]);
        return;
      }
      try {
        const response = await fetch(box.dataset.url, { method: "POST", body, credentials: "same-origin",
                                                          headers: { "X-Requested-With": "fetch" } });
        if (!response.ok || mine !== sequence) {
          return;
        }
        const data = await response.json();
        interaction = data.interaction;
        if (keep) {
          keep.value = interaction;
        }
        render(data.suggestions);
      } catch (failure) {
        // Suggestions are a help, not a requirement: keep the form usable.
      }
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(update, 350);
    };
    [subject, error].forEach((field) => field && field.addEventListener("input", later));
    // Text typed before this deferred script ran, or restored by the browser on "back", counts too.
    if ([subject, error].some((field) => field && field.value.trim())) {
      later();
    }
  });
})();
