// <kubarium-playground>: a kubarium playground inside a blog post.
//
//   <script type="module" src="https://HOST/PATH/kubarium-playground.js"></script>
//   <kubarium-playground autoplay speed="60">
//   apiVersion: batch/v1
//   kind: Job
//   ...
//   </kubarium-playground>
//
// The scenario (a scenario file or plain manifests) is the element's text, so it stays readable
// in the post's HTML and shows as text where scripts do not run; or it comes from `src`. Until
// the reader clicks "Load", nothing but this small script is fetched; add `autoload` to load at
// once. Each element then shows the hosted playground in its own <iframe> (`?embed`), with the
// scenario in the frame's #fragment exactly as a share link holds it, so the blog's CSS and CSP
// never meet the playground's. The frame reports its height and the element follows it.
//
// Attributes: src, autoload, autoplay, speed (simulated seconds per second), t (start time,
// like 90s), panels (editor,log,command,tables), theme (light, dark), height (px before the
// frame reports its own), title.

const PLAYGROUND = new URL("./", import.meta.url);
/// The share link format's header (see `kubarium::share`): version 1, opened at 10 s like the
/// playground opens a fresh apply.
const HEADER = "kubarium 1 t=10000\n";
const FORWARDED = ["autoplay", "speed", "t", "panels", "theme", "lang"];

/// Raw DEFLATE, then base64url without padding: `kubarium::share::decode_fragment`'s format.
async function fragmentFor(scenario) {
  const input = new Blob([HEADER + scenario]).stream();
  const compressed = await new Response(input.pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer();
  let binary = "";
  for (const byte of new Uint8Array(compressed)) binary += String.fromCharCode(byte);
  return "s=" + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/// Removes the indentation a post's HTML gives the text, and blank lines around it.
function dedent(text) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const indents = lines.filter((line) => line.trim()).map((line) => line.match(/^[ \t]*/)[0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join("\n") + "\n";
}

function describe(scenario) {
  const line = scenario.split("\n").find((candidate) => candidate.startsWith("description:"));
  return line ? line.slice("description:".length).trim().replace(/^["']|["']$/g, "") : "A Kubernetes scenario";
}

const STYLE = `
  :host { display: block; border: 1px solid #d0d7de; border-radius: 8px; overflow: hidden; font: 15px system-ui, sans-serif; }
  .placeholder { display: flex; flex-direction: column; gap: .6rem; align-items: flex-start; padding: 1rem; background: #f6f7f9; color: #1b1f24; }
  .placeholder p { margin: 0; }
  button { font: inherit; padding: .4rem 1rem; border-radius: 6px; border: 1px solid #326ce5; background: #326ce5; color: #fff; cursor: pointer; }
  .error { color: #cf222e; }
  iframe { display: block; width: 100%; border: 0; }
`;

class KubariumPlayground extends HTMLElement {
  #frame = null;
  #onMessage = (event) => {
    if (!this.#frame || event.source !== this.#frame.contentWindow) return;
    const data = event.data || {};
    if (data.type === "kubarium:size" && Number.isFinite(data.height)) {
      this.#frame.style.height = Math.min(Math.max(data.height, 200), 4000) + "px";
    }
  };

  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    root.append(style);
    if (this.hasAttribute("autoload")) {
      this.load();
      return;
    }
    const placeholder = document.createElement("div");
    placeholder.className = "placeholder";
    const what = document.createElement("p");
    what.textContent = this.getAttribute("title") || (this.hasAttribute("src") ? "A Kubernetes scenario" : describe(this.#text()));
    const button = document.createElement("button");
    button.textContent = "▶ Load the kubarium playground";
    button.addEventListener("click", () => this.load());
    const note = document.createElement("p");
    note.textContent = "A simulated Kubernetes cluster; it runs in your browser.";
    placeholder.append(what, button, note);
    root.append(placeholder);
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  #text() {
    const script = this.querySelector('script[type="text/yaml"]');
    return dedent((script || this).textContent || "");
  }

  async #scenario() {
    const src = this.getAttribute("src");
    if (!src) return this.#text();
    const response = await fetch(new URL(src, document.baseURI));
    if (!response.ok) throw new Error(`${src}: ${response.status} ${response.statusText}`);
    return response.text();
  }

  /// Replaces the placeholder with the playground's frame.
  async load() {
    if (this.#frame) return;
    const root = this.shadowRoot;
    root.querySelector(".placeholder")?.remove();
    try {
      const query = new URLSearchParams({ embed: "" });
      for (const name of FORWARDED) {
        if (this.hasAttribute(name)) query.set(name, this.getAttribute(name));
      }
      const url = new URL(PLAYGROUND);
      url.search = query.toString().replace(/=(&|$)/g, "$1");
      url.hash = await fragmentFor(await this.#scenario());
      const frame = document.createElement("iframe");
      frame.title = this.getAttribute("title") || "kubarium playground";
      frame.style.height = (parseInt(this.getAttribute("height"), 10) || 480) + "px";
      frame.src = url.href;
      window.addEventListener("message", this.#onMessage);
      this.#frame = frame;
      root.append(frame);
    } catch (error) {
      const message = document.createElement("p");
      message.className = "placeholder error";
      message.textContent = `The playground could not be loaded: ${error.message}`;
      root.append(message);
    }
  }
}

if (!customElements.get("kubarium-playground")) {
  customElements.define("kubarium-playground", KubariumPlayground);
}
