// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset ? button.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Copy buttons: <button data-copy="element-id">; without JavaScript the page says how to copy by hand.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-copy]") : null;
  const source = button ? document.getElementById(button.dataset.copy) : null;
  if (!source || !navigator.clipboard) {
    return;
  }
  navigator.clipboard.writeText(source.value || source.textContent).then(() => {
    button.textContent = "Copied";
  });
});

// Print buttons: <button data-print>; without JavaScript the browser's own print command does the same.
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
