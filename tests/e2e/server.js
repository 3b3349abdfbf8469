// A minimal static file server for the built site (dist/), on 127.0.0.1 and a free port.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/**
 * Serves `root`; unknown paths get index.html, as a static host's SPA fallback would.
 * `headers` are added to every response (e.g. a Content-Security-Policy).
 */
export async function serveDirectory(root, { headers = {} } = {}) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(root, path.endsWith("/") ? join(path, "index.html") : path);
    let body;
    try {
      body = await readFile(file);
    } catch {
      file = join(root, "index.html");
      try {
        body = await readFile(file);
      } catch {
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("not found");
        return;
      }
    }
    response.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}
