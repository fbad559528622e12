// The <schalter-search> widget on another website: a host page served from
// another origin (a small node http server on SCHALTER_WIDGET_HOST_PORT,
// which the test runner lets through CORS), with a strict CSP, embedding the
// widget with one script tag and one element. Used by keyboard alone; axe
// on the host page with the results open.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { assertAccessible, BASE_URL, json, launch, openPage } from "./helpers.mjs";

const HOST_PORT = Number(process.env.SCHALTER_WIDGET_HOST_PORT ?? 0);
const HOST = `http://127.0.0.1:${HOST_PORT}`;

const hostPage = (attrs) => `<!doctype html>
<html lang="de-CH">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Gemeinde Musterdorf</title>
    <link rel="stylesheet" href="/host.css" />
    <script type="module" src="${BASE_URL}/widget/schalter-search.js"></script>
  </head>
  <body>
    <header><p class="logo">Gemeinde Musterdorf</p></header>
    <main>
      <h1>Willkommen in Musterdorf</h1>
      <p>Was möchten Sie erledigen?</p>
      <schalter-search ${attrs}></schalter-search>
      <p>Weitere Informationen finden Sie bei der Gemeindeverwaltung.</p>
    </main>
  </body>
</html>`;

const hostCss = `body { font-family: Georgia, serif; margin: 2rem; color: #222; }
schalter-search { max-width: 32rem; --schalter-primary: #7a1f2b; --schalter-radius: 0; --schalter-font: system-ui, sans-serif; }`;

let browser;
let server;
before(async () => {
  assert.ok(HOST_PORT, "SCHALTER_WIDGET_HOST_PORT is set by tests/run-e2e.mjs");
  browser = await launch();
  server = createServer((req, res) => {
    const url = new URL(req.url, HOST);
    // A strict policy: scripts and API calls only from Schalter, no inline styles or scripts.
    res.setHeader("Content-Security-Policy", `default-src 'self'; script-src ${BASE_URL}; connect-src ${BASE_URL}; style-src 'self'; img-src 'self'; base-uri 'none'; object-src 'none'`);
    if (url.pathname === "/host.css") {
      res.setHeader("Content-Type", "text/css");
      res.end(hostCss);
    } else if (url.pathname === "/") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(hostPage(url.searchParams.get("attrs") ?? `api-base="${BASE_URL}" lang="de" placeholder="Dienstleistung suchen" results="5"`));
    } else if (url.pathname === "/favicon.ico") {
      res.statusCode = 204;
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(HOST_PORT, "127.0.0.1", resolve));
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve());
});

describe("the <schalter-search> widget on another website", () => {
  test("loads cross-origin, works by keyboard alone, is accessible, and leads to the PWA", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const typed = "hundd anmelden";
      const suggested = await json(`/api/v1/search?q=${encodeURIComponent(typed)}&lang=de&limit=5`);
      const index = suggested.hits.findIndex((h) => h.slug === "hund-anmelden");
      assert.ok(index >= 0, `the server finds hund-anmelden for "${typed}" (got ${suggested.hits.map((h) => h.slug)})`);
      const requests = [];
      page.on("request", (r) => requests.push(r));

      await page.goto(HOST + "/");
      await page.waitForFunction(() => customElements.get("schalter-search") !== undefined);
      // Keyboard only: Tab into the widget's field.
      await page.keyboard.press("Tab");
      const input = page.getByRole("combobox", { name: "Dienstleistung suchen" });
      assert.ok(await input.evaluate((el) => el.getRootNode().activeElement === el), "Tab reaches the widget's field");
      assert.equal(await input.getAttribute("placeholder"), "Dienstleistung suchen");
      await page.keyboard.type(typed, { delay: 20 });
      const listbox = page.getByRole("listbox", { name: "Suchergebnisse" });
      // The widget searches as the person types: results of a shorter
      // query may show first. Wait for those of the whole query.
      await page.locator("schalter-search").getByRole("status").filter({ hasText: `${suggested.hits.length} Treffer` }).waitFor();
      const want = suggested.hits.length + 1;
      for (let i = 0; i < 100 && (await listbox.getByRole("option").count()) !== want; i++) await page.waitForTimeout(50);
      assert.equal(await listbox.getByRole("option").count(), want, "the results (results=5) and 'all results'");
      for (let i = 0; i <= index; i++) await page.keyboard.press("ArrowDown");
      const active = await input.getAttribute("aria-activedescendant");
      assert.ok(active);
      assert.equal(await page.locator(`schalter-search [id="${active}"]`).getAttribute("aria-selected"), "true");
      // Themed by the host's custom property.
      const bg = await page.locator(`schalter-search [id="${active}"]`).evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, "rgb(122, 31, 43)", "--schalter-primary colours the active option");

      await assertAccessible(page, "host page with the widget open");

      // The API was called cross-origin without cookies.
      const api = requests.filter((r) => r.url().startsWith(`${BASE_URL}/api/v1/search`));
      assert.ok(api.length >= 1, "the widget asked the API");
      assert.ok(api.every((r) => r.method() === "GET" && !r.headers().cookie), "GET without cookies");

      await page.keyboard.press("Enter");
      await page.waitForURL(`${BASE_URL}/services/hund-anmelden`);
      await page.locator("main h1", { hasText: suggested.hits[index].title }).waitFor();
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("on a site the server does not allow (CORS), the script loads but the widget says the search cannot be reached", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      // Same host page, other origin (localhost instead of 127.0.0.1): not in SCHALTER_CORS_ORIGINS.
      await page.goto(`http://localhost:${HOST_PORT}/`);
      await page.waitForFunction(() => customElements.get("schalter-search") !== undefined);
      const input = page.getByRole("combobox", { name: "Dienstleistung suchen" });
      await input.focus();
      await page.keyboard.type("hund", { delay: 15 });
      await page.locator("schalter-search .note", { hasText: "Die Suche ist im Moment nicht erreichbar." }).waitFor();
      await page.locator("schalter-search").getByRole("status").filter({ hasText: "nicht erreichbar" }).waitFor();
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      assertNoProblems([/CORS policy/, /Failed to load resource: net::ERR_FAILED/]);
    } finally {
      await context.close();
    }
  });

  test("Enter without a chosen result opens the PWA's results page; French texts; Escape clears", async () => {
    const { page, context, assertNoProblems } = await openPage(browser, { locale: "fr-CH" });
    try {
      await page.goto(`${HOST}/?attrs=${encodeURIComponent(`lang="fr" results="3"`)}`);
      await page.waitForFunction(() => customElements.get("schalter-search") !== undefined);
      const input = page.getByRole("combobox", { name: "Rechercher une prestation" });
      await input.focus();
      await page.keyboard.type("chien", { delay: 15 });
      await page.getByRole("listbox", { name: "Résultats de recherche" }).getByRole("option").first().waitFor();
      assert.ok((await page.getByRole("option").count()) <= 4, "at most 3 results and 'all results'");
      await page.keyboard.press("Escape");
      assert.equal(await input.getAttribute("aria-expanded"), "false", "Escape closes the list");
      await page.keyboard.press("Escape");
      assert.equal(await input.inputValue(), "", "a second Escape clears the field");
      await page.keyboard.type("chien", { delay: 15 });
      await page.keyboard.press("Enter");
      // api-base defaults to the script's origin, and so do the links.
      await page.waitForURL(`${BASE_URL}/search?q=chien`);
      await page.locator("main h1").waitFor();
      assertNoProblems();
    } finally {
      await context.close();
    }
  });
});
