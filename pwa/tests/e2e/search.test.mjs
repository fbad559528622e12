// Search and favourites like a resident: the search field with suggestions
// (keyboard only), the results page with facets and paging, favourites kept
// on the device and on the server (they come back after the device storage
// is cleared), and search without a network over the stored catalogue.
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

const cardTitles = async (page, scope = ".cards") => (await page.locator(`${scope} .card-title`).allInnerTexts()).map((s) => s.trim());

describe("search and favourites", () => {
  test("a typo in the search field, a suggestion chosen by keyboard, the star, and favourites that survive cleared storage", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const dog = await json("/api/v1/services/hund-anmelden?lang=de");
      const suggested = await json(`/api/v1/search/suggest?q=${encodeURIComponent("hundd anmelden")}&lang=de`);
      const index = suggested.suggestions.findIndex((s) => s.slug === "hund-anmelden");
      assert.ok(index >= 0, `the server suggests hund-anmelden for "hundd anmelden" (got ${suggested.suggestions.map((s) => s.slug)})`);

      await goto(page, "/offices");
      const input = page.getByRole("combobox", { name: "Dienstleistung suchen" });
      assert.equal(await input.count(), 1, "the header has the search field");
      await input.focus();
      await page.keyboard.type("hundd anmelden", { delay: 15 });
      const listbox = page.getByRole("listbox", { name: "Vorschläge" });
      await listbox.getByRole("option", { name: dog.title }).waitFor();
      assert.equal(await input.getAttribute("aria-expanded"), "true");
      assert.equal(await input.getAttribute("aria-controls"), await listbox.getAttribute("id"));
      // The live region tells how many suggestions there are.
      await page.locator('search-box [role="status"]', { hasText: `${suggested.suggestions.length} Vorschl` }).waitFor();
      // Matches are <mark> elements built from the server's ranges.
      const ranges = suggested.suggestions.reduce((n, s) => n + (s.highlights?.length ?? 0), 0);
      assert.equal((await listbox.locator("mark").count()) > 0, ranges > 0, "highlighted matches, as the server marks them");

      for (let i = 0; i <= index; i++) await page.keyboard.press("ArrowDown");
      const active = await input.getAttribute("aria-activedescendant");
      assert.ok(active, "aria-activedescendant names the active option");
      const option = page.locator(`[id="${active}"]`);
      assert.equal(await option.getAttribute("aria-selected"), "true");
      assert.equal((await option.innerText()).trim(), dog.title);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "combobox", "the focus stays in the field");
      // Escape closes, ArrowDown opens again.
      await page.keyboard.press("Escape");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      for (let i = 0; i <= index; i++) await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/services/hund-anmelden");
      await page.locator("main h1", { hasText: dog.title }).waitFor();
      await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 5000 });

      // The star: a toggle button.
      const star = page.locator(".service-head").getByRole("button", { name: "Als Favorit merken" });
      assert.equal(await star.getAttribute("aria-pressed"), "false");
      const put = page.waitForResponse((r) => r.url().endsWith("/api/v1/favourites/hund-anmelden") && r.request().method() === "PUT");
      await star.click();
      assert.equal((await put).status(), 204);
      const pressed = page.locator(".service-head").getByRole("button", { name: "Favorit entfernen" });
      assert.equal(await pressed.getAttribute("aria-pressed"), "true");
      const cookie = (await context.cookies()).find((c) => c.name === "schalter_guest");
      assert.ok(cookie?.httpOnly, "the server set the HttpOnly guest cookie");

      // After a reload the star is still on (device storage).
      await page.reload();
      await page.locator("main h1", { hasText: dog.title }).waitFor();
      await page.locator(".service-head").getByRole("button", { name: "Favorit entfernen" }).waitFor();

      // The favourites page, from the header navigation.
      await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Favoriten" }).click();
      await page.locator("main h1", { hasText: "Meine Favoriten" }).waitFor();
      await page.locator(".results-count", { hasText: "1 Favorit" }).waitFor();
      assert.deepEqual(await cardTitles(page), [dog.title]);

      // Clear the device storage (IndexedDB, localStorage; the cookie stays): the favourite comes back from the server.
      const cdp = await context.newCDPSession(page);
      await cdp.send("Storage.clearDataForOrigin", { origin: BASE_URL, storageTypes: "indexeddb,local_storage,cache_storage" });
      assert.equal(await page.evaluate(async () => (await indexedDB.databases()).length), 0, "IndexedDB is empty");
      assert.ok((await context.cookies()).some((c) => c.name === "schalter_guest"), "the cookie is still there");
      await page.reload();
      await page.locator("main h1", { hasText: "Meine Favoriten" }).waitFor();
      await page.locator(".results-count", { hasText: "1 Favorit" }).waitFor();
      assert.deepEqual(await cardTitles(page), [dog.title], "the favourite came back from the server");
      const server = await page.evaluate(async () => (await (await fetch("/api/v1/favourites?lang=de")).json()).items.map((f) => f.slug));
      assert.deepEqual(server, ["hund-anmelden"]);

      // Remove it from the list's star: the page keeps the card (unstarred), the server forgets it.
      const del = page.waitForResponse((r) => r.url().endsWith("/api/v1/favourites/hund-anmelden") && r.request().method() === "DELETE");
      await page.locator(".cards").getByRole("button", { name: "Favorit entfernen" }).click();
      assert.equal((await del).status(), 204);
      await page.locator(".results-count", { hasText: "0 Favoriten" }).waitFor();
      await page.reload();
      await page.locator(".empty-state", { hasText: "Sie haben noch keine Favoriten" }).waitFor();
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("the results page: facets with counts, filters in the URL, paging, back button, empty state", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const all = await json("/api/v1/search?q=anmelden&lang=de&limit=10");
      assert.ok(all.total > 10, "test data: more than one page of results");
      await goto(page, "/search?q=anmelden");
      await page.locator(".results-count", { hasText: `${all.total} Treffer für «anmelden»` }).waitFor();
      assert.deepEqual(await cardTitles(page, ".results"), all.hits.map((h) => h.title));
      const ranges = all.hits.reduce((n, h) => n + (h.highlights.title?.length ?? 0) + (h.highlights.summary?.length ?? 0), 0);
      assert.equal((await page.locator(".results mark").count()) > 0, ranges > 0, "matches are marked as the server marks them");
      // Each marked piece is exactly a range of the server's title.
      const first = all.hits[0];
      const want = (first.highlights.title ?? []).map((r) => Array.from(first.title).slice(r.start, r.start + r.length).join(""));
      const got = await page.locator(".results .card").first().locator(".card-title mark").allInnerTexts();
      assert.deepEqual(got.join(" "), want.join(" "), "title marks match the ranges");
      assert.equal(await page.getByRole("combobox", { name: "Dienstleistung suchen" }).inputValue(), "anmelden");

      // On a phone the filters are folded away until opened.
      const box = page.locator("details.facets-box");
      assert.equal(await box.getAttribute("open"), null, "the filters are closed at 390 px");
      await box.locator("summary", { hasText: "Treffer eingrenzen" }).click();
      // A facet value with its count; choosing it narrows the results and goes into the URL.
      const facet = all.facets.category[0];
      const select = page.getByLabel("Thema oder Lebenslage");
      assert.equal((await select.locator(`option[value="${facet.value}"]`).innerText()).trim(), `${facet.title} (${facet.count})`);
      await select.focus();
      await select.selectOption(facet.value);
      await page.waitForURL(`**/search?q=anmelden&category=${facet.value}`);
      await page.locator(".results-count", { hasText: `${facet.count} Treffer` }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "facet-category", "the focus stays on the filter");
      await box.locator("summary", { hasText: "1 Filter aktiv" }).waitFor();
      const channel = (await json(`/api/v1/search?q=anmelden&category=${facet.value}&lang=de`)).facets.channel[0];
      await page.getByRole("radio", { name: new RegExp(`\\(${channel.count}\\)$`) }).first().check();
      await page.waitForURL(`**/search?q=anmelden&category=${facet.value}&channel=${channel.value}`);
      await page.locator(".results-count", { hasText: `${channel.count} Treffer` }).waitFor();

      // Back: the previous filters and results.
      await page.goBack();
      await page.waitForURL(`**/search?q=anmelden&category=${facet.value}`);
      await page.locator(".results-count", { hasText: `${facet.count} Treffer` }).waitFor();
      await page.goBack();
      await page.locator(".results-count", { hasText: `${all.total} Treffer` }).waitFor();

      // More: the next page is appended and the focus goes to its first result.
      await page.getByRole("button", { name: "Weitere Treffer laden" }).click();
      await page.waitForFunction(() => document.querySelectorAll(".results .card").length > 10);
      const second = await json("/api/v1/search?q=anmelden&lang=de&limit=10&offset=10");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), second.hits[0].title);

      // No results: tips.
      await goto(page, "/search?q=xyzzyqwrt");
      await page.locator(".results-count", { hasText: "Keine Treffer für «xyzzyqwrt»" }).waitFor();
      await page.locator(".search-tips").getByRole("link", { name: /Themen und Lebenslagen/ }).waitFor();
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  describe("offline", () => {
    test("after one visit, search and suggestions work offline over the stored catalogue and say so", async () => {
      const { page, context, assertNoProblems } = await openPage(browser, { serviceWorkers: "allow" });
      try {
        await goto(page, "/");
        await page.evaluate(async () => await navigator.serviceWorker.ready);
        await page.waitForSelector('html[data-offline-ready="de"]', { timeout: 20_000 });
        const umzug = await json("/api/v1/services/umzug-innerhalb-melden?lang=de");
        const auszug = await json("/api/v1/services/betreibungsregisterauszug-bestellen?lang=de");

        let replayed;
        await context.setOffline(true);
        try {
          // The results page: a synonym (zügeln = Umzug) found offline.
          await page.goto("/search?q=z%C3%BCgeln");
          await page.locator("main h1").waitFor();
          await page.locator('.search-notice[role="status"]', { hasText: "Sie sind offline" }).waitFor();
          await page.locator(".results .card").first().waitFor();
          const titles = await cardTitles(page, ".results");
          assert.equal(titles[0], umzug.title, `offline "zügeln" finds "${umzug.title}" first (got ${titles.slice(0, 3).join(", ")})`);
          assert.match(await page.locator(".results-count").innerText(), /Treffer für «zügeln»/);

          // Suggestions offline, with a typo, chosen by keyboard.
          const input = page.getByRole("combobox", { name: "Dienstleistung suchen" });
          await input.fill("");
          await input.focus();
          await page.keyboard.type("betreibigsuzug", { delay: 10 });
          await page.getByRole("option", { name: auszug.title }).waitFor();
          await page.locator('search-box .combo-note[role="status"]', { hasText: "gespeicherten Kopie" }).waitFor();
          await page.keyboard.press("ArrowDown");
          await page.keyboard.press("Enter");
          await page.waitForURL("**/services/betreibungsregisterauszug-bestellen");
          assert.equal(await h1(page), auszug.title);

          // A favourite marked offline waits on the device …
          await page.locator(".service-head").getByRole("button", { name: "Als Favorit merken" }).click();
          await page.locator(".service-head").getByRole("button", { name: "Favorit entfernen" }).waitFor();
          replayed = page.waitForResponse((r) => r.url().endsWith("/api/v1/favourites/betreibungsregisterauszug-bestellen") && r.request().method() === "PUT");
        } finally {
          await context.setOffline(false);
        }
        // … and reaches the server once the browser is back online.
        assert.equal((await replayed).status(), 204, "the offline write is replayed");
        const server = await page.evaluate(async () => (await (await fetch("/api/v1/favourites?lang=de")).json()).items.map((f) => f.slug));
        assert.deepEqual(server, ["betreibungsregisterauszug-bestellen"]);
        assertNoProblems([/Failed to load resource/, /ERR_INTERNET_DISCONNECTED/]);
      } finally {
        await context.close();
      }
    });
  });
});
