// The auditor's page: the log read with the auditor's token from this origin, turned into the
// exact bytes of `handoff audit export`, and verified by the same Swift verifier compiled to
// WebAssembly (handoff.wasm: hv_verify_export, hv_verify_inclusion). The token is kept in this
// page's memory only and sent only as the bearer token of requests to this origin.
"use strict";

(() => {
  const script = document.currentScript;
  const $ = (id) => document.getElementById(id);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let rules = null;
  // The verified log: its events (parsed), their bytes, the checkpoint and the export's bytes.
  let log = null;

  // --- The WebAssembly module (nothing secret passes through it: one instance serves) ---------

  async function loadRules() {
    let memory = null;
    const wasi = {
      random_get(pointer, length) {
        crypto.getRandomValues(new Uint8Array(memory.buffer, pointer, length));
        return 0;
      },
      fd_write(fd, iovs, count, written) {
        new DataView(memory.buffer).setUint32(written, 0, true);
        return 0;
      },
      fd_close: () => 8,
      fd_seek: () => 8,
    };
    const response = fetch(script.dataset.rules, { integrity: script.dataset.rulesIntegrity, credentials: "omit", referrerPolicy: "no-referrer" });
    const { instance } = await WebAssembly.instantiateStreaming(response, { wasi_snapshot_preview1: wasi });
    memory = instance.exports.memory;
    instance.exports._initialize();
    return instance.exports;
  }

  // Calls an exported function with byte arrays (numbers pass as they are); answers its JSON.
  function call(name, ...inputs) {
    const buffers = [];
    const args = [];
    for (const input of inputs) {
      if (typeof input === "number") {
        args.push(input);
        continue;
      }
      const pointer = rules.hv_alloc(input.length);
      new Uint8Array(rules.memory.buffer, pointer, input.length).set(input);
      buffers.push([pointer, input.length]);
      args.push(pointer, input.length);
    }
    try {
      const answer = rules[name](...args);
      const length = new DataView(rules.memory.buffer).getUint32(answer, true);
      const text = decoder.decode(new Uint8Array(rules.memory.buffer, answer + 4, length));
      rules.hv_free(answer, length + 4);
      return JSON.parse(text);
    } finally {
      for (const [pointer, length] of buffers) rules.hv_free(pointer, length);
    }
  }

  // --- The page ---------------------------------------------------------------------------------

  function status(text, kind = "info") {
    $("status").textContent = text;
    $("status-box").dataset.kind = kind;
    $("status").focus({ preventScroll: true });
    $("status-box").scrollIntoView({ block: "start" });
  }

  function localTime(text) {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return text;
    return new Intl.DateTimeFormat(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
    }).format(date);
  }

  async function vault(path) {
    const response = await fetch(path, {
      credentials: "omit", cache: "no-store", redirect: "error", referrerPolicy: "no-referrer",
      headers: { Accept: "application/json", Authorization: `Bearer ${$("auditorToken").value.trim()}` },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const reason = answer.detail || `the vault answered ${response.status}`;
      if (response.status === 401 || response.status === 403) throw new Error(`The vault does not accept this token for the audit log (${reason}).`);
      throw new Error(`The vault refused: ${reason}.`);
    }
    return answer;
  }

  // What the auditor trusts: the vault's key, the witnesses and quorum, the last export kept.
  async function trusted() {
    const witnesses = $("witnessKeys").value.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    const quorum = Math.max(0, Math.min(Number($("quorum").value) || 0, witnesses.length));
    const previous = [];
    const file = $("previousExport").files[0];
    if (file) {
      const text = decoder.decode(new Uint8Array(await file.arrayBuffer()));
      const lines = text.split("\n").filter((line) => line !== "");
      let note = text;
      try {
        const last = JSON.parse(lines[lines.length - 1]);
        if (typeof last.checkpoint === "string") note = last.checkpoint;
      } catch (error) {
        // A bare checkpoint note.
      }
      previous.push(note);
    }
    return { key: $("serverKey").value.trim(), witnesses, quorum, previous };
  }

  function verify(bytes, trust) {
    return call("hv_verify_export", bytes, encoder.encode(trust.key), encoder.encode(JSON.stringify(trust.previous)),
      encoder.encode(JSON.stringify(trust.witnesses)), trust.quorum);
  }

  function verdictText(verdict, trust) {
    if (!verdict.ok) return `The log does not verify${verdict.index === undefined ? "" : ` at event ${verdict.index}`}: ${verdict.reason}.`;
    const parts = [`${verdict.treeSize} events verified: every one is in the tree whose root the vault signed`];
    if (verdict.cosignedBy.length) parts.push(`cosigned by ${verdict.cosignedBy.join(", ")}`);
    if (verdict.consistentWith.length) parts.push(`the log extends your last checkpoint of ${verdict.consistentWith.join(", ")} events`);
    if (trust.witnesses.length && trust.quorum === 0) parts.push("no quorum of witnesses was asked for");
    return `${parts.join("; ")}.`;
  }

  // The exact bytes of `handoff audit export`: each event's canonical bytes on a line, then the
  // checkpoint line.
  function exportBytes(events, note) {
    const text = events.map((event) => `${event.text}\n`).join("") + `${JSON.stringify({ checkpoint: note })}\n`;
    return encoder.encode(text);
  }

  async function loadLog(event) {
    event.preventDefault();
    const button = $("load-log");
    button.disabled = true;
    try {
      const trust = await trusted();
      status("Reading the log…");
      const checkpoint = await vault("/v1/audit/checkpoint");
      const events = [];
      let after = 0;
      while (after < checkpoint.treeSize) {
        const page = await vault(`/v1/audit/events?after=${after}&limit=1000`);
        if (!page.events.length) break;
        for (const item of page.events) {
          if (item.index < checkpoint.treeSize) events.push({ index: item.index, text: item.event, event: JSON.parse(item.event) });
        }
        after = Math.max(after + 1, page.events[page.events.length - 1].index + 1);
      }
      const bytes = exportBytes(events, checkpoint.checkpoint);
      const verdict = verify(bytes, trust);
      log = verdict.ok ? { events, checkpoint, bytes, root: verdict.rootHash } : null;
      showWitnesses(checkpoint.witnesses || [], verdict);
      if (log) {
        const link = $("export-download");
        if (link.href) URL.revokeObjectURL(link.href);
        link.href = URL.createObjectURL(new Blob([bytes], { type: "application/jsonl" }));
        link.download = `audit-${checkpoint.treeSize}.jsonl`;
        link.hidden = false;
        fillActions(events);
        showEvents();
      } else {
        $("events-part").hidden = true;
        $("export-download").hidden = true;
      }
      status(verdictText(verdict, trust), verdict.ok ? "success" : "error");
    } catch (error) {
      status(error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  function showWitnesses(witnesses, verdict) {
    const list = $("witness-status");
    list.replaceChildren(...witnesses.map((witness) => {
      const item = document.createElement("li");
      item.dataset.witness = witness.name;
      const cosigned = verdict.ok && verdict.cosignedBy.includes(witness.name);
      item.dataset.state = witness.problem ? "problem" : "ok";
      item.textContent = `${witness.name}: ${cosigned ? "cosigned this checkpoint (checked here)" : "did not cosign this checkpoint"}`
        + `${witness.cosignedSize === undefined ? "" : `; largest tree cosigned: ${witness.cosignedSize} events`}${witness.problem ? `. ${witness.problem}.` : "."}`;
      return item;
    }));
    $("witness-part").hidden = witnesses.length === 0;
  }

  function fillActions(events) {
    const select = $("filter-action");
    const chosen = select.value;
    const actions = [...new Set(events.map((item) => item.event.action))].sort();
    select.replaceChildren(new Option("Any", ""), ...actions.map((action) => new Option(action, action)));
    select.value = actions.includes(chosen) ? chosen : "";
  }

  function matches(item) {
    const event = item.event;
    const handoff = $("filter-handoff").value.trim().toLowerCase();
    const actor = $("filter-actor").value.trim().toLowerCase();
    const from = $("filter-from").value ? new Date($("filter-from").value) : null;
    const to = $("filter-to").value ? new Date($("filter-to").value) : null;
    const time = new Date(event.time);
    return (!handoff || String(event.handoffId || "").includes(handoff))
      && (!actor || `${event.actor.role} ${event.actor.id}`.toLowerCase().includes(actor))
      && (!$("filter-action").value || event.action === $("filter-action").value)
      && (!$("filter-outcome").value || event.outcome === $("filter-outcome").value)
      && (!from || time >= from) && (!to || time <= to);
  }

  function showEvents() {
    if (!log) return;
    const shown = log.events.filter(matches);
    const body = $("events").tBodies[0];
    body.replaceChildren(...shown.slice(0, 500).map((item) => {
      const row = document.createElement("tr");
      row.dataset.index = String(item.index);
      const event = item.event;
      for (const text of [String(item.index), localTime(event.time), event.action, event.outcome, `${event.actor.role} ${event.actor.id}`, event.handoffId || ""]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const proof = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "check-proof";
      button.textContent = "Check its proof";
      button.setAttribute("aria-label", `Check the inclusion proof of event ${item.index}`);
      button.addEventListener("click", () => checkProof(item, proof));
      proof.append(button);
      row.append(proof);
      return row;
    }));
    $("events-count").textContent = `${shown.length} of ${log.events.length} events${shown.length > 500 ? " (the first 500 shown)" : ""}.`;
    $("events-part").hidden = false;
  }

  // The event's inclusion proof from the vault, checked against the verified root.
  async function checkProof(item, cell) {
    try {
      const answer = await vault(`/v1/audit/proof/inclusion?index=${item.index}&size=${log.checkpoint.treeSize}`);
      const verdict = call("hv_verify_inclusion", encoder.encode(item.text), encoder.encode(`${item.index} ${log.checkpoint.treeSize}`),
        encoder.encode(JSON.stringify(answer.proof || [])), encoder.encode(log.root));
      cell.dataset.state = verdict.ok ? "ok" : "problem";
      cell.textContent = verdict.ok ? "✓ proven in the signed tree" : `✗ ${verdict.reason}`;
      status(verdict.ok ? `Event ${item.index}'s inclusion proof checks out against the signed root.` : `Event ${item.index}'s proof fails: ${verdict.reason}.`,
        verdict.ok ? "success" : "error");
    } catch (error) {
      status(error.message, "error");
    }
  }

  async function checkFile() {
    const file = $("exportFile").files[0];
    if (!file) return;
    try {
      const trust = await trusted();
      const verdict = verify(new Uint8Array(await file.arrayBuffer()), trust);
      status(`${file.name}: ${verdictText(verdict, trust)}`, verdict.ok ? "success" : "error");
    } catch (error) {
      status(error.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("audit-form").addEventListener("submit", loadLog);
    $("filters").addEventListener("input", showEvents);
    $("filters").addEventListener("change", showEvents);
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("exportFile").addEventListener("change", checkFile);
    try {
      rules = await loadRules();
      $("status").textContent = "Paste your auditor token and the vault's public key, then load the log.";
    } catch (error) {
      status("The page could not load its verifier; reload it.", "error");
    }
  });
})();
