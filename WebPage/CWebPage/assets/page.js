// The customer's page: the rules and the sealing run in WebAssembly built from the CLI's own Swift
// sources and libsodium (handoff.wasm); this script only moves values between the form, that
// module and the vault's own origin. The invite and the values are kept in this page's memory
// only: never in a URL, storage or a cookie; the invite's token goes out only as the bearer token
// of requests to this origin.
"use strict";

(() => {
  const script = document.currentScript;
  // The vault this page talks to: its own origin, or — for the static bundle on a separate host
  // (handoffd web-bundle) — the one origin the bundle was made for (its policy allows no other).
  const vaultOrigin = script.dataset.vault || location.origin;
  const $ = (id) => document.getElementById(id);
  // The values' fields and each handoff state's words for the customer come from the domain (the
  // WebAssembly's hv_describe: ValueField, HandoffState.guidance), as the CLI's do.
  const fields = [];
  const labels = {};
  let stateWords = {};
  let stateWordsAfterDelivery = {};
  let afterDeliverySteps = [];
  // The handoff as the vault last showed it (customer, state, expiry, receipts), once the invite is pasted.
  let shown = null;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let rules = null;
  // The document the verdict is about: the loaded file's bytes until a field is edited, then the form.
  let loadedFile = null;
  // Fields are marked only once they were edited, a file was loaded or a send was tried: an empty
  // form is not a wall of red.
  const touched = new Set();
  let markAll = false;

  // --- The WebAssembly module -----------------------------------------------------------------

  // Every call leaves what it saw — the invite, the values, and the copies Swift made of them while
  // parsing — somewhere in the instance's linear memory, and hv_free wipes only the buffers it is
  // given. So each instance serves one call: then its whole memory is zeroed and a fresh instance
  // of the module (compiled once) takes over. A spare is kept ready; when none is ready yet, the
  // used instance is zeroed as soon as one is.
  let compiled = null;
  let spare = null;
  let dirty = false;

  async function instantiate() {
    let memory = null;
    const wasi = {
      // libsodium's randomness (crypto_box_seal's ephemeral key): the browser's CSPRNG.
      random_get(pointer, length) {
        for (let offset = 0; offset < length; offset += 65536) {
          crypto.getRandomValues(new Uint8Array(memory.buffer, pointer + offset, Math.min(65536, length - offset)));
        }
        return 0;
      },
      fd_write(fd, iovs, count, written) {
        const view = new DataView(memory.buffer);
        let total = 0;
        for (let i = 0; i < count; i++) total += view.getUint32(iovs + 8 * i + 4, true);
        view.setUint32(written, total, true);
        return 0;
      },
      fd_close: () => 8,
      fd_seek: () => 8,
    };
    const instance = await WebAssembly.instantiate(compiled, { wasi_snapshot_preview1: wasi });
    memory = instance.exports.memory;
    instance.exports._initialize();
    return instance.exports;
  }

  async function loadRules() {
    const response = fetch(script.dataset.rules, { integrity: script.dataset.rulesIntegrity, credentials: "omit", referrerPolicy: "no-referrer" });
    compiled = await WebAssembly.compileStreaming(response);
    const first = await instantiate();
    prepareSpare();
    return first;
  }

  function prepareSpare() {
    instantiate().then((fresh) => {
      if (dirty) {
        retire(fresh);
        prepareSpare();
      } else {
        spare = fresh;
      }
    });
  }

  // Zeroes the used instance's whole memory and moves to `fresh`.
  function retire(fresh) {
    new Uint8Array(rules.memory.buffer).fill(0);
    rules = fresh;
    dirty = false;
  }

  function afterCall() {
    if (spare) {
      const fresh = spare;
      spare = null;
      retire(fresh);
      prepareSpare();
    } else {
      dirty = true;
    }
  }

  // Calls an exported function with byte arrays; answers its JSON. Every buffer is wiped and freed.
  function call(name, ...inputs) {
    const buffers = inputs.map((bytes) => {
      const pointer = rules.hv_alloc(bytes.length);
      new Uint8Array(rules.memory.buffer, pointer, bytes.length).set(bytes);
      return [pointer, bytes.length];
    });
    try {
      const answer = rules[name](...buffers.flat());
      const length = new DataView(rules.memory.buffer).getUint32(answer, true);
      const text = decoder.decode(new Uint8Array(rules.memory.buffer, answer + 4, length));
      rules.hv_free(answer, length + 4);
      return JSON.parse(text);
    } finally {
      for (const [pointer, length] of buffers) rules.hv_free(pointer, length);
      afterCall();
    }
  }

  // --- The values ---------------------------------------------------------------------------

  function formDocument() {
    const values = {};
    for (const name of fields) {
      if (name === "redirectUris") {
        values.redirectUris = $(name).value.split("\n").map((line) => line.trim()).filter((line) => line !== "");
      } else if (name === "teamsAppObjectId") {
        if ($(name).value.trim() !== "") values.teamsAppObjectId = $(name).value;
      } else {
        values[name] = $(name).value;
      }
    }
    return encoder.encode(JSON.stringify(values));
  }

  function currentDocument() {
    return loadedFile !== null ? loadedFile : formDocument();
  }

  // What a problem is called: the field's portal label, or the field's name in the file (an
  // unknown key), or the document.
  function labelOf(field) {
    if (field === "$") return "The file";
    return labels[field] ? labels[field].replace(/ \(.*\)$/, "") : field;
  }

  // A problem under its field (#problem-<field>, which the field names in aria-describedby):
  // the label, what is wrong and the fix; the field marked invalid.
  function markField(problem) {
    const own = $(`problem-${problem.field}`);
    if (own.childNodes.length > 0) own.append(" ");
    const fix = document.createElement("span");
    fix.className = "hint";
    fix.textContent = `Fix: ${problem.hint}`;
    own.append(`${labelOf(problem.field)}: ${problem.message}.`, fix);
    $(problem.field).setAttribute("aria-invalid", "true");
  }

  // Each problem under its own field (only for a field that was edited, loaded from a file or
  // sent), and all of them in the summary at the top once a send was tried or a file loaded.
  function showProblems(problems) {
    const list = $("problems");
    list.replaceChildren();
    for (const name of fields) {
      $(`problem-${name}`).replaceChildren();
      $(name).removeAttribute("aria-invalid");
    }
    for (const problem of problems) {
      const item = document.createElement("li");
      item.dataset.field = problem.field;
      const text = `${labelOf(problem.field)}: ${problem.message}`;
      if (fields.includes(problem.field)) {
        const link = document.createElement("a");
        link.href = `#${problem.field}`;
        link.textContent = text;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          $(problem.field).focus();
        });
        item.append(link);
      } else {
        item.append(text);
      }
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = `Fix: ${problem.hint}`;
      item.append(hint);
      list.append(item);
      if (fields.includes(problem.field) && (markAll || touched.has(problem.field))) markField(problem);
    }
    if (problems.length === 0) {
      const item = document.createElement("li");
      item.textContent = "All values pass the checks.";
      list.append(item);
    }
    list.dataset.state = problems.length === 0 ? "valid" : "invalid";
    $("error-summary").hidden = !(markAll && problems.length > 0);
    // Counts verdicts, so that a test (or assistive tech) sees a new one even when it reads the same.
    list.dataset.checks = String(Number(list.dataset.checks || 0) + 1);
    updateGiven();
  }

  function check() {
    if (rules === null) return false;
    const verdict = call("hv_validate", currentDocument());
    showProblems(verdict.problems);
    return verdict.valid;
  }

  async function loadFile() {
    const file = $("valuesFile").files[0];
    if (!file) return;
    loadedFile = new Uint8Array(await file.arrayBuffer());
    markAll = true;
    // Fill the form from the file where it is readable JSON; the verdict stays the file's own.
    try {
      const text = decoder.decode(loadedFile).replace(/^\uFEFF/, "");
      const values = JSON.parse(text);
      for (const name of fields) {
        const value = values[name];
        if (name === "redirectUris" && Array.isArray(value)) $(name).value = value.join("\n");
        else if (typeof value === "string") $(name).value = value;
        else $(name).value = "";
      }
    } catch (error) {
      // Not JSON: the rules say why, below.
    }
    check();
  }

  // --- The vault ------------------------------------------------------------------------------

  // The outcome of an action, at the top of the page: it takes focus, so that it is seen and read
  // out ("success", "error" or "info" sets its colour and icon).
  let announced = 0;

  function status(text, kind = "info") {
    announced++;
    $("status").textContent = text;
    $("status-box").dataset.kind = kind;
    $("status").focus({ preventScroll: true });
    $("status-box").scrollIntoView({ block: "start" });
  }

  // A dated moment in the reader's own time, with the zone named ("1 Dec 2026, 11:15 CET").
  function localTime(text) {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return text;
    return new Intl.DateTimeFormat(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    }).format(date);
  }

  // The journey's stage for a handoff state: a submission after the package was delivered is the
  // Step 10 Object ID.
  function stageOf(summary) {
    if (!summary) return "invite";
    const after = summary.packageDelivered;
    switch (summary.state) {
      case "invited": return "values";
      case "submitted": return after ? "object-id" : "sent";
      case "released": case "acknowledged": return after ? "done" : "building";
      case "delivered": return "ready";
      default: return summary.state;
    }
  }

  function showStage(summary) {
    const stage = stageOf(summary);
    const journey = $("journey");
    journey.dataset.stage = stage;
    const order = Array.from(journey.children).map((item) => item.dataset.stage);
    const at = order.indexOf(stage);
    for (const [index, item] of Array.from(journey.children).entries()) {
      if (at >= 0 && index < at) item.dataset.done = "";
      else delete item.dataset.done;
      if (index === at) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
    $("package-part").hidden = !(stage === "ready" || stage === "object-id" || stage === "done");
    showMilestones(summary);
  }

  // When Altoura picked the values up and when the package was delivered, in the reader's time.
  function showMilestones(summary) {
    const pickedUp = summary && summary.pickedUpAt;
    const delivered = summary && summary.deliveredAt;
    $("picked-up").textContent = pickedUp ? `Altoura's package builder picked up your latest values on ${localTime(pickedUp)}.` : "";
    $("picked-up").hidden = !pickedUp;
    $("delivered-at").textContent = delivered ? `Your signed Teams app package was delivered on ${localTime(delivered)}.` : "";
    $("delivered-at").hidden = !delivered;
    $("milestones").hidden = !pickedUp && !delivered;
  }

  // The words for where the handoff stands (the domain's, as the CLI prints them).
  function wordsFor(summary) {
    const words = (summary.packageDelivered ? stateWordsAfterDelivery : stateWords)[summary.state];
    return words ? `${words.status} Next: ${words.next}` : `The handoff is ${summary.state}.`;
  }

  // --- The invite, confirmed as soon as it is pasted ---------------------------------------------

  let inviteTimer = null;
  let inviteAsked = 0;
  // How many outcomes were announced when the invite last changed: the invite's own words never
  // replace an action's outcome announced since.
  let announcedAtInvite = 0;

  function inviteChanged() {
    announcedAtInvite = announced;
    clearTimeout(inviteTimer);
    inviteTimer = setTimeout(confirmInvite, 250);
  }

  // Says who the invite is for and until when (the vault's answer to the invite's own token), or
  // in one sentence what is wrong with it; shows Altoura's constants for Steps 2–3 and fills them in.
  async function confirmInvite() {
    const summary = $("invite-summary");
    const asked = ++inviteAsked;
    shown = null;
    if (rules) updateSignIn();
    if ($("inviteCode").value.trim() === "") {
      summary.hidden = true;
      showStage(null);
      updateGiven();
      return;
    }
    let current;
    try {
      current = invite();
    } catch (error) {
      summary.textContent = error.message;
      summary.dataset.kind = "error";
      summary.hidden = false;
      showStage(null);
      updateGiven();
      return;
    }
    prefillGiven(current);
    try {
      const handoff = await vault("GET", `/v1/handoffs/${current.handoffId}`, current.token);
      if (asked !== inviteAsked) return;
      shown = handoff;
      summary.textContent = `Invite for ${handoff.customer}, valid until ${localTime(handoff.expiresAt)}.`;
      summary.dataset.kind = "ok";
      summary.hidden = false;
      showStage(handoff);
      // Where things stand, unless an action has said something since.
      if (announced === announcedAtInvite) {
        $("status").textContent = wordsFor(handoff);
        $("status-box").dataset.kind = "info";
      }
    } catch (error) {
      if (asked !== inviteAsked) return;
      summary.textContent = error.message;
      summary.dataset.kind = "error";
      summary.hidden = false;
    }
  }

  // Altoura's deployment constants from the invite, for Steps 2–3: shown with copy buttons and
  // put into the fields that are still empty (they stay untouched: no problem shown for them).
  function prefillGiven(current) {
    if (loadedFile !== null) return;
    if (current.redirectUri && $("redirectUris").value.trim() === "") $("redirectUris").value = current.redirectUri;
    if ($("scope").value.trim() === "") $("scope").value = "access_as_user";
    check();
  }

  const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function updateGiven() {
    let current = null;
    try {
      current = $("inviteCode").value.trim() ? invite() : null;
    } catch (error) {
      current = null;
    }
    $("given").hidden = !current;
    if (!current) return;
    $("given-redirect-uri").textContent = current.redirectUri || "";
    $("given-redirect-term").hidden = !current.redirectUri;
    $("given-redirect").hidden = !current.redirectUri;
    const clientId = $("clientId").value.trim().toLowerCase();
    const known = guidPattern.test(clientId) && !$("clientId").hasAttribute("aria-invalid");
    const host = current.appIdUriHost || "altouraremoteacs.azurewebsites.net";
    $("given-app-id-uri").textContent = `api://${host}/${known ? clientId : "<your Application (client) ID>"}`;
    const uri = $("applicationIdUri");
    if (known && loadedFile === null && (uri.value.trim() === "" || uri.dataset.prefilled === uri.value) && uri.value !== `api://${host}/${clientId}`) {
      uri.value = `api://${host}/${clientId}`;
      uri.dataset.prefilled = uri.value;
      check();
    }
  }

  async function copyGiven(event) {
    const text = $(event.currentTarget.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
      status(`Copied ${text}.`, "success");
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents($(event.currentTarget.dataset.copy));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      status("The browser did not allow copying: the text is selected, press Ctrl+C (⌘C on a Mac).");
    }
  }

  // Show / hide for the two secret fields (the invite code, the connection string).
  function toggleReveal(event) {
    const button = event.currentTarget;
    const field = $(button.getAttribute("aria-controls"));
    const reveal = field.type === "password";
    field.type = reveal ? "text" : "password";
    button.textContent = reveal ? "Hide" : "Show";
    button.setAttribute("aria-pressed", String(reveal));
  }

  function invite() {
    const code = $("inviteCode").value.trim();
    const decoded = call("hv_invite", encoder.encode(code));
    if (!decoded.ok) throw new Error(`The invite code is not valid (${decoded.reason}). Paste it again from the e-mail, all of it.`);
    if (new URL(decoded.server).origin !== vaultOrigin) {
      throw new Error(`This invite is for another vault (${decoded.server}); open that address instead.`);
    }
    decoded.code = code;
    return decoded;
  }

  async function vault(method, path, token, body) {
    const options = {
      method, mode: "cors", credentials: "omit", cache: "no-store", redirect: "error", referrerPolicy: "no-referrer",
      headers: { Accept: "application/json", Authorization: `Bearer ${token}` },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(vaultOrigin + path, options);
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const reason = answer.detail || `the vault answered ${response.status}`;
      if (response.status === 401) throw new Error(`The vault does not accept this invite any more (${reason}). Ask Altoura for a new one.`);
      throw new Error(`The vault refused: ${reason}. Nothing was changed.`);
    }
    return answer;
  }

  // --- Sign in with Microsoft -------------------------------------------------------------------
  // Authorization code with PKCE in a popup that lands on this vault's /signin, which hands the
  // code back with postMessage (same origin only). The code is redeemed here, the ID token's RS256
  // signature checked with the authority's key (WebCrypto), its claims by the generator's own rules
  // (the WebAssembly), and it is kept in memory only, to be sealed with the values.

  let signedIn = null;

  function base64url(bytes) {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    return base64Bytes(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  }

  // Shows the sign-in button when the invite offers it (on the vault's own page: a static host has
  // no /signin to land on).
  function updateSignIn() {
    signedIn = null;
    $("signed-in-as").hidden = true;
    let offered = false;
    try {
      const current = invite();
      offered = Boolean(current.signIn) && !script.dataset.vault;
    } catch (error) {
      offered = false;
    }
    $("sign-in-area").hidden = !offered;
  }

  // The popup's answer: the message from this origin's /signin in that very window.
  function popupAnswer(popup) {
    return new Promise((resolve, reject) => {
      const watch = setInterval(() => {
        if (popup.closed) finish(null, new Error("The sign-in window was closed before the sign-in finished. Nothing was sent."));
      }, 500);
      const listener = (event) => {
        if (event.origin !== location.origin || event.source !== popup || !event.data || event.data.kind !== "handoff-signin") return;
        finish(event.data, null);
      };
      function finish(answer, error) {
        clearInterval(watch);
        window.removeEventListener("message", listener);
        if (error) reject(error);
        else resolve(answer);
      }
      window.addEventListener("message", listener);
    });
  }

  // Checks the token's RS256 signature with the key the authority publishes under its kid.
  async function verifySignature(authority, token) {
    const [header, payload, signature] = token.split(".");
    const kid = JSON.parse(decoder.decode(fromBase64url(header))).kid;
    const published = await fetch(`${authority}/organizations/discovery/v2.0/keys`, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
    const keys = (await published.json()).keys || [];
    const jwk = keys.find((key) => key.kid === kid && key.kty === "RSA");
    if (!jwk) throw new Error("the sign-in token is signed with a key Microsoft does not publish");
    const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, fromBase64url(signature), encoder.encode(`${header}.${payload}`)))) {
      throw new Error("the sign-in token's signature does not hold");
    }
  }

  async function signIn() {
    await signInFor("");
  }

  // Signs in, asking for an access token to `resource` too ("graph": the live check's two
  // delegated scopes; "arm": Azure Resource Manager for the Communication Services resource).
  // Answers that token ("" when none was asked for), or null when the sign-in did not finish
  // (the status says why).
  async function signInFor(resource) {
    let current;
    try {
      current = invite();
    } catch (error) {
      status(error.message, "error");
      return null;
    }
    // Opened at once, in the click: a popup opened later is blocked.
    const popup = window.open("about:blank", "handoff-signin", "popup,width=520,height=680");
    if (!popup) {
      status("The browser blocked the sign-in window: allow pop-ups for this page and press Sign in with Microsoft again.");
      return null;
    }
    try {
      const settings = current.signIn;
      const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
      const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(verifier))));
      const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
      const salt = base64url(crypto.getRandomValues(new Uint8Array(16)));
      const nonce = call("hv_tenant_nonce", encoder.encode(current.handoffId), encoder.encode(salt)).nonce;
      const redirect = `${location.origin}/signin`;
      const endpoints = `${settings.authority}/organizations/oauth2/v2.0`;
      const scope = {
        "": "openid profile",
        graph: `openid profile ${settings.graph}/Application.Read.All ${settings.graph}/DelegatedPermissionGrant.Read.All`,
        arm: `openid profile ${settings.arm}/user_impersonation`,
      }[resource];
      popup.location = `${endpoints}/authorize?` + new URLSearchParams({
        client_id: settings.clientId, response_type: "code", redirect_uri: redirect, response_mode: "query", scope,
        state, nonce, code_challenge: challenge, code_challenge_method: "S256", prompt: "select_account",
      });
      status("Sign in with Microsoft in the window that opened…");
      const answer = await popupAnswer(popup);
      if (answer.error) throw new Error(answer.error === "access_denied" ? "The sign-in was cancelled. Nothing was sent." : "Microsoft refused the sign-in. Nothing was sent.");
      if (answer.state !== state || !answer.code) throw new Error("The sign-in answer was not for this page; press Sign in with Microsoft again.");
      const redeemed = await fetch(`${endpoints}/token`, {
        method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
        body: new URLSearchParams({ client_id: settings.clientId, grant_type: "authorization_code", code: answer.code, redirect_uri: redirect, code_verifier: verifier, scope }),
      });
      const tokens = await redeemed.json().catch(() => ({}));
      if (!redeemed.ok || !tokens.id_token) throw new Error("Microsoft gave no sign-in token; press Sign in with Microsoft again.");
      await verifySignature(settings.authority, tokens.id_token);
      const who = call("hv_check_sign_in", encoder.encode(current.code), encoder.encode($("tenantId").value.trim()),
        encoder.encode(tokens.id_token), encoder.encode(salt), encoder.encode(String(Math.floor(Date.now() / 1000))));
      if (!who.ok) throw new Error(`The sign-in does not hold: ${who.reason}. Nothing was sent.`);
      signedIn = { handoffId: current.handoffId, idToken: tokens.id_token, nonceSalt: salt, tenantId: who.tenantId };
      $("signed-in-as").textContent = `Signed in as ${who.user}${who.name ? ` (${who.name})` : ""}, tenant ${who.tenantId}.`;
      $("signed-in-as").hidden = false;
      status(`Signed in as ${who.user}. Your sign-in will be locked in with the settings when you send them.`, "success");
      if (!resource) return "";
      if (!tokens.access_token) throw new Error("Microsoft gave no access token with the sign-in; try again.");
      return tokens.access_token;
    } catch (error) {
      status(error.message, "error");
      return null;
    } finally {
      if (!popup.closed) popup.close();
    }
  }

  // --- The live check ------------------------------------------------------------------------------
  // The app registration read from Microsoft Graph with the admin's delegated token (in memory for
  // this one check), checked by the domain's rules (`hv_setup_check`), shown as Steps 1–4 and 10.

  const setupSteps = [[1, "Multitenant app registration"], [2, "Authentication callback"], [3, "Expose an API"],
    [4, "Microsoft Graph permissions"], [10, "Teams app authorized, admin consent granted"]];

  async function graphGet(graph, token, path, method = "GET") {
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await fetch(path.startsWith("https://") ? path : graph + path, {
        method, headers: { Accept: "application/json", Authorization: `Bearer ${token}` }, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      });
      if (response.status === 429) {
        const wait = Math.min(Math.max(Number(response.headers.get("Retry-After")) || 2, 1), 30);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new Error("Microsoft Graph refused to show the app registration: an admin of your tenant must consent to Altoura's sign-in app reading app registrations (Application.Read.All) and permission grants (DelegatedPermissionGrant.Read.All).");
      }
      if (!response.ok) throw new Error("Microsoft Graph could not be read just now; try the check again later.");
      return response.json();
    }
    throw new Error("Microsoft Graph kept asking to wait; try the check again later.");
  }

  // Every item of a Graph (`@odata.nextLink`) or Resource Manager (`nextLink`) collection, its
  // links kept on `base`.
  async function graphList(base, token, path) {
    const items = [];
    let next = path;
    for (let pages = 0; next && pages < 20; pages++) {
      if (next.startsWith("https://") && !next.startsWith(`${base}/`)) throw new Error("Microsoft pointed to another server; nothing was read from it.");
      const page = await graphGet(base, token, next);
      items.push(...(Array.isArray(page.value) ? page.value : []));
      const link = page["@odata.nextLink"] || page.nextLink;
      next = typeof link === "string" ? link : null;
    }
    return items;
  }

  // --- Fill from my tenant -----------------------------------------------------------------------
  // The admin picks the app registration (Graph) and the Communication Services resource (Resource
  // Manager, whose listKeys gives the connection string); the fields fill themselves. Tokens stay
  // in memory for this one step; the connection string goes only into its (password) field.

  let tenantApps = [];
  let acsResources = [];
  let armToken = null;

  function setField(name, value) {
    $(name).value = value;
    loadedFile = null;
    touched.add(name);
  }

  function fillSelect(select, placeholder, entries) {
    const first = document.createElement("option");
    first.value = "";
    first.textContent = placeholder;
    select.replaceChildren(first, ...entries.map(([value, text]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      return option;
    }));
  }

  async function fillFromTenant() {
    const token = await signInFor("graph");
    if (!token) return;
    try {
      const current = invite();
      tenantApps = (await graphList(current.signIn.graph, token, "/v1.0/applications?$select=appId,displayName,createdDateTime,web,identifierUris,api"))
        .filter((app) => typeof app.appId === "string" && /^[0-9a-f-]{36}$/i.test(app.appId));
      fillSelect($("appRegistration"), tenantApps.length ? "Choose your app registration…" : "No app registration in this tenant",
        tenantApps.map((app) => [app.appId, `${app.displayName || "(no name)"} — ${app.appId}${app.createdDateTime ? ` — created ${new Date(app.createdDateTime).toLocaleDateString()}` : ""}`]));
      $("fill-area").hidden = false;
      $("appRegistration").focus();
      status("Choose your app registration; then the Communication Services resource.");
    } catch (error) {
      status(error.message, "error");
    }
  }

  function pickApp() {
    const app = tenantApps.find((candidate) => candidate.appId === $("appRegistration").value);
    if (!app || !signedIn) return;
    const current = invite();
    setField("clientId", app.appId);
    setField("tenantId", signedIn.tenantId);
    setField("redirectUris", (app.web && Array.isArray(app.web.redirectUris) ? app.web.redirectUris : []).join("\n"));
    const uris = Array.isArray(app.identifierUris) ? app.identifierUris : [];
    const expected = current.appIdUriHost ? `api://${current.appIdUriHost}/${app.appId}` : null;
    setField("applicationIdUri", expected && uris.includes(expected) ? expected : uris[0] || "");
    const scopes = app.api && Array.isArray(app.api.oauth2PermissionScopes) ? app.api.oauth2PermissionScopes : [];
    setField("scope", scopes.some((scope) => scope.value === "access_as_user") ? "access_as_user" : "");
    check();
    status(`Filled in from the app registration ${app.displayName || app.appId}.`);
  }

  const resourceId = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/?#]+\/providers\/Microsoft\.Communication\/communicationServices\/[^/?#]+$/i;

  async function chooseAcs() {
    armToken = await signInFor("arm");
    if (!armToken) return;
    try {
      const arm = invite().signIn.arm;
      const subscriptions = await graphList(arm, armToken, "/subscriptions?api-version=2022-12-01");
      acsResources = [];
      for (const subscription of subscriptions) {
        if (!/^[0-9a-f-]{36}$/i.test(subscription.subscriptionId || "")) continue;
        const found = await graphList(arm, armToken, `/subscriptions/${subscription.subscriptionId}/providers/Microsoft.Communication/communicationServices?api-version=2023-04-01`);
        acsResources.push(...found.filter((resource) => resourceId.test(resource.id || "") && resource.properties && typeof resource.properties.hostName === "string"));
      }
      fillSelect($("acsResource"), acsResources.length ? "Choose your Communication Services resource…" : "No Communication Services resource found",
        acsResources.map((resource) => [resource.id, `${resource.name} — ${resource.properties.hostName}`]));
      $("acsResource").disabled = false;
      $("acsResource").focus();
      status("Choose your Communication Services resource.");
    } catch (error) {
      status(error.message, "error");
    }
  }

  async function pickAcs() {
    const resource = acsResources.find((candidate) => candidate.id === $("acsResource").value);
    if (!resource || !armToken) return;
    try {
      const keys = await graphGet(invite().signIn.arm, armToken, `${resource.id}/listKeys?api-version=2023-04-01`, "POST");
      if (typeof keys.primaryConnectionString !== "string") throw new Error("Azure gave no connection string for this resource.");
      setField("acsConnectionString", keys.primaryConnectionString);
      setField("acsEndpoint", `https://${resource.properties.hostName}/`);
      check();
      status(`Filled in from the Communication Services resource ${resource.name}; the connection string is in its field, not shown.`);
    } catch (error) {
      status(error.message, "error");
    }
  }

  async function readSetup(graph, token, clientId) {
    const application = (await graphList(graph, token, `/v1.0/applications?$filter=appId%20eq%20'${clientId}'`))[0] || null;
    const principal = (await graphList(graph, token, "/v1.0/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'&$select=id,oauth2PermissionScopes"))[0] || {};
    const graphPermissionIds = {};
    for (const scope of principal.oauth2PermissionScopes || []) {
      if (typeof scope.value === "string" && typeof scope.id === "string") graphPermissionIds[scope.value] = scope.id;
    }
    let grants = [];
    if (application) {
      const own = (await graphList(graph, token, `/v1.0/servicePrincipals?$filter=appId%20eq%20'${clientId}'&$select=id`))[0];
      if (own && /^[0-9a-f-]{36}$/i.test(own.id)) grants = await graphList(graph, token, `/v1.0/oauth2PermissionGrants?$filter=clientId%20eq%20'${own.id.toLowerCase()}'`);
    }
    return { application, graphPermissionIds, grants, graphServicePrincipalId: typeof principal.id === "string" ? principal.id : null };
  }

  function showChecklist(findings, withStep10) {
    const list = $("setup-checklist");
    list.replaceChildren();
    for (const [step, title] of setupSteps) {
      if (step === 10 && !withStep10) continue;
      const mine = findings.filter((finding) => finding.step === step);
      const item = document.createElement("li");
      item.dataset.step = String(step);
      item.dataset.state = mine.length === 0 ? "ok" : "problem";
      item.textContent = `${mine.length === 0 ? "✓" : "✗"} Step ${step}: ${title}${mine.length === 0 ? "" : ` (${mine.length} to fix)`}`;
      if (mine.length > 0) {
        const details = document.createElement("ul");
        for (const finding of mine) {
          const line = document.createElement("li");
          line.textContent = `${finding.message}. Fix: ${finding.hint}.`;
          details.append(line);
        }
        item.append(details);
      }
      list.append(item);
    }
    list.hidden = false;
  }

  async function checkSetup() {
    const clientId = $("clientId").value.trim().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(clientId)) {
      status("Fill in the Application (client) ID first: the check reads that app registration.");
      return;
    }
    const token = await signInFor("graph");
    if (!token) return;
    try {
      const current = invite();
      status("Reading your app registration from Microsoft Graph…");
      const setup = await readSetup(current.signIn.graph, token, clientId);
      const verdict = call("hv_setup_check", encoder.encode(current.code), currentDocument(), encoder.encode(signedIn.tenantId),
        encoder.encode(JSON.stringify(setup)));
      if (!verdict.ok) {
        if (verdict.problems) showProblems(verdict.problems);
        status("Fix the values' own problems first; then check the setup again.");
        return;
      }
      showChecklist(verdict.findings, $("teamsAppObjectId").value.trim() !== "");
      status(verdict.findings.length === 0
        ? "Your app registration is set up as the steps say."
        : `${verdict.findings.length} thing${verdict.findings.length === 1 ? "" : "s"} to fix in your app registration: see the checklist.`,
      verdict.findings.length === 0 ? "success" : "error");
    } catch (error) {
      status(error.message, "error");
    }
  }

  // The form's value fields, built from the domain's list: the portal's labels, secrets as
  // password fields with a show / hide toggle, lists as one item per line; each with its own
  // problem element (#problem-<field>) that it names in aria-describedby. The Object ID belongs
  // to Step 10, beside the package.
  function buildFields(description) {
    for (const field of description.fields) {
      const label = document.createElement("label");
      label.htmlFor = field.name;
      label.textContent = field.label;
      const input = document.createElement(field.list ? "textarea" : "input");
      input.id = field.name;
      input.name = field.name;
      input.spellcheck = false;
      input.autocomplete = "off";
      input.setAttribute("translate", "no");
      input.setAttribute("autocapitalize", "off");
      input.setAttribute("aria-describedby", `problem-${field.name}`);
      if (field.list) input.rows = 3;
      const problem = document.createElement("p");
      problem.id = `problem-${field.name}`;
      problem.className = "field-problem";
      const container = field.name === "teamsAppObjectId" ? $("object-id-field") : $("value-fields");
      if (field.secret) {
        // Autofill stays off through the form's autocomplete="off" (older axe-core flags "off" on a
        // password field itself).
        input.removeAttribute("autocomplete");
        input.type = "password";
        const row = document.createElement("div");
        row.className = "with-toggle";
        const toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "reveal";
        toggle.textContent = "Show";
        toggle.setAttribute("aria-controls", field.name);
        toggle.setAttribute("aria-pressed", "false");
        toggle.addEventListener("click", toggleReveal);
        row.append(input, toggle);
        container.append(label, row, problem);
      } else {
        container.append(label, input, problem);
      }
      fields.push(field.name);
      labels[field.name] = field.label;
    }
    stateWords = description.states;
    stateWordsAfterDelivery = description.statesAfterDelivery;
    afterDeliverySteps = description.afterDelivery;
    $("after-delivery").replaceChildren(...afterDeliverySteps.map((step) => {
      const item = document.createElement("li");
      item.textContent = step;
      return item;
    }));
  }

  function base64Bytes(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  function offerDownload(link, bytes, type, name) {
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([bytes], { type }));
    link.download = name;
    link.hidden = false;
  }

  // "Your handoff's history, verified": each receipt's audit event proven in the vault's signed
  // log (the checkpoint and the receipts checked with the server key the invite pins).
  async function showHistory(current, handoff) {
    const receipts = handoff.receipts || [];
    const list = $("history");
    if (receipts.length === 0) {
      $("history-part").hidden = true;
      return;
    }
    const checkpoint = await vault("GET", "/v1/audit/checkpoint", current.token);
    const items = [];
    for (const receipt of receipts) {
      const index = Number(receipt.split("\n")[5]);
      const item = document.createElement("li");
      let verdict = { ok: false, reason: "the receipt names no log entry" };
      if (Number.isInteger(index) && index >= 0) {
        const inclusion = await vault("GET", `/v1/audit/proof/inclusion?index=${index}&size=${checkpoint.treeSize}`, current.token);
        verdict = call("hv_receipt_in_log", encoder.encode(current.code), encoder.encode(receipt), encoder.encode(checkpoint.checkpoint),
          encoder.encode(inclusion.event), encoder.encode(JSON.stringify(inclusion.proof || [])));
      }
      item.dataset.state = verdict.ok ? "ok" : "problem";
      item.textContent = verdict.ok
        ? `✓ Sent on ${localTime(verdict.receivedAt)}: entry ${verdict.auditIndex} of the vault's signed log of ${verdict.treeSize}.`
        : `✗ A sending the log does not prove (${verdict.reason}). Tell Altoura.`;
      items.push(item);
    }
    list.replaceChildren(...items);
    $("history-part").hidden = false;
  }

  async function showState(current) {
    const handoff = await vault("GET", `/v1/handoffs/${current.handoffId}`, current.token);
    shown = handoff;
    showStage(handoff);
    try {
      await showHistory(current, handoff);
    } catch (error) {
      $("history-part").hidden = true;  // the history is a check on top; its absence blocks nothing
    }
    if (handoff.state === "delivered") {
      if (await fetchPackage(current, handoff)) {
        status(`Your Teams app package is ready, signed by Altoura and checked in this browser: download it below, then follow Steps 9 and 10.`, "success");
      }
      return;
    }
    status(wordsFor(handoff));
  }

  // The most a package may inflate to (as the CLI): a zip bomb costs the page at most this.
  const maximumInflated = 1024 * 1024;

  // The package's manifest.json, read as the CLI reads it: found through the zip's central
  // directory and inflated while counted, stopping at the size the entry declares and at 1 MiB.
  async function manifestOf(zip) {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let end = -1;
    for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65535); at--) {
      if (view.getUint32(at, true) === 0x06054b50) {
        end = at;
        break;
      }
    }
    if (end < 0) throw new Error("it is not a zip file");
    let at = view.getUint32(end + 16, true);
    for (let entry = 0; entry < view.getUint16(end + 10, true); entry++) {
      if (at + 46 > zip.length || view.getUint32(at, true) !== 0x02014b50) throw new Error("its directory is damaged");
      const method = view.getUint16(at + 10, true);
      const compressedSize = view.getUint32(at + 20, true);
      const declared = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      if (decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)) === "manifest.json") {
        const local = view.getUint32(at + 42, true);
        if (local + 30 > zip.length || declared > maximumInflated) throw new Error("manifest.json is damaged or too large");
        const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
        const data = zip.subarray(start, start + compressedSize);
        let bytes;
        if (method === 0) bytes = data.slice(0, declared);
        else if (method === 8) bytes = await inflate(data, declared);
        else throw new Error("manifest.json is compressed in a way Teams packages are not");
        if (bytes.length !== declared) throw new Error("manifest.json is not as long as the zip says");
        return JSON.parse(decoder.decode(bytes));
      }
      at += skip;
    }
    throw new Error("it has no manifest.json");
  }

  async function inflate(data, declared) {
    const reader = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > declared || total > maximumInflated) {
        await reader.cancel();
        throw new Error(`manifest.json inflates to more than its declared ${declared} bytes`);
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }

  // "Contoso Ltd." → "contoso-ltd": the customer's name as a file name's part.
  function fileNamePart(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "customer";
  }

  function sizeText(bytes) {
    return bytes < 1024 ? `${bytes} bytes` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  // Fetches the delivered package, checks it as `handoff package fetch` does and offers it;
  // answers whether it was offered (else the status says why not).
  async function fetchPackage(current, handoff) {
    const receipts = handoff.receipts || [];
    const delivered = await vault("GET", `/v1/handoffs/${current.handoffId}/package`, current.token);
    const zip = base64Bytes(delivered.package);
    // The package must be built from the newest values the vault receipted (checked in the module).
    const latestReceipt = receipts.length ? receipts[receipts.length - 1] : "";
    const verdict = call("hv_verify_package", encoder.encode(current.code), encoder.encode(delivered.signature), zip, encoder.encode(latestReceipt));
    if (!verdict.ok) {
      status(`The package does not carry a valid signature from Altoura's generator (${verdict.reason}). Do not install it; tell Altoura.`, "error");
      return false;
    }
    // Like handoff package fetch --values: the package must sign users in with this form's client ID.
    let manifest;
    try {
      manifest = await manifestOf(zip);
    } catch (error) {
      status(`The package is not a Teams app package (${error.message}). Do not install it; tell Altoura.`, "error");
      return false;
    }
    const clientId = $("clientId").value.trim().toLowerCase();
    const packaged = String((manifest.webApplicationInfo || {}).id || "").toLowerCase();
    if (clientId !== "" && packaged !== clientId) {
      status(`The package signs users in with client ID ${packaged}, not your Application (client) ID ${clientId}. Do not install it; tell Altoura.`, "error");
      return false;
    }
    const version = /^[0-9A-Za-z.+-]{1,32}$/.test(String(manifest.version || "")) ? manifest.version : "1";
    const name = `${fileNamePart(handoff.customer)}-teams-app-${version}.zip`;
    offerDownload($("package-download"), zip, "application/zip", name);
    $("package-file").textContent = `${name}, ${sizeText(zip.length)}`;
    return true;
  }

  async function submit(event) {
    event.preventDefault();
    const button = document.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      markAll = true;
      if (!check()) {
        status("Nothing was sent: fix the problems listed at the top first.", "error");
        return;
      }
      const current = invite();
      const sealedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const proof = signedIn && signedIn.handoffId === current.handoffId ? signedIn : { idToken: "", nonceSalt: "" };
      const sealed = call("hv_seal", encoder.encode(current.code), currentDocument(), encoder.encode(sealedAt),
        encoder.encode(proof.idToken), encoder.encode(proof.nonceSalt));
      if (!sealed.ok) {
        if (sealed.problems) showProblems(sealed.problems);
        status(`Nothing was sent: ${sealed.reason || "the values do not pass the checks"}.`, "error");
        return;
      }
      status("Sending…");
      const replaced = shown && (shown.receipts || []).length > 0 ? " It replaces what you sent before." : "";
      const verified = await upload(current, sealed);
      if (!verified) return;
      status(`Sent to Altoura on ${localTime(verified.receivedAt)}. Only Altoura's package builder can open it.${replaced} `
        + "Altoura builds your Teams app package next; come back to this page with your invite to download it.", "success");
    } catch (error) {
      status(error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  // Uploads a sealed box, checks the vault's signed receipt for exactly those bytes against the
  // server key in the invite, shows it, and moves the journey on. Answers the receipt's content,
  // or null when it does not check out (the status says so).
  async function upload(current, sealed) {
    const receipt = await vault("POST", `/v1/handoffs/${current.handoffId}/submissions`, current.token, {
      sealed: sealed.sealed, recipientKeyId: sealed.recipientKeyId,
    });
    const verified = call("hv_verify_receipt", encoder.encode(current.code), encoder.encode(receipt.receipt), base64Bytes(sealed.sealed));
    if (!verified.ok) {
      status(`The vault's receipt does not check out (${verified.reason}). Tell Altoura; do not rely on this sending.`, "error");
      return null;
    }
    showReceipt(receipt.receipt, verified.submissionId);
    try {
      shown = await vault("GET", `/v1/handoffs/${current.handoffId}`, current.token);
      showStage(shown);
    } catch (error) {
      // Only for the journey; the receipt is what proves the sending.
    }
    return verified;
  }

  function showReceipt(note, submissionId) {
    $("receipt").textContent = note;
    $("result").hidden = false;
    offerDownload($("receipt-download"), encoder.encode(note), "text/plain", `handoff-receipt-${submissionId}.txt`);
  }

  // Step 10: the Teams app's Object ID alone, sealed to the generator (hv_seal_object_id); the
  // generator adds it to the values it already has.
  async function sendObjectId() {
    const button = $("send-object-id");
    button.disabled = true;
    try {
      const current = invite();
      const sealedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const sealed = call("hv_seal_object_id", encoder.encode(current.code), encoder.encode($("teamsAppObjectId").value), encoder.encode(sealedAt));
      if (!sealed.ok) {
        touched.add("teamsAppObjectId");
        $("problem-teamsAppObjectId").replaceChildren();
        for (const found of sealed.problems || []) markField(found);
        status(`Nothing was sent: ${sealed.reason || "the Object ID is not right yet; see under its field"}.`, "error");
        return;
      }
      const before = await vault("GET", `/v1/handoffs/${current.handoffId}`, current.token);
      if ((before.receipts || []).length === 0) {
        status("Nothing was sent: send your Step 6 settings first; the Object ID is added to them.", "error");
        return;
      }
      status("Sending the Object ID…");
      const verified = await upload(current, sealed);
      if (!verified) return;
      $("problem-teamsAppObjectId").replaceChildren();
      $("teamsAppObjectId").removeAttribute("aria-invalid");
      status(`Sent your Teams app's Object ID to Altoura on ${localTime(verified.receivedAt)}. Altoura adds it to the settings you sent before; `
        + "there is nothing more to do unless Altoura asks.", "success");
    } catch (error) {
      status(error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  async function checkStatus() {
    try {
      await showState(invite());
    } catch (error) {
      status(error.message, "error");
    }
  }

  // --- Start -----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", async () => {
    $("handoff").addEventListener("submit", submit);
    $("check-status").addEventListener("click", checkStatus);
    $("sign-in").addEventListener("click", signIn);
    $("check-setup").addEventListener("click", checkSetup);
    $("fill-from-tenant").addEventListener("click", fillFromTenant);
    $("appRegistration").addEventListener("change", pickApp);
    $("choose-acs").addEventListener("click", chooseAcs);
    $("acsResource").addEventListener("change", pickAcs);
    $("inviteCode").addEventListener("input", inviteChanged);
    // Enter in the invite field confirms the invite; it does not send the (still empty) form.
    $("inviteCode").addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      announcedAtInvite = announced;
      clearTimeout(inviteTimer);
      confirmInvite();
    });
    $("send-object-id").addEventListener("click", sendObjectId);
    for (const button of document.querySelectorAll("button.copy")) button.addEventListener("click", copyGiven);
    for (const button of document.querySelectorAll("#handoff > fieldset button.reveal")) button.addEventListener("click", toggleReveal);
    $("valuesFile").addEventListener("change", loadFile);
    try {
      rules = await loadRules();
      buildFields(call("hv_describe"));
      for (const name of fields) {
        $(name).addEventListener("input", () => {
          loadedFile = null;
          touched.add(name);
          check();
        });
      }
      $("status").textContent = "Paste your invite code to begin.";
      check();
    } catch (error) {
      status("The page could not load its checks; reload it. Nothing was sent.", "error");
    }
  });
})();
