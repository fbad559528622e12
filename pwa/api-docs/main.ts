// The API reference at /api/docs: Redoc (bundled from npm, no CDN) rendering
// the spec the server publishes at /api/v1/openapi.json. No inline script, no
// eval, no request to another origin: it fits the app's Content Security Policy.
import "./docs.css";

interface RedocApi {
  init(specOrUrl: string | object, options: Record<string, unknown>, element: HTMLElement | null, callback?: (error?: unknown) => void): void;
}

// Set by /api-docs/redoc.standalone.js, a deferred classic script that runs before this module.
const Redoc = (window as unknown as { Redoc: RedocApi }).Redoc;
const apiBase = (import.meta.env.VITE_API_BASE ?? "").replace(/\/+$/, "");
const container = document.getElementById("redoc-container");

Redoc.init(
  `${apiBase}/api/v1/openapi.json`,
  {
    disableSearch: true,
    hideDownloadButton: false,
    expandResponses: "200",
    jsonSampleExpandLevel: 3,
    pathInMiddlePanel: true,
    nativeScrollbars: true,
    theme: {
      colors: { primary: { main: "#00508c" } },
      typography: {
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
        headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
        code: { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace' },
      },
      sidebar: { backgroundColor: "#f3f5f7" },
      rightPanel: { backgroundColor: "#1f2a36" },
    },
  },
  container,
  (error?: unknown) => {
    if (error && container) {
      container.textContent = "The API reference could not be loaded.";
      console.error(error);
    }
  },
);
