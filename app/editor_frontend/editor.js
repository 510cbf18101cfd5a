// The kernel editor's browser side (a Streamlit components v2 component, plain ES module, no build step).
//
// Two kinds share this file, chosen by ``data.kind``:
// - "grid": one <input> per weight, tinted like the signed map, with keyboard moves, paste of whole matrices,
//   scrubbing (drag sideways) and Ctrl/⌘+Z, Ctrl/⌘+Shift+Z for undo and redo; with ``data.scale`` (the
//   playground's), the grid's size, whole numbers, the sum of weights, normalise, mean, divisor and offset beside
//   it, as in GIMP's Convolution Matrix dialog;
// - "sliders": the preset's parameters as range inputs that report while they are dragged.
//
// Every user action becomes one small payload sent with setTriggerValue("action", ...). The server checks it
// (app/editor_events.py), applies it and echoes its ``seq`` back as ``data.ack``. Sending is latest-wins: while
// one payload is unanswered the next waits, and a newer value of the same gesture (one drag, one cell being
// typed) replaces a waiting one, so stale values never queue and the last one always lands.
//
// Render is called again on every rerun: the DOM is built once per shape and then updated in place, and a cell
// being typed into is never overwritten, so focus and caret survive.

const ACK_TIMEOUT_MS = 1500; // a lost answer (the run failed) must not freeze the editor
const SCRUB_PX = 4; // pixels of drag per step
const instances = new WeakMap();

function parseNumber(text) {
  // A quick local check for live updates while typing; the server decides what is valid.
  const t = String(text).trim().replace(/\u2212/g, "-");
  if (!t || !/^[-+0-9.eE/ ]+$/.test(t)) return null;
  const parts = t.split("/");
  if (parts.length > 2 || parts.some((p) => !p.trim())) return null;
  const v = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(t);
  return Number.isFinite(v) ? v : null;
}

function fmt(v) {
  // At most 4 significant digits, a real minus: as the server's wording.num shows numbers.
  const s = Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : String(Number(v.toPrecision(4)));
  return s.replace("-", "\u2212");
}

function isTextField(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && !["range", "checkbox", "radio", "button", "submit"].includes(el.type);
}

// ---- sending: one payload in flight, latest value of a gesture wins ----

function enqueue(inst, payload) {
  const last = inst.queue[inst.queue.length - 1];
  if (last && payload.gesture && last.gesture === payload.gesture && last.op === payload.op) {
    inst.queue[inst.queue.length - 1] = payload;
  } else {
    inst.queue.push(payload);
  }
  pump(inst);
  showBusy(inst);
}

function pump(inst) {
  if (!inst.queue.length) return;
  const waited = performance.now() - inst.sentAt;
  if (inst.inflight !== null && waited < ACK_TIMEOUT_MS) {
    clearTimeout(inst.retry);
    inst.retry = setTimeout(() => pump(inst), ACK_TIMEOUT_MS - waited + 5);
    return;
  }
  inst.seq += 1;
  const payload = { ...inst.queue.shift(), seq: inst.seq };
  inst.inflight = inst.seq;
  inst.sent = payload;
  inst.sentAt = performance.now();
  inst.setTriggerValue("action", payload);
}

function onTheWay(inst) {
  // Payloads still on their way: queued, or sent and neither answered (by the data rendered last) nor given up
  // on. A render must not put the server's older values back over them: the next drag or key press would start
  // from an old value, and a step would be lost.
  const ack = inst.data && inst.data.ack;
  const answered =
    inst.inflight === null ||
    (typeof ack === "number" && ack >= inst.inflight) ||
    performance.now() - inst.sentAt >= ACK_TIMEOUT_MS;
  return answered ? inst.queue : [inst.sent, ...inst.queue];
}

function acknowledge(inst, ack) {
  if (inst.inflight !== null && typeof ack === "number" && ack >= inst.inflight) {
    inst.inflight = null;
    clearTimeout(inst.retry);
    pump(inst);
  }
  showBusy(inst);
}

function showBusy(inst) {
  // aria-busy while a value is on its way: what the page shows is not yet the result of what was typed or dragged
  // (assistive technology waits; so do the browser tests, devtools/st_page.py).
  inst.root.setAttribute("aria-busy", onTheWay(inst).length ? "true" : "false");
}

// ---- the grid ----

function cellOf(inst, r, c) {
  return inst.inputs[r] && inst.inputs[r][c];
}

function activeInput(inst) {
  const a = inst.root.getRootNode().activeElement;
  return a && a.dataset && a.dataset.r !== undefined ? a : null;
}

function buildGrid(inst, R, C) {
  const wrap = document.createElement("div");
  wrap.className = "ke-scroll";
  const table = document.createElement("table");
  table.className = "ke-grid";
  const caption = document.createElement("caption");
  table.append(caption);
  const head = table.createTHead().insertRow();
  head.append(document.createElement("td"));
  for (let c = 0; c < C; c++) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = String(c + 1);
    head.append(th);
  }
  const body = table.createTBody();
  inst.inputs = [];
  for (let r = 0; r < R; r++) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = String(r + 1);
    tr.append(th);
    const row = [];
    for (let c = 0; c < C; c++) {
      const td = tr.insertCell();
      const input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.spellcheck = false;
      input.dataset.r = String(r);
      input.dataset.c = String(c);
      const grip = document.createElement("span");
      grip.className = "ke-grip";
      grip.setAttribute("aria-hidden", "true");
      td.append(input, grip);
      row.push(input);
    }
    inst.inputs.push(row);
  }
  wrap.append(table);
  const msg = document.createElement("p");
  msg.className = "ke-msg";
  msg.id = "ke-msg";
  msg.setAttribute("role", "alert");
  inst.gridBox.replaceChildren(wrap, msg);
  inst.caption = caption;
  inst.msg = msg;
  inst.shape = [R, C];
}

function labelGrid(inst, labels) {
  // The cells' labels and the grips' hints, in the page's language (which may change while the grid stays).
  const key = JSON.stringify(labels);
  if (inst.labelled === key) return;
  inst.labelled = key;
  inst.inputs.forEach((row, r) =>
    row.forEach((input, c) => {
      input.setAttribute("aria-label", labels.cell.replace("{row}", r + 1).replace("{col}", c + 1));
      input.nextElementSibling.title = labels.scrub;
    }),
  );
}

function pendingValue(inst, r, c) {
  // The newest value of cell (r, c) still on its way to the server (a number), or null.
  let v = null;
  for (const q of onTheWay(inst)) {
    if (!q || q.op !== "cells" || q.shape[0] !== inst.shape[0] || q.shape[1] !== inst.shape[1]) continue;
    for (const [qr, qc, qv] of q.cells) if (qr === r && qc === c) v = typeof qv === "number" ? qv : parseNumber(qv);
  }
  return v;
}

function send(inst, r, c, value, gesture) {
  const v = typeof value === "number" ? value : parseNumber(value);
  if (v !== null) inst.full[r][c] = v;
  enqueue(inst, { op: "cells", cells: [[r, c, value]], shape: inst.shape, gesture });
}

function commit(inst, input) {
  // The focused cell's text, if it changed since focus and was not already sent as it is.
  const f = inst.focus;
  if (!f || f.input !== input) return;
  const text = input.value;
  if (text !== f.text && text !== f.sent) {
    f.sent = text;
    send(inst, f.r, f.c, text, f.gesture);
  }
}

function move(inst, input, dr, dc) {
  const r = Number(input.dataset.r) + dr;
  const c = Number(input.dataset.c) + dc;
  const target = cellOf(inst, r, c);
  commit(inst, input);
  if (target) target.focus();
  else input.select();
}

function onKey(inst, e) {
  const input = e.target;
  const f = inst.focus;
  const all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
  if (e.key === "ArrowUp" || e.key === "ArrowDown") {
    e.preventDefault();
    move(inst, input, e.key === "ArrowUp" ? -1 : 1, 0);
  } else if (e.key === "ArrowLeft" && (all || input.selectionEnd === 0)) {
    e.preventDefault();
    move(inst, input, 0, -1);
  } else if (e.key === "ArrowRight" && (all || input.selectionStart === input.value.length)) {
    e.preventDefault();
    move(inst, input, 0, 1);
  } else if (e.key === "Enter") {
    e.preventDefault();
    move(inst, input, e.shiftKey ? -1 : 1, 0);
  } else if (e.key === "Escape" && f && f.input === input) {
    e.preventDefault();
    e.stopPropagation();
    restoreTyping(f, (text) => send(inst, f.r, f.c, text, f.gesture));
  }
}

function restoreTyping(t, resend) {
  // Escape in a cell or a number field: its text from before the typing, sent again if the typing was sent
  // (live, as it was typed), so the kernel is back where it began.
  t.input.value = t.text;
  if (t.sent !== null && t.sent !== t.text) resend(t.text);
  t.sent = null;
  t.dirty = false;
  t.input.select();
}

function onFocus(inst, input) {
  const r = Number(input.dataset.r);
  const c = Number(input.dataset.c);
  const bad = inst.data.bad;
  const text = bad && bad.row === r && bad.col === c ? bad.text : String(inst.full[r][c]);
  inst.focus = { input, r, c, text, sent: null, dirty: false, gesture: `type-${r}-${c}-${Date.now()}` };
  input.value = text; // full precision while editing
  input.select();
}

function onBlur(inst, input) {
  const r = Number(input.dataset.r);
  const c = Number(input.dataset.c);
  if (cellOf(inst, r, c) !== input) {
    // A cell the grid no longer has (a paste or a new size rebuilt it while it had the focus, and Chromium
    // reports the removed element's blur): what it held belongs to the old shape, so nothing is sent or painted.
    if (inst.focus && inst.focus.input === input) inst.focus = null;
    return;
  }
  commit(inst, input);
  if (inst.focus && inst.focus.input === input) inst.focus = null;
  paintCell(inst, r, c);
}

function onInput(inst, input) {
  const f = inst.focus;
  if (!f || f.input !== input) return;
  f.dirty = true;
  if (parseNumber(input.value) !== null) {
    f.sent = input.value;
    send(inst, f.r, f.c, input.value, f.gesture); // live: the picture follows the typing
  }
}

function onPaste(inst, e) {
  const text = (e.clipboardData || window.clipboardData).getData("text");
  if (!/[\[\];,\t\n]|\S\s+\S/.test(text.trim())) return; // one number: an ordinary paste into the cell
  e.preventDefault();
  if (inst.focus) inst.focus.sent = inst.focus.text = e.target.value; // the cell itself was not typed into
  enqueue(inst, { op: "paste", text });
}

// Scrubbing: drag sideways on a cell or a number field (mouse or pen), or on its grip (any pointer, touch
// included), like number fields in Photoshop and Blender.
function grabbed(e, input, viaGrip, focused) {
  // Whether this pointerdown starts a drag (touch on the field itself types with the keypad instead).
  if (e.button !== 0 || input.disabled) return false;
  if (!viaGrip && (e.pointerType === "touch" || focused)) return false;
  e.preventDefault();
  e.target.setPointerCapture(e.pointerId);
  return true;
}

function dragged(s, e, whole) {
  // The value drag ``s`` (from value v0 at x0) has reached: a step per SCRUB_PX, 1 from 10 up or for whole
  // numbers, else 0.1, Shift for a tenth of that; null until it has moved SCRUB_PX.
  const dx = e.clientX - s.x0;
  if (!s.moved && Math.abs(dx) < SCRUB_PX) return null;
  s.moved = true;
  let unit = whole || Math.abs(s.v0) >= 10 ? 1 : 0.1;
  if (e.shiftKey && !whole) unit /= 10;
  return Number((s.v0 + Math.round(dx / SCRUB_PX) * unit).toPrecision(12));
}

function startScrub(inst, e, input, viaGrip) {
  if (!grabbed(e, input, viaGrip, input === activeInput(inst))) return;
  const r = Number(input.dataset.r);
  const c = Number(input.dataset.c);
  inst.scrub = { input, r, c, x0: e.clientX, v0: inst.full[r][c], moved: false, gesture: `scrub-${r}-${c}-${Date.now()}` };
}

function onScrubMove(inst, e) {
  const s = inst.scrub;
  if (!s) return;
  const v = dragged(s, e, inst.data.whole);
  if (v === null || v === inst.full[s.r][s.c]) return;
  inst.full[s.r][s.c] = v;
  s.input.value = fmt(v);
  s.input.classList.add("ke-scrubbing");
  send(inst, s.r, s.c, v, s.gesture);
}

function endScrub(inst) {
  const s = inst.scrub;
  if (!s) return;
  inst.scrub = null;
  s.input.classList.remove("ke-scrubbing");
  if (!s.moved) s.input.focus(); // a click without a drag edits the cell
}

function paintCell(inst, r, c) {
  const input = cellOf(inst, r, c);
  const d = inst.data;
  const bad = d.bad && d.bad.row === r && d.bad.col === c;
  const f = inst.focus;
  if (!(f && f.input === input)) {
    const pending = pendingValue(inst, r, c);
    input.value = pending !== null ? fmt(pending) : bad ? d.bad.text : d.shown[r][c];
  } else if (!f.dirty) {
    const text = bad ? d.bad.text : String(inst.full[r][c]);
    if (input.value !== text) {
      input.value = text;
      f.text = text;
      input.select();
    }
  }
  input.style.background = bad ? "" : d.tints[r][c];
  input.classList.toggle("ke-bad", bad);
  if (bad) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "ke-msg");
  } else {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function renderGrid(inst, data) {
  const R = data.rows.length;
  const C = data.rows[0].length;
  if (!inst.shape || inst.shape[0] !== R || inst.shape[1] !== C) {
    const had = activeInput(inst);
    buildGrid(inst, R, C);
    inst.labelled = null;
    inst.focus = null;
    if (had) {
      const target = cellOf(inst, Math.min(Number(had.dataset.r), R - 1), Math.min(Number(had.dataset.c), C - 1));
      if (target) target.focus();
    }
  }
  labelGrid(inst, data.labels);
  inst.caption.textContent = data.caption;
  if (data.scale) renderScale(inst, data.scale);
  if (!inst.scrub) {
    inst.full = data.rows.map((row) => row.slice());
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const pending = pendingValue(inst, r, c);
        if (pending !== null) inst.full[r][c] = pending;
      }
    }
  }
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) if (!(inst.scrub && inst.scrub.input === inst.inputs[r][c])) paintCell(inst, r, c);
  inst.msg.textContent = data.bad ? data.bad.message : "";
  inst.msg.hidden = !data.bad;
}

function wireGrid(inst) {
  const root = inst.root;
  root.addEventListener("keydown", (e) => e.target.dataset && e.target.dataset.r !== undefined && onKey(inst, e));
  root.addEventListener("focusin", (e) => e.target.dataset && e.target.dataset.r !== undefined && onFocus(inst, e.target));
  root.addEventListener("focusout", (e) => e.target.dataset && e.target.dataset.r !== undefined && onBlur(inst, e.target));
  root.addEventListener("input", (e) => e.target.dataset && e.target.dataset.r !== undefined && onInput(inst, e.target));
  root.addEventListener("paste", (e) => e.target.dataset && e.target.dataset.r !== undefined && onPaste(inst, e));
  root.addEventListener("pointerdown", (e) => {
    const grip = e.target.classList && e.target.classList.contains("ke-grip");
    const input = grip ? e.target.previousElementSibling : e.target;
    if (input && input.dataset && input.dataset.r !== undefined) startScrub(inst, e, input, grip);
    else if (input && input.dataset && input.dataset.number) startNumberScrub(inst, e, input, grip);
  });
  root.addEventListener("pointermove", (e) => onScrubMove(inst, e));
  root.addEventListener("pointerup", () => endScrub(inst));
  root.addEventListener("pointercancel", () => endScrub(inst));
  // Undo and redo from anywhere on the page, except where the keys already mean "undo the typing".
  inst.onShortcut = (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key !== "z" && key !== "y") return;
    if (isTextField(e.composedPath()[0])) return;
    e.preventDefault();
    enqueue(inst, { op: key === "y" || e.shiftKey ? "redo" : "undo" });
  };
  window.addEventListener("keydown", inst.onShortcut);
}

// ---- the grid's size and scale (only where the page passes ``data.scale``) ----

function labelled(cls, control, input = control) {
  const label = document.createElement("label");
  label.className = cls;
  const text = document.createElement("span");
  if (control.type === "checkbox") label.append(control, text);
  else label.append(text, control);
  return { input, text, label };
}

function newInput(type, props) {
  const input = document.createElement("input");
  input.type = type;
  Object.assign(input, props);
  return input;
}

function buildScale(inst) {
  // Built once: the size row under the grid (rows, columns, whole numbers), the scale beside it.
  const els = {};
  const size = document.createElement("div");
  size.className = "ke-row";
  for (const name of ["rows", "cols"]) {
    els[name] = labelled("ke-field", newInput("number", { min: "1", step: "1", inputMode: "numeric" }));
    els[name].input.dataset.size = name;
  }
  const numbers = document.createElement("div");
  numbers.className = "ke-row";
  for (const name of ["divisor", "offset"]) {
    const input = newInput("text", { inputMode: "decimal", autocomplete: "off", spellcheck: false });
    input.dataset.number = name;
    const field = document.createElement("span"); // the field and its grip, scrubbed as a cell is
    field.className = "ke-num";
    const grip = document.createElement("span");
    grip.className = "ke-grip";
    grip.setAttribute("aria-hidden", "true");
    field.append(input, grip);
    els[name] = labelled("ke-field", field, input);
    numbers.append(els[name].label);
  }
  const switches = document.createElement("div");
  switches.className = "ke-row";
  for (const name of ["whole", "normalise", "mean"]) {
    els[name] = labelled("ke-switch", newInput("checkbox", {}));
    els[name].input.dataset.switch = name;
  }
  size.append(els.rows.label, els.cols.label, els.whole.label);
  switches.append(els.normalise.label, els.mean.label);
  const sum = document.createElement("p");
  sum.className = "ke-sum";
  const auto = document.createElement("p");
  auto.className = "ke-auto";
  const msg = document.createElement("p");
  msg.className = "ke-scale-msg";
  msg.id = "ke-scale-msg";
  msg.setAttribute("role", "alert");
  const box = document.createElement("div");
  box.className = "ke-scale";
  box.append(sum, auto, switches, numbers, msg);
  inst.gridBox.after(size);
  inst.root.append(box);
  inst.root.classList.add("ke-panel");
  Object.assign(inst, { scaleEls: els, sum, auto, scaleMsg: msg, numScrub: null });
  wireScale(inst);
}

function pendingScale(inst, test) {
  return onTheWay(inst).some((q) => q && test(q));
}

function showMarkdownBold(el, text) {
  // The server's sum line marks its head **bold**, as Streamlit's markdown would show it.
  el.dataset.text = text;
  el.replaceChildren(
    ...text.split("**").map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const strong = document.createElement("strong");
      strong.textContent = part;
      return strong;
    }),
  );
}

function renderScale(inst, scale) {
  if (!inst.scaleEls) buildScale(inst);
  const els = inst.scaleEls;
  const active = inst.root.getRootNode().activeElement;
  const key = JSON.stringify([scale.labels, scale.helps, inst.data.labels.scrub]);
  if (inst.scaleLabelled !== key) {
    // In the page's language, which may change while the editor stays (as ``labelGrid``)
    inst.scaleLabelled = key;
    for (const [name, { text, input }] of Object.entries(els)) {
      text.textContent = scale.labels[name];
      input.title = scale.helps[name === "cols" ? "rows" : name];
      if (input.nextElementSibling) input.nextElementSibling.title = inst.data.labels.scrub; // a field's grip
    }
  }
  const shapeOnTheWay = pendingScale(inst, (q) => q.op === "shape");
  ["rows", "cols"].forEach((name, i) => {
    const input = els[name].input;
    input.max = String(scale.max_side);
    if (!shapeOnTheWay && input !== active) input.value = String(scale.shape[i]);
  });
  for (const name of ["whole", "normalise", "mean"]) {
    const mine = (q) => (name === "whole" ? q.op === "whole" : q.op === "scale" && q.name === name);
    if (!pendingScale(inst, mine)) els[name].input.checked = !!scale[name];
  }
  for (const name of ["divisor", "offset"]) {
    const input = els[name].input;
    input.disabled = !!scale.disabled[name];
    const typing = inst.typing && inst.typing.input === input;
    const scrubbing = inst.numScrub && inst.numScrub.input === input;
    if (typing && !inst.typing.dirty) input.value = inst.typing.text = String(scale[name]);
    else if (!typing && !scrubbing && !pendingScale(inst, (q) => q.op === "scale" && q.name === name)) {
      input.value = scale.shown[name];
    }
    if (scale.problem) input.setAttribute("aria-describedby", "ke-scale-msg");
    else input.removeAttribute("aria-describedby");
  }
  if (inst.sum.dataset.text !== scale.sum) showMarkdownBold(inst.sum, scale.sum);
  for (const [el, text] of [[inst.auto, scale.auto], [inst.scaleMsg, scale.problem]]) {
    if (el.textContent !== text) el.textContent = text;
    el.hidden = !text;
  }
}

function sendNumber(inst, force) {
  // The divisor or offset being typed: live while it reads as a number, and whatever it says when committed
  // (Enter, leaving the field), so a text that is not a number gets its message.
  const t = inst.typing;
  if (!t) return;
  const text = t.input.value;
  if (text === t.sent || (text === t.text && t.sent === null)) return;
  if (!force && parseNumber(text) === null) return;
  t.sent = text;
  enqueue(inst, { op: "scale", name: t.input.dataset.number, value: text, gesture: t.gesture });
}

// Scrubbing the divisor or the offset, as a cell: one undo step per drag.
function startNumberScrub(inst, e, input, viaGrip) {
  if (!grabbed(e, input, viaGrip, input === inst.root.getRootNode().activeElement)) return;
  const name = input.dataset.number;
  const v0 = Number(inst.data.scale[name]);
  inst.numScrub = { input, name, x0: e.clientX, v0, v: v0, moved: false, gesture: `scrub-${name}-${Date.now()}` };
}

function onNumberScrubMove(inst, e) {
  const s = inst.numScrub;
  if (!s) return;
  const v = dragged(s, e, inst.data.scale.whole);
  if (v === null || v === s.v) return;
  s.v = v;
  s.input.value = fmt(v);
  enqueue(inst, { op: "scale", name: s.name, value: v, gesture: s.gesture });
}

function endNumberScrub(inst) {
  const s = inst.numScrub;
  if (!s) return;
  inst.numScrub = null;
  inst.scrubbed = s.moved;
  if (!s.moved) s.input.focus(); // a click without a drag edits the field
}

function wireScale(inst) {
  const root = inst.root;
  root.addEventListener("pointermove", (e) => onNumberScrubMove(inst, e));
  root.addEventListener("pointerup", () => endNumberScrub(inst));
  root.addEventListener("pointercancel", () => endNumberScrub(inst));
  root.addEventListener("click", (e) => {
    // The click that ends a drag on a grip would focus the field through its label: a drag is not a click.
    if (inst.scrubbed && e.target.classList.contains("ke-grip")) e.preventDefault();
    inst.scrubbed = false;
  });
  root.addEventListener("change", (e) => {
    const d = e.target.dataset || {};
    const els = inst.scaleEls;
    if (d.size) {
      const shape = [els.rows.input, els.cols.input].map((i) => Math.round(Number(i.value)));
      const side = inst.data.scale.max_side;
      if (shape.every((n) => Number.isFinite(n) && n >= 1 && n <= side)) enqueue(inst, { op: "shape", shape });
      else renderScale(inst, inst.data.scale); // not a size: what is in use comes back
    } else if (d.switch === "whole") {
      enqueue(inst, { op: "whole", on: e.target.checked });
    } else if (d.switch) {
      enqueue(inst, { op: "scale", name: d.switch, value: e.target.checked });
    }
  });
  root.addEventListener("focusin", (e) => {
    const name = e.target.dataset && e.target.dataset.number;
    if (!name) return;
    const text = String(inst.data.scale[name]); // full precision while editing
    inst.typing = { input: e.target, text, sent: null, dirty: false, gesture: `type-${name}-${Date.now()}` };
    e.target.value = text;
    e.target.select();
  });
  root.addEventListener("focusout", (e) => {
    if (inst.typing && inst.typing.input === e.target) {
      sendNumber(inst, true);
      inst.typing = null;
      renderScale(inst, inst.data.scale);
    }
  });
  root.addEventListener("input", (e) => {
    if (!(inst.typing && inst.typing.input === e.target)) return;
    inst.typing.dirty = true;
    sendNumber(inst, false);
  });
  root.addEventListener("keydown", (e) => {
    const t = inst.typing;
    if (!(t && t.input === e.target)) return;
    if (e.key === "Enter") {
      e.preventDefault();
      sendNumber(inst, true);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      restoreTyping(t, (text) => enqueue(inst, { op: "scale", name: t.input.dataset.number, value: text, gesture: t.gesture }));
    }
  });
}

// ---- the live sliders ----

function buildSliders(inst, params) {
  const box = document.createElement("div");
  box.className = "ke-sliders";
  inst.sliders = {};
  for (const p of params) {
    const id = `ke-${p.name}`;
    const item = document.createElement("div");
    item.className = "ke-slider";
    const label = document.createElement("label");
    label.htmlFor = id;
    const name = document.createElement("span");
    const out = document.createElement("output");
    out.htmlFor = id;
    label.append(name, out);
    const input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.dataset.name = p.name;
    item.append(label, input);
    box.append(item);
    inst.sliders[p.name] = { input, out, name };
  }
  inst.root.replaceChildren(box);
  inst.names = params.map((p) => p.name).join(",");
}

function renderSliders(inst, data) {
  const names = data.params.map((p) => p.name).join(",");
  if (inst.names !== names) buildSliders(inst, data.params);
  for (const p of data.params) {
    const { input, out, name } = inst.sliders[p.name];
    name.textContent = p.label; // (every render: the page's language may have changed)
    input.title = p.help || "";
    input.min = String(p.min);
    input.max = String(p.max);
    input.step = String(p.step);
    input.disabled = !!p.disabled;
    // The user's newer value stays while it is on its way (a drag, or quick key presses: an older value put
    // back under the thumb would make the next press start from it and lose a step).
    const mine = (q) => q && q.op === "param" && q.name === p.name;
    if (inst.dragging === p.name || onTheWay(inst).some(mine)) continue;
    if (Number(input.value) !== p.value) input.value = String(p.value);
    out.textContent = p.shown;
  }
}

function wireSliders(inst) {
  const root = inst.root;
  root.addEventListener("pointerdown", (e) => {
    if (e.target.type !== "range") return;
    inst.dragging = e.target.dataset.name;
    inst.gesture = `drag-${inst.dragging}-${Date.now()}`;
  });
  const release = () => {
    inst.dragging = null;
    inst.gesture = null;
  };
  root.addEventListener("pointerup", release);
  root.addEventListener("pointercancel", release);
  root.addEventListener("keydown", (e) => {
    if (e.target.type === "range") inst.gesture = null; // each key press is a step of its own
  });
  root.addEventListener("input", (e) => {
    const input = e.target;
    if (input.type !== "range") return;
    const value = Number(input.value);
    inst.sliders[input.dataset.name].out.textContent = fmt(value);
    enqueue(inst, { op: "param", name: input.dataset.name, value, gesture: inst.gesture });
  });
}

// ---- entry point ----

function decode(data) {
  // The server sends its data as JSON bytes (app/editor.py says why).
  if (data && typeof data.byteLength === "number") {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  return typeof data === "string" ? JSON.parse(data) : data;
}

function showAddress(query) {
  // The share link follows the kernel from here (app/editor.py, ``address``): replaced in place, so a slider
  // step neither re-renders the whole page nor adds a Back-button entry.
  const search = query ? `?${query}` : "";
  if (window.location.search !== search) {
    window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
  }
}

export default function ({ parentElement, data: raw, setTriggerValue }) {
  const data = decode(raw);
  let inst = instances.get(parentElement);
  if (!inst) {
    for (const stale of Array.from(parentElement.children)) if (stale.classList.contains("ke")) stale.remove();
    const root = document.createElement("div");
    root.className = "ke";
    parentElement.append(root);
    // seq starts from the clock: acknowledgements of an earlier mount in this session are always older
    inst = { root, queue: [], inflight: null, sentAt: 0, seq: Date.now(), focus: null, scrub: null };
    instances.set(parentElement, inst);
    if (data.kind === "grid") {
      const left = document.createElement("div");
      left.className = "ke-left";
      inst.gridBox = document.createElement("div");
      left.append(inst.gridBox);
      root.append(left);
      wireGrid(inst);
    } else wireSliders(inst);
  }
  inst.setTriggerValue = setTriggerValue;
  inst.data = data;
  if (data.kind === "grid") renderGrid(inst, data);
  else renderSliders(inst, data);
  if (typeof data.address === "string") showAddress(data.address);
  acknowledge(inst, data.ack);
  inst.renders = (inst.renders || 0) + 1;
  const thisRender = inst.renders;
  return () => {
    // Streamlit may clean up a render that a newer one overtook (its module was still loading): only the newest
    // render's cleanup is an unmount. That one takes the instance's DOM with it, or a later mount in the same
    // place would add a second grid beside a stale one.
    if (inst.renders !== thisRender) return;
    if (inst.onShortcut) window.removeEventListener("keydown", inst.onShortcut);
    clearTimeout(inst.retry);
    inst.root.remove();
    if (instances.get(parentElement) === inst) instances.delete(parentElement);
  };
}
