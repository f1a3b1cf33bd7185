// The "Print" button of a page made for printing. It is hidden until this
// script runs, so without scripts the page's words (use the browser's Print)
// are all there is. No inline script: the Content Security Policy forbids it.
document.querySelectorAll("[data-print-button]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
