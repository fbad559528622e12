// Accessibility (WCAG 2.1 AA): axe-core on every kind of page, in German and
// French, at 390 px and 320 px, plus keyboard basics.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertAccessible, assertNoHorizontalScroll, goto, launch, openPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const PAGES = [
  { label: "home", path: "/", ready: "#popular-heading" },
  { label: "category", path: "/categories/abfall-umwelt", ready: ".results-count .card, .cards .card" },
  { label: "service", path: "/services/zuzug-anmelden", ready: "table.hours" },
  { label: "offices", path: "/offices", ready: ".cards .card" },
  { label: "office", path: "/offices/einwohnerdienste", ready: ".cards .card" },
  { label: "categories", path: "/categories", ready: ".tiles .tile" },
  { label: "not found", path: "/gibt-es-nicht", ready: "main h1" },
  { label: "search", path: "/search?q=hund", ready: ".results .card" },
];

async function open(page, p) {
  await goto(page, p.path);
  await page.locator(p.ready).first().waitFor();
  const h1s = await page.locator("h1").count();
  assert.equal(h1s, 1, `${p.label} has exactly one h1`);
}

describe("accessibility", () => {
  test("axe finds no WCAG 2.1 A/AA violations on any page (390 px)", async () => {
    const { page, context } = await openPage(browser);
    try {
      for (const p of PAGES) {
        await open(page, p);
        await assertAccessible(page, `${p.label} (${p.path})`);
      }
    } finally {
      await context.close();
    }
  });

  test("axe finds no violations in French on the service page and the category page", async () => {
    const { page, context } = await openPage(browser);
    try {
      await goto(page, "/services/zuzug-anmelden");
      await page.getByLabel("Sprache").selectOption("fr");
      await page.getByRole("heading", { name: "Protection des données" }).waitFor();
      assert.equal(await page.getAttribute("html", "lang"), "fr-CH");
      await assertAccessible(page, "service (fr)");
      await goto(page, "/categories/familie-kinder");
      await page.locator(".cards .card").first().waitFor();
      await assertAccessible(page, "category (fr)");
    } finally {
      await context.close();
    }
  });

  test("axe finds no violations on the results page (with facets and suggestions open) and the favourites page (empty and not), in German and French", async () => {
    const { page, context } = await openPage(browser);
    try {
      for (const lang of ["de", "fr"]) {
        const t = lang === "de"
          ? { search: "Dienstleistung suchen", favourites: "Meine Favoriten", add: "Als Favorit merken", empty: "Sie haben noch keine Favoriten", one: "1 Favorit" }
          : { search: "Rechercher une prestation", favourites: "Mes favoris", add: "Ajouter aux favoris", empty: "Vous n'avez pas encore de favoris", one: "1 favori" };
        if (lang === "fr") {
          await goto(page, "/");
          await page.getByLabel("Sprache").selectOption("fr");
          await page.waitForFunction(() => document.documentElement.lang === "fr-CH");
        }
        // Favourites, empty.
        await goto(page, "/favourites");
        await page.locator(".empty-state", { hasText: t.empty }).waitFor();
        await assertAccessible(page, `favourites, empty (${lang})`);

        // Results with facets, then the suggestions open.
        await goto(page, "/search?q=anmelden");
        await page.locator(".facets-box summary").click();
        await page.locator(".facets select").first().waitFor();
        await page.locator(".results .card").first().waitFor();
        await assertAccessible(page, `results page (${lang})`);
        await assertNoHorizontalScroll(page, `results page (${lang})`);
        const input = page.getByRole("combobox", { name: t.search });
        await input.fill("");
        await input.focus();
        await page.keyboard.type("hund", { delay: 10 });
        await page.locator('search-box [role="option"]').first().waitFor();
        await page.keyboard.press("ArrowDown");
        await assertAccessible(page, `results page with suggestions open (${lang})`);
        await page.keyboard.press("Escape");

        // Favourites, one.
        const star = page.locator(".results .card").first().getByRole("button", { name: t.add });
        await star.click();
        await page.locator(".results .card").first().locator('[aria-pressed="true"]').waitFor();
        await goto(page, "/favourites");
        await page.locator(".results-count", { hasText: t.one }).waitFor();
        await assertAccessible(page, `favourites, one (${lang})`);
        await page.locator(".cards").getByRole("button").first().click();
        await page.locator(".results-count", { hasText: lang === "de" ? "0 Favoriten" : "0 favori" }).waitFor();
      }
    } finally {
      await context.close();
    }
  });

  test("at 320 px (and 640 px, like 200 % zoom) nothing scrolls sideways and axe passes", async () => {
    for (const viewport of [
      { width: 320, height: 640 },
      { width: 640, height: 400 },
    ]) {
      const { page, context } = await openPage(browser, { viewport });
      try {
        for (const p of [...PAGES.slice(0, 5), PAGES.at(-1)]) {
          await open(page, p);
          await assertNoHorizontalScroll(page, `${p.label} at ${viewport.width} px`);
        }
        await open(page, PAGES[2]);
        await assertAccessible(page, `service at ${viewport.width} px`);
        await open(page, PAGES[0]);
        await assertAccessible(page, `home at ${viewport.width} px`);
      } finally {
        await context.close();
      }
    }
  });

  test("keyboard: the skip link comes first and route changes move the focus to the heading", async () => {
    const { page, context } = await openPage(browser);
    try {
      await goto(page, "/");
      await page.locator("#popular-heading").waitFor();
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => ({ cls: document.activeElement?.className, text: document.activeElement?.textContent?.trim() }));
      assert.equal(first.cls, "skip-link", "the first Tab stop is the skip link");
      assert.equal(first.text, "Zum Inhalt springen");
      assert.ok(await page.locator(".skip-link").isVisible(), "the skip link is visible when focused");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "main", "the skip link moves the focus to main");

      // Follow a link with the keyboard: focus lands on the new page's h1, and the change is announced.
      const link = page.locator(".tile a").first();
      const title = (await link.locator(".tile-title").innerText()).trim();
      await link.focus();
      await page.keyboard.press("Enter");
      await page.locator("main h1", { hasText: title }).waitFor();
      await page.waitForFunction(() => document.activeElement?.tagName === "H1");
      await page.waitForFunction((t) => document.querySelector('[aria-live="polite"][aria-atomic="true"]')?.textContent?.includes(t), title);
      assert.match(await page.title(), new RegExp(title));
      // The focused element has a visible focus indicator.
      await page.keyboard.press("Tab");
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", "focused elements show an outline");
    } finally {
      await context.close();
    }
  });
});
