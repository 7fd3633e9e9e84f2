// The agent's ticket page: presence heartbeat and canned answers at the cursor. The page works without it.
(function () {
  "use strict";
  const presence = document.getElementById("presence");
  const form = document.getElementById("reply-form");
  if (!presence || !form) { return; }
  const tokenInput = form.querySelector("input[name=csrf_token]");
  const token = tokenInput ? tokenInput.value : "";
  const body = form.querySelector("textarea[name=body]");
  let state = "viewing";

  function render(others) {
    presence.replaceChildren(...others.map(function (p) {
      const tag = document.createElement("span");
      tag.className = "tag" + (p.state === "replying" ? " replying" : "");
      tag.textContent = p.name + " is " + p.state;
      return tag;
    }));
  }

  function beat() {
    const data = new FormData();
    data.append("state", state);
    fetch(presence.dataset.url, {method: "POST", body: data, headers: {"X-CSRFToken": token}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (json) { if (json) { render(json.others); } })
      .catch(function () { /* offline: try again at the next beat */ });
  }

  if (body) {
    state = body.value.trim() ? "replying" : "viewing";  // typed before this deferred script ran
    body.addEventListener("input", function () {
      const next = body.value.trim() ? "replying" : "viewing";
      if (next !== state) { state = next; beat(); }
    });
  }
  beat();
  setInterval(beat, 30000);

  const insert = document.getElementById("insert-canned");
  const select = form.querySelector("select[name=canned_id]");
  if (insert && select && body) {
    insert.addEventListener("click", function (event) {
      if (!select.value) { return; }
      event.preventDefault();
      const url = insert.dataset.renderUrl.replace(/\/0\/render$/, "/" + select.value + "/render") + "?ticket=" + insert.dataset.ticket;
      fetch(url, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (json) {
          const start = body.selectionStart, end = body.selectionEnd;
          body.value = body.value.slice(0, start) + json.text + body.value.slice(end);
          body.focus();
          body.selectionStart = body.selectionEnd = start + json.text.length;
          body.dispatchEvent(new Event("input"));
        });
    });
  }
})();
