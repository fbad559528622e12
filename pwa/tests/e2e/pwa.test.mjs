// Installability and offline use: the web manifest, the service worker, and
// pages (including ones never visited) served from the offline catalogue.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BASE_URL, goto, h1, json, launch, openPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString("latin1"), "PNG", "a PNG file");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe("progressive web app", () => {
  test("the web manifest is linked and valid, with 192, 512 and maskable icons", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await goto(page, "/");
      const href = await page.locator('link[rel="manifest"]').getAttribute("href");
      assert.ok(href, "index.html links a manifest");
      const res = await fetch(new URL(href, BASE_URL));
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/manifest\+json|application\/json/);
      const m = await res.json();
      assert.match(m.name, /^Schalter /, "name");
      assert.equal(m.short_name, "Schalter");
      assert.equal(m.start_url, "/");
      assert.equal(m.scope, "/");
      assert.equal(m.display, "standalone");
      assert.match(m.theme_color, /^#[0-9a-f]{6}$/i);
      assert.match(m.background_color, /^#[0-9a-f]{6}$/i);
      assert.equal(m.lang, "de-CH");
      const want = [
        { sizes: "192x192", purpose: "any" },
        { sizes: "512x512", purpose: "any" },
        { sizes: "512x512", purpose: "maskable" },
      ];
      for (const w of want) {
        const icon = m.icons.find((i) => i.sizes === w.sizes && (i.purpose ?? "any").split(" ").includes(w.purpose));
        assert.ok(icon, `an icon ${w.sizes} (${w.purpose})`);
        assert.equal(icon.type, "image/png");
        const img = await fetch(new URL(icon.src, BASE_URL));
        assert.equal(img.status, 200, `GET ${icon.src}`);
        const size = pngSize(Buffer.from(await img.arrayBuffer()));
        assert.equal(`${size.width}x${size.height}`, w.sizes, `${icon.src} is ${w.sizes}`);
      }
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  describe("service worker and offline use", () => {
    let ctx;
    before(async () => {
      ctx = await openPage(browser, { serviceWorkers: "allow" });
    });
    after(async () => {
      await ctx?.context.close();
    });

    test("the service worker registers and controls the page", async () => {
      const { page } = ctx;
      await goto(page, "/");
      const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, `${BASE_URL}/`);
      await page.reload();
      await page.locator("main h1").waitFor();
      const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
      assert.equal(controller, `${BASE_URL}/sw.js`, "after a reload the page is controlled by /sw.js");
      // The catalogue is stored for offline use.
      await page.waitForSelector('html[data-offline-ready="de"]', { timeout: 20_000 });
      await page.locator(".offline-ready").waitFor();
      ctx.assertNoProblems();
    });

    test("offline, home, a category and a service never visited are shown from the stored catalogue", async () => {
      const { page, context } = ctx;
      // Pick pages that were not visited online.
      const category = (await json("/api/v1/categories?kind=topic&lang=de")).items.find((c) => c.slug === "tiere");
      assert.ok(category, "test data: the topic Tiere");
      const services = await json(`/api/v1/services?category=${category.slug}&limit=20&lang=de`);
      const service = await json(`/api/v1/services/${services.items.at(-1).slug}?lang=de`);

      await context.setOffline(true);
      try {
        await page.reload();
        await page.locator("main h1").waitFor();
        assert.match(await h1(page), /Online-Schalter/);
        // Really offline: API requests (through the service worker) do not reach the server.
        const probe = await page.evaluate(async () => {
          try {
            const r = await fetch("/api/v1/services?limit=1&probe=offline");
            return r.headers.get("X-Schalter-Offline") ? "cached" : "network";
          } catch {
            return "failed";
          }
        });
        assert.notEqual(probe, "network", "offline, an API request must not reach the server");
        const banner = page.locator('.offline-banner[role="status"]');
        await banner.getByText(/Sie sind offline/).waitFor();
        assert.ok((await page.locator("#popular-heading + .cards .card").count()) > 0, "popular services offline");

        await page.locator(".tile a", { hasText: category.title }).click();
        await page.locator("main h1", { hasText: category.title }).waitFor();
        await page.locator(".results-count", { hasText: `${services.total} Dienstleistung` }).waitFor();
        await banner.getByText(/Sie sind offline/).waitFor();

        // A filter works offline too.
        await page.getByRole("radio", { name: "Am Schalter" }).check();
        const counter = await json(`/api/v1/services?category=${category.slug}&channel=counter&limit=20&lang=de`);
        await page.locator(".results-count", { hasText: `${counter.total} Dienstleistung` }).waitFor();
        await page.getByRole("radio", { name: "Alle Wege" }).check();

        await page.locator(".card-link", { hasText: service.title }).click();
        await page.locator("main h1", { hasText: service.title }).waitFor();
        const text = await page.locator("main").innerText();
        assert.ok(text.includes(service.privacy.data), "the service's privacy notice offline");
        assert.ok(text.includes(service.office.name), "the service's office offline");
        await banner.getByText(/Sie sind offline/).waitFor();

        // A deep link opened directly while offline.
        await page.goto("/offices/einwohnerdienste");
        await page.locator("main h1", { hasText: "Einwohnerdienste" }).waitFor();
      } finally {
        await context.setOffline(false);
      }
    });
  });
});
