// Browsing the catalogue like a resident: home, category with filters,
// service detail, offices, not-found, language switch. Every expectation is
// compared with what the real API returns for the seeded demo catalogue.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertNoHorizontalScroll, goto, h1, json, launch, openPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function cardTitles(page) {
  return (await page.locator(".cards .card-title").allInnerTexts()).map((s) => s.trim());
}

describe("browsing the catalogue", () => {
  test("home shows the city, popular services, topics and life situations, and search finds services", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const config = await json("/api/v1/config");
      const popular = await json("/api/v1/services?limit=6&lang=de");
      const topics = await json("/api/v1/categories?kind=topic&lang=de");
      const life = await json("/api/v1/categories?kind=life_situation&lang=de");

      await goto(page, "/");
      assert.match(await h1(page), new RegExp(config.city.name), "the h1 names the city from /api/v1/config");
      assert.equal(await page.locator(".brand-city").innerText(), config.city.name);

      const brand = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--brand").trim());
      assert.equal(brand.toLowerCase(), config.city.primary_color.toLowerCase(), "the brand colour comes from the configuration");

      await page.locator("#popular-heading").waitFor();
      assert.deepEqual(await cardTitles(page), popular.items.map((s) => s.title), "popular services as the API orders them");
      assert.ok(popular.items.length >= 3, "the demo catalogue has popular services");

      const topicTitles = (await page.locator(".tiles:not(.tiles-life) .tile-title").allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(topicTitles, topics.items.map((c) => c.title), "topic tiles match /api/v1/categories?kind=topic");
      assert.ok(topicTitles.includes("Abfall und Umwelt"));
      const lifeTitles = (await page.locator(".tiles-life .tile-title").allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(lifeTitles, life.items.map((c) => c.title), "life situation tiles match the API");

      // The search field of the home page leads to the results page; the query stays in the URL.
      const dog = await json("/api/v1/services/hund-anmelden?lang=de");
      const found = await json("/api/v1/search?q=hund&lang=de&limit=10");
      assert.equal(await page.locator("search-box input").count(), 1, "one search field on the home page (no second one in the header)");
      await page.getByRole("combobox", { name: "Dienstleistung suchen" }).fill("hund");
      await page.keyboard.press("Enter");
      await page.waitForURL("**/search?q=hund");
      await page.locator(".results-count", { hasText: `${found.total} Treffer für «hund»` }).waitFor();
      const hits = await cardTitles(page);
      assert.deepEqual(hits, found.hits.map((h) => h.title), "results as the API ranks them");
      assert.ok(hits.includes(dog.title), `searching "hund" lists "${dog.title}"`);
      await page.goBack();
      await page.locator("#popular-heading").waitFor();
      await assertNoHorizontalScroll(page, "home");
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("a category lists its services and the audience and channel filters change the list", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const all = await json("/api/v1/services?category=abfall-umwelt&limit=20&lang=de");
      const online = await json("/api/v1/services?category=abfall-umwelt&channel=online&limit=20&lang=de");
      const audiences = await json("/api/v1/audiences?lang=de");
      assert.ok(online.total < all.total, "test data: some services of the category are not online");

      await goto(page, "/");
      await page.locator(".tile a", { hasText: "Abfall und Umwelt" }).click();
      await page.waitForURL("**/categories/abfall-umwelt");
      await page.locator("main h1", { hasText: "Abfall und Umwelt" }).waitFor();
      await page.locator(".results-count", { hasText: `${all.total} Dienstleistung` }).waitFor();
      assert.deepEqual(await cardTitles(page), all.items.map((s) => s.title));
      const focused = await page.evaluate(() => document.activeElement?.tagName);
      assert.equal(focused, "H1", "after a route change the focus is on the page heading");

      // Channel filter (radio group).
      await page.getByRole("radio", { name: "Online" }).check();
      await page.waitForURL(/channel=online/);
      await page.locator(".results-count", { hasText: `${online.total} Dienstleistung` }).waitFor();
      assert.deepEqual(await cardTitles(page), online.items.map((s) => s.title), "the list shows the online services");

      // Audience filter (select), combined with the channel.
      const withAudience = [];
      for (const a of audiences.items) {
        const list = await json(`/api/v1/services?category=abfall-umwelt&channel=online&audience=${a.slug}&limit=20&lang=de`);
        if (list.total > 0 && list.total < online.total) withAudience.push({ a, list });
      }
      assert.ok(withAudience.length > 0, "test data: an audience narrows the online services of the category");
      const { a, list } = withAudience[0];
      await page.getByLabel("Für wen?").selectOption(a.slug);
      await page.waitForURL(new RegExp(`audience=${a.slug}`));
      await page.locator(".results-count", { hasText: `${list.total} Dienstleistung` }).waitFor();
      assert.deepEqual(await cardTitles(page), list.items.map((s) => s.title), `the list shows the online services for ${a.title}`);

      // Reset, then "load more" (if the category has more than one page).
      await page.getByRole("button", { name: "Filter zurücksetzen" }).click();
      await page.locator(".results-count", { hasText: `${all.total} Dienstleistung` }).waitFor();
      if (all.next_cursor) {
        await page.getByRole("button", { name: "Weitere Dienstleistungen laden" }).click();
        await page.waitForFunction((n) => document.querySelectorAll(".cards .card").length > n, all.items.length);
      }

      // Open a service from the list.
      const first = all.items[0];
      await page.locator(".card-link", { hasText: first.title }).first().click();
      await page.waitForURL(`**/services/${first.slug}`);
      await page.locator("main h1", { hasText: first.title }).waitFor();
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("a service page shows every field of the service", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const s = await json("/api/v1/services/hund-anmelden?lang=de");
      await goto(page, "/services/hund-anmelden");
      assert.equal(await h1(page), s.title);
      const main = page.locator("main");
      const text = await main.innerText();
      const has = (needle, what) => assert.ok(text.includes(needle), `the service page shows ${what}: "${needle}"`);

      has(s.summary, "the summary");
      has(s.office.name, "the office");
      has(s.office.address.street, "the office's street");
      has(s.office.phone, "the office's phone");
      for (const r of s.requirements ?? []) has(r, "a requirement");
      assert.ok((s.fees ?? []).length > 0, "test data: the dog registration has a fee");
      for (const f of s.fees) {
        has(f.label, "a fee label");
        if (f.amount_rappen > 0) has(`CHF ${(f.amount_rappen / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, "’")}`, "a fee in Swiss francs");
      }
      assert.match(text, /CHF \d/, "fees are shown as CHF amounts");
      assert.ok((s.processing_times ?? []).length > 0, "test data: processing times");
      await main.getByRole("heading", { name: "Bearbeitungsdauer" }).waitFor();
      assert.ok((await page.locator(".processing dt").count()) === s.processing_times.length, "one processing time per channel");
      has(s.privacy.data, "the privacy notice (data)");
      has(s.privacy.purpose, "the privacy notice (purpose)");
      has(s.privacy.retention, "the privacy notice (retention)");
      has(s.privacy.recipients, "the privacy notice (recipients)");
      await main.getByRole("heading", { name: "Datenschutz" }).waitFor();
      await main.getByRole("heading", { name: "Öffnungszeiten" }).waitFor();
      assert.equal(await page.locator("table.hours tbody tr").count(), 7, "opening hours for every weekday");
      assert.match(await page.locator("table.hours").innerText(), /Montag\s+\d{2}:\d{2}–\d{2}:\d{2}/, "Monday's opening hours");
      assert.match(text, new RegExp(`Zuletzt geprüft am \\d{1,2}\\. \\p{L}+ ${s.last_reviewed.slice(0, 4)}`, "u"), "the last reviewed date");
      const map = page.locator(`a[href^="https://www.openstreetmap.org/?mlat=${s.office.location.lat}&mlon=${s.office.location.lon}"]`);
      assert.equal(await map.count(), 1, "a map link to OpenStreetMap");
      for (const r of s.related ?? []) has(r.title, "a related service");
      // The description is rendered as HTML, not as markdown source.
      assert.ok((await page.locator(".prose p").count()) > 0, "the description is rendered HTML");
      assert.ok(!(await page.locator(".prose").innerText()).includes("**"), "no raw markdown in the description");
      // The dog registration has Schalter's own form: "Online bestellen"
      // opens it (the login comes at submission, tests/e2e/orders.test.mjs).
      assert.equal(s.online_form, true, "test data: the dog registration has an online form");
      assert.equal(await page.getByRole("link", { name: /Online bestellen/ }).getAttribute("href"), "/services/hund-anmelden/order");
      // A service with a login level and an external start: "Online starten"
      // first checks the login (tests/e2e/account.test.mjs); one without a
      // login level links straight to its online start.
      const address = await json("/api/v1/services/adressauskunft?lang=de");
      assert.equal(address.assurance, "account", "test data: the address information needs an account");
      assert.equal(address.online_form, false);
      await goto(page, "/services/adressauskunft");
      await page.getByRole("button", { name: "Online starten" }).waitFor();
      const open = await json("/api/v1/services/abfuhrkalender?lang=de");
      assert.equal(open.assurance, "none", "test data: the collection calendar needs no login");
      await goto(page, "/services/abfuhrkalender");
      assert.equal(await page.getByRole("link", { name: /Online starten/ }).getAttribute("href"), open.online_start_url, "the online start link");
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("offices list and an office with its services", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const offices = await json("/api/v1/offices?lang=de");
      await goto(page, "/");
      await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Ämter" }).click();
      await page.waitForURL("**/offices");
      await page.locator("main h1", { hasText: "Ämter und Stellen" }).waitFor();
      assert.deepEqual(await cardTitles(page), offices.items.map((o) => o.name), "every office from the API");

      const office = offices.items.find((o) => o.slug === "einwohnerdienste") ?? offices.items[0];
      const services = await json(`/api/v1/services?office=${office.slug}&limit=100&lang=de`);
      await page.locator(".card-link", { hasText: office.name }).click();
      await page.waitForURL(`**/offices/${office.slug}`);
      await page.locator("main h1", { hasText: office.name }).waitFor();
      assert.deepEqual(await cardTitles(page), services.items.map((s) => s.title), "the office's services");
      assert.ok(services.items.length > 0);
      assert.equal(await page.locator("table.hours tbody tr").count(), 7);
      assertNoProblems();
    } finally {
      await context.close();
    }
  });

  test("unknown pages and services show the not-found page", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await goto(page, "/gibt-es-nicht");
      assert.equal(await h1(page), "Seite nicht gefunden");
      await goto(page, "/services/gibt-es-nicht");
      assert.equal(await h1(page), "Seite nicht gefunden");
      await page.getByRole("link", { name: "Zur Startseite" }).click();
      await page.waitForURL(/\/$/);
      await page.locator("#popular-heading").waitFor();
      // The 404 of the API is expected here.
      assertNoProblems([/status of 404/]);
    } finally {
      await context.close();
    }
  });

  test("switching the language to English shows the English texts and sets <html lang>", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const de = await json("/api/v1/services/zuzug-anmelden?lang=de");
      const en = await json("/api/v1/services/zuzug-anmelden?lang=en");
      assert.notEqual(de.title, en.title, "test data: the service has an English title");
      await goto(page, "/services/zuzug-anmelden");
      assert.equal(await h1(page), de.title);
      assert.equal(await page.getAttribute("html", "lang"), "de-CH");

      await page.getByLabel("Sprache").selectOption("en");
      await page.locator("main h1", { hasText: en.title }).waitFor();
      assert.equal(await page.getAttribute("html", "lang"), "en");
      await page.getByRole("heading", { name: "Data protection" }).waitFor();
      assert.equal(await page.getByRole("navigation", { name: "Main navigation" }).count(), 1, "the interface is in English");

      // The choice is kept.
      await page.reload();
      await page.locator("main h1", { hasText: en.title }).waitFor();
      assert.equal(await page.getAttribute("html", "lang"), "en");

      // Filters survive a language switch.
      const onlineDe = await json("/api/v1/services?category=abfall-umwelt&channel=online&limit=20&lang=de");
      await page.getByLabel("Language").selectOption("de");
      await goto(page, "/categories/abfall-umwelt");
      await page.getByRole("radio", { name: "Online" }).check();
      await page.locator(".results-count", { hasText: `${onlineDe.total} Dienstleistung` }).waitFor();
      await page.getByLabel("Sprache").selectOption("fr");
      await page.locator("main h1", { hasText: "Déchets et environnement" }).waitFor();
      await page.locator(".results-count", { hasText: `${onlineDe.total} prestation` }).waitFor();
      assert.ok(await page.getByRole("radio", { name: "En ligne" }).isChecked(), "the channel filter is still set");
      assert.match(page.url(), /channel=online/);
      assertNoProblems();
    } finally {
      await context.close();
    }
  });
});
