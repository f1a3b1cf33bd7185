// The warning before an idle session ends (templates/includes/_session_timeout.html).
//
// The server signs a session out after a spell without requests (30 minutes
// for staff). Typing into a form makes no request, so a few minutes before
// the end this opens a dialog; "Stay signed in" posts to the keep-alive view
// in the background, so the page, and whatever was typed into it, stays as it
// is. Pressing Escape counts as staying: whoever pressed it is there.
//
// Tabs share the latest deadline through localStorage, so working in one tab
// keeps another from warning. When the time is up the page is loaded again
// and the server sends it to the sign-in page, so the records on screen are
// not left open on an unattended computer.
(() => {
  const dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;

  // One key per login, so another user's session on this browser counts for nothing.
  const STORAGE_KEY = `sharedlives.session-deadline.${dialog.dataset.user}`;
  const warnMs = Number(dialog.dataset.warnSeconds) * 1000;
  const timeLeft = dialog.querySelector("[data-session-time-left]");
  const problem = dialog.querySelector("[data-session-problem]");
  const keepalive = dialog.querySelector("form[data-session-keepalive]");
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
  let focusBefore = null;

  const sharedDeadline = () => {
    try {
      return Number(localStorage.getItem(STORAGE_KEY)) || 0;
    } catch {
      return 0;
    }
  };
  const share = () => {
    try {
      localStorage.setItem(STORAGE_KEY, String(Math.max(deadline, sharedDeadline())));
    } catch {
      // Storage off (private browsing): each tab keeps its own clock.
    }
  };
  const inWords = (ms) => {
    const minutes = Math.max(1, Math.ceil(ms / 60000));
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  };

  const open = (left) => {
    timeLeft.textContent = inWords(left);
    if (dialog.open) return;
    focusBefore = document.activeElement;
    problem.hidden = true;
    dialog.showModal();
  };
  const close = () => {
    if (!dialog.open) return;
    dialog.close();
    if (focusBefore && typeof focusBefore.focus === "function") focusBefore.focus();
  };

  const check = () => {
    deadline = Math.max(deadline, sharedDeadline());
    const left = deadline - Date.now();
    if (left <= 0) {
      window.location.assign(window.location.href);
    } else if (left <= warnMs) {
      open(left);
    } else {
      close();
    }
  };

  const stay = async () => {
    try {
      const response = await fetch(keepalive.action, {
        method: "POST",
        body: new FormData(keepalive),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      // A signed-out session is sent to the sign-in page instead.
      if (!response.ok || response.redirected) throw new Error("signed out");
      const answer = await response.json();
      deadline = Date.now() + answer.seconds_left * 1000;
      share();
      close();
    } catch {
      problem.hidden = false;
    }
  };

  keepalive.addEventListener("submit", (event) => {
    event.preventDefault();
    stay();
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) check();
  });

  share();
  setInterval(check, 5000);
})();
