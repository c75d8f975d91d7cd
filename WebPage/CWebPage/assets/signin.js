// The sign-in popup's landing page (/signin on the vault's origin): Microsoft redirects here with
// `code` and `state` (or `error`). This script hands them to the page that opened the popup — only
// to this same origin — takes them out of the address bar and history, and closes the popup.
// Nothing is stored; the code is useless without the PKCE verifier the opener keeps in memory.
"use strict";

(() => {
  const query = new URLSearchParams(location.search);
  const answer = { kind: "handoff-signin", code: query.get("code"), state: query.get("state"), error: query.get("error") };
  history.replaceState(null, "", location.pathname);
  const text = document.getElementById("signin-status");
  let sameOrigin = false;
  try {
    sameOrigin = Boolean(window.opener) && window.opener.location.origin === location.origin;
  } catch (error) {
    sameOrigin = false; // another origin opened this window: it gets nothing
  }
  if (sameOrigin) {
    window.opener.postMessage(answer, location.origin);
    text.textContent = "Signed in. This window closes itself; if it does not, close it and go back to the vault's page.";
    window.close();
  } else {
    text.textContent = "This page only finishes a sign-in started from the vault's page. Close it and start again there.";
  }
})();
