import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const root = import.meta.dirname;

/** Keeps pwa/dist/.gitkeep (the Go binary embeds pwa/dist; the folder must exist in a fresh clone). */
function keepGitkeep(): Plugin {
  return {
    name: "schalter-keep-gitkeep",
    apply: "build",
    closeBundle() {
      writeFileSync(resolve(root, "dist/.gitkeep"), "");
    },
  };
}

const require = createRequire(import.meta.url);
const redocFile = require.resolve("redoc/bundles/redoc.standalone.js");
const redocVersion = (require("redoc/package.json") as { version: string }).version;

/**
 * The API reference uses Redoc's standalone bundle, copied from npm as
 * /api-docs/redoc.standalone.js (it is a UMD bundle that cannot be re-bundled).
 * Its sidebar shows the Redocly logo from cdn.redoc.ly; the reference must not
 * talk to any other origin, so that address becomes an empty data: URI (the
 * image then hides itself).
 */
function redocStandalone(): Plugin {
  const source = () => readFileSync(redocFile, "utf8").replaceAll("https://cdn.redoc.ly/redoc/logo-mini.svg", "data:,");
  return {
    name: "schalter-redoc-standalone",
    transformIndexHtml(html) {
      return html.replace("__REDOC_VERSION__", redocVersion);
    },
    configureServer(server) {
      server.middlewares.use("/api-docs/redoc.standalone.js", (_req, res) => {
        res.setHeader("Content-Type", "text/javascript");
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "api-docs/redoc.standalone.js", source: source() });
    },
  };
}

export default defineConfig({
  server: {
    port: 5173,
    proxy: {
      "/api": { target: process.env.SCHALTER_DEV_API ?? "http://localhost:8080", changeOrigin: false },
      "/brand": { target: process.env.SCHALTER_DEV_API ?? "http://localhost:8080", changeOrigin: false },
    },
  },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        main: resolve(root, "index.html"),
        "api-docs": resolve(root, "api-docs/index.html"),
      },
    },
  },
  plugins: [
    redocStandalone(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      manifestFilename: "manifest.webmanifest",
      includeAssets: [],
      includeManifestIcons: false,
      manifest: {
        id: "/",
        name: "Schalter Uster",
        short_name: "Schalter",
        description: "Der Online-Schalter der Stadt Uster: Dienstleistungen finden, online erledigen und wissen, was es am Schalter braucht.",
        lang: "de-CH",
        dir: "ltr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        theme_color: "#00508c",
        background_color: "#ffffff",
        categories: ["government", "utilities"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        globIgnores: ["api-docs/**", "assets/api-docs-*", "widget/**", "**/node_modules/**"],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
    keepGitkeep(),
  ],
});
