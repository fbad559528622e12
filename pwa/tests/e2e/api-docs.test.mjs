// The API reference at /api/docs: rendered from the bundled Redoc, loading the
// spec from /api/v1/openapi.json, with no request to any other origin.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BASE_URL, json, launch, openPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe("API reference", () => {
  test("/api/docs renders the operations and requests nothing from other origins", async () => {
    const { page, context, assertNoProblems } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      const spec = await json("/api/v1/openapi.json");
      const summary = spec.paths["/api/v1/services"]?.get?.summary;
      assert.ok(summary, "the spec has a summary for GET /api/v1/services");

      const foreign = [];
      page.on("request", (req) => {
        const url = new URL(req.url());
        if (url.protocol === "data:" || url.protocol === "blob:") return;
        if (url.origin !== BASE_URL) foreign.push(req.url());
      });
      const res = await page.goto("/api/docs");
      assert.equal(res?.status(), 200);
      // Redoc renders each operation with its summary as a heading.
      await page.locator("h2", { hasText: summary }).first().waitFor({ timeout: 20_000 });
      await page.locator("h1", { hasText: spec.info.title }).first().waitFor();
      assert.ok((await page.locator("h2").count()) >= Object.keys(spec.paths).length, "an entry per operation");
      await page.waitForLoadState("networkidle");
      assert.deepEqual(foreign, [], "no request leaves the server's origin");
      assertNoProblems();
    } finally {
      await context.close();
    }
  });
});
