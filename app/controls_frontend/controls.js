// Plain HTML controls drawn by the server (app/controls.py): a heading, lines of text, selects, switches and
// radio groups, in one Streamlit component (components v2, plain ES module, no build step).
//
// What they show always comes from the server's data; a visitor's change is sent as one trigger,
// {name, value}, and the server answers with a run that draws the new value. Until it does, the picked value
// stays on screen (a render of an older run must not flip the control back under the visitor's eyes).
// Every text is set with textContent: a photo's file name is the visitor's text, never markup.

const PENDING_MS = 1500; // an answer lost (the run failed): the server's value shows again after this
const KINDS = new Set(["heading", "text", "select", "switch", "radio"]);
const instances = new WeakMap();

function decode(data) {
  // JSON bytes, as the kernel editor's (app/editor.py says why)
  if (data && typeof data.byteLength === "number") {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  return typeof data === "string" ? JSON.parse(data) : data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function richText(node, text) {
  // **bold** parts, nothing else: the server's only markup
  node.replaceChildren();
  String(text)
    .split("**")
    .forEach((part, i) => {
      if (part) node.append(i % 2 ? el("strong", "", part) : document.createTextNode(part));
    });
}

function describe(inst, control, item, target) {
  // An optional hint under a control, read with it by screen readers
  if (!item.help) return;
  const hint = el("p", "kc-help"); // its text is set by update(), as every text
  hint.id = `${inst.id}-${item.name}-help`;
  target.setAttribute("aria-describedby", hint.id);
  control.append(hint);
}

function build(inst, items) {
  inst.root.replaceChildren();
  for (const item of items) {
    let node;
    if (item.kind === "heading") {
      node = el("h2", "kc-heading");
    } else if (item.kind === "text") {
      node = el("p", "kc-text");
    } else if (item.kind === "select") {
      node = el("div", "kc-field");
      const label = el("label", "kc-label");
      const select = el("select");
      select.id = `${inst.id}-${item.name}`;
      select.dataset.name = item.name;
      label.htmlFor = select.id;
      node.append(label, select);
      describe(inst, node, item, select);
    } else if (item.kind === "switch") {
      node = el("div", "kc-field");
      const label = el("label", "kc-switch");
      const input = el("input");
      input.type = "checkbox";
      input.setAttribute("role", "switch");
      input.dataset.name = item.name;
      label.append(input, el("span"));
      node.append(label);
      describe(inst, node, item, input);
    } else {
      node = el("fieldset", "kc-radio");
      node.append(el("legend", item.labelHidden ? "kc-hidden" : "kc-label"));
      for (const [value] of item.options) {
        const label = el("label");
        const input = el("input");
        input.type = "radio";
        input.name = `${inst.id}-${item.name}`;
        input.value = value;
        input.dataset.name = item.name;
        label.append(input, el("span"));
        node.append(label);
      }
    }
    inst.root.append(node);
  }
}

function shape(items) {
  // What the DOM is built from; anything else (values, texts) is updated in place, so focus survives a render
  return JSON.stringify(
    items.map((i) => [i.kind, i.name, !!i.help, i.kind === "radio" ? i.options.map((o) => o[0]) : 0]),
  );
}

function update(inst, items) {
  const now = performance.now();
  items.forEach((item, i) => {
    const node = inst.root.children[i];
    const pending = inst.pending[item.name];
    const mine = pending && pending.value !== item.value && now - pending.at < PENDING_MS;
    if (pending && !mine) delete inst.pending[item.name];
    const value = mine ? pending.value : item.value;
    if (item.kind === "heading") node.textContent = item.text;
    else if (item.kind === "text") richText(node, item.text);
    else if (item.kind === "select") {
      node.querySelector("label").textContent = item.label;
      const select = node.querySelector("select");
      const options = JSON.stringify(item.options);
      if (options !== select.dataset.options) {
        select.replaceChildren(
          ...item.options.map(([v, text]) => {
            const option = el("option", "", text);
            option.value = v;
            return option;
          }),
        );
        select.dataset.options = options;
      }
      if (select.value !== value) select.value = value;
    } else if (item.kind === "switch") {
      const input = node.querySelector("input");
      node.querySelector("span").textContent = item.label;
      input.checked = !!value;
    } else if (item.kind === "radio") {
      node.querySelector("legend").textContent = item.label;
      const labels = node.querySelectorAll("label");
      item.options.forEach(([v, text], j) => {
        labels[j].querySelector("span").textContent = text;
        labels[j].querySelector("input").checked = v === value;
      });
    }
    const hint = node.querySelector(".kc-help");
    if (hint) hint.textContent = item.help || "";
  });
}

export default function ({ parentElement, data: raw, setTriggerValue }) {
  const data = decode(raw);
  let inst = instances.get(parentElement);
  if (!inst) {
    for (const stale of Array.from(parentElement.children)) if (stale.classList.contains("kc")) stale.remove();
    const root = el("div", "kc");
    parentElement.append(root);
    inst = { root, pending: {}, shape: null, id: `kc${Math.random().toString(36).slice(2, 9)}` };
    instances.set(parentElement, inst);
    root.addEventListener("change", (e) => {
      const input = e.target;
      const name = input.dataset && input.dataset.name;
      if (!name) return;
      const value = input.type === "checkbox" ? input.checked : input.value;
      inst.pending[name] = { value, at: performance.now() };
      inst.setTriggerValue("pick", { name, value });
    });
  }
  inst.setTriggerValue = setTriggerValue;
  const items = (data.items || []).filter((item) => KINDS.has(item.kind));
  const now = shape(items);
  if (now !== inst.shape) {
    build(inst, items);
    inst.shape = now;
  }
  update(inst, items);
  inst.renders = (inst.renders || 0) + 1;
  const thisRender = inst.renders;
  return () => {
    // Only the newest render's cleanup is an unmount (as in the kernel editor: an overtaken render's is not)
    if (inst.renders !== thisRender) return;
    inst.root.remove();
    if (instances.get(parentElement) === inst) instances.delete(parentElement);
  };
}
