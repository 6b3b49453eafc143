// Behaviour shared by every page. Loaded as a file: the Content-Security-Policy
// allows no inline script. Each feature keeps its own code in static/js/<feature>.js.
"use strict";

(function () {
  // An error summary takes the focus when the page opens, so a screen reader
  // reads what to correct first and a keyboard user starts from its links.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  }

  // A link from the error summary moves the focus into its field, not just the view.
  function followSummaryLinks() {
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    });
  }

  // Stressed people press twice: a form marked data-submit-once is sent once.
  // The buttons stay enabled (a disabled button's name would not be sent).
  function submitOnce() {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting === "true") {
          event.preventDefault();
          return;
        }
        form.dataset.submitting = "true";
        form.setAttribute("aria-busy", "true");
      });
    });
    // Coming back with the browser's Back button restores the page as it was sent.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-submitting]").forEach(function (form) {
        delete form.dataset.submitting;
        form.removeAttribute("aria-busy");
      });
    });
  }

  // <button data-confirm="Unlock this number?"> asks before an irreversible step.
  function confirmButtons() {
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) {
          event.preventDefault();
          event.stopImmediatePropagation();
        }
      });
    });
  }

  function start() {
    focusErrorSummary();
    followSummaryLinks();
    submitOnce();
    confirmButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
