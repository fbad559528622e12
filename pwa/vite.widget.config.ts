// The <schalter-search> widget: a second, standalone build (library mode)
// into dist/widget/schalter-search.js, served by the Go server at
// /widget/schalter-search.js. One ES module with Lit inside, no other files.
// The build fails when the bundle is 30 kB or more gzipped.
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const root = import.meta.dirname;
export const WIDGET_FILE = "schalter-search.js";
export const WIDGET_MAX_GZIP = 30 * 1024;

function sizeBudget(): Plugin {
  return {
    name: "schalter-widget-size",
    apply: "build",
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        const code = chunk.type === "chunk" ? chunk.code : chunk.source;
        const gz = gzipSync(typeof code === "string" ? Buffer.from(code) : Buffer.from(code), { level: 9 }).length;
        if (chunk.fileName === WIDGET_FILE) {
          this.info(`${WIDGET_FILE}: ${(gz / 1024).toFixed(1)} kB gzipped (budget ${WIDGET_MAX_GZIP / 1024} kB)`);
          if (gz >= WIDGET_MAX_GZIP) this.error(`${WIDGET_FILE} is ${(gz / 1024).toFixed(1)} kB gzipped, over the budget of ${WIDGET_MAX_GZIP / 1024} kB`);
        } else {
          this.error(`the widget build must emit one file only, got ${chunk.fileName}`);
        }
      }
    },
  };
}

export default defineConfig({
  publicDir: false,
  build: {
    target: "es2022",
    outDir: resolve(root, "dist/widget"),
    emptyOutDir: true,
    sourcemap: false,
    copyPublicDir: false,
    modulePreload: false,
    lib: {
      entry: resolve(root, "src/widget/schalter-search.ts"),
      formats: ["es"],
      fileName: () => WIDGET_FILE,
    },
    rolldownOptions: {
      // Library mode keeps whitespace by default; the widget is loaded by residents' phones, so minify fully.
      output: { minify: true, codeSplitting: false },
    },
  },
  plugins: [sizeBudget()],
});
