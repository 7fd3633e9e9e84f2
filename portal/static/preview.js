// Live preview for the documentation editor. Progressive enhancement: the Preview button works without it.
(() => {
  const form = document.querySelector("form[data-preview-url]");
  const target = form && document.getElementById(form.dataset.previewTarget);
  const text = form && form.querySelector("textarea[name=text]");
  if (!form || !target || !text) {
    return;
  }
  let timer = null;
  let sequence = 0;
  const update = async () => {
    const mine = ++sequence;
    const body = new FormData();
    body.append("text", text.value);
    const token = form.querySelector("input[name=csrf_token]");
    if (token) {
      body.append("csrf_token", token.value);
    }
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST", body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (response.ok && mine === sequence) {
        // The fragment is rendered and sanitised on the server (portal.markdown).
        target.innerHTML = await response.text();
        target.dataset.updates = String(mine);
      }
    } catch (error) {
      // Keep the last preview; the Preview button still works.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  };
  text.addEventListener("input", later);
  // An edit made before this deferred script ran (or restored by the browser on "back") is previewed too.
  if (text.value !== text.defaultValue) {
    later();
  }
})();
