// Shared helpers of the browser tests: the server address, a headless
// Chromium (playwright-core, the system's /usr/bin/chromium), pages that
// record console errors and CSP violations, and axe-core checks.
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium } from "playwright-core";

export const BASE_URL = process.env.SCHALTER_BASE_URL ?? "";
if (!BASE_URL) {
  throw new Error("SCHALTER_BASE_URL is not set: run the browser tests with `npm run test:e2e`, which starts the server.");
}

export const MOBILE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--no-first-run"],
  });
}

/**
 * A new context and page at the mobile viewport. `problems` collects console
 * errors, page errors and CSP violations; `assertNoProblems()` fails on any.
 */
export async function openPage(browser, { viewport = MOBILE, locale = "de-CH", deviceScaleFactor = 1, serviceWorkers = "block" } = {}) {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor, baseURL: BASE_URL, serviceWorkers });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    else if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return {
    context,
    page,
    problems,
    /** Fails when the page logged errors (ignoring `allow` patterns, e.g. expected offline failures). */
    assertNoProblems(allow = []) {
      const left = problems.filter((p) => !allow.some((re) => re.test(p)));
      assert.deepEqual(left, [], `the page reported problems:\n${left.join("\n")}`);
    },
  };
}

/** Navigates and waits until the routed page has rendered its h1. */
export async function goto(page, path) {
  await page.goto(path);
  await page.locator("main h1").first().waitFor({ timeout: 15_000 });
}

/** The text of the page's h1. */
export async function h1(page) {
  return (await page.locator("main h1").first().innerText()).trim();
}

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Runs axe-core (WCAG 2.0/2.1 A and AA) and fails listing every violation. */
export async function assertAccessible(page, label) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const lines = result.violations.map(
    (v) => `- ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes
      .slice(0, 5)
      .map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ")}`)
      .join("\n    ")}`,
  );
  assert.equal(result.violations.length, 0, `axe found ${result.violations.length} WCAG violation(s) on ${label}:\n${lines.join("\n")}`);
  assert.ok(result.passes.length > 10, `axe ran too few checks on ${label} (${result.passes.length}); did the page render?`);
}

/** Fails if the document is wider than the viewport (horizontal scrolling). */
export async function assertNoHorizontalScroll(page, label) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${label} scrolls horizontally: content ${scrollWidth}px wide in a ${innerWidth}px viewport`);
}

export async function json(path) {
  const res = await fetch(new URL(path, BASE_URL));
  assert.equal(res.status, 200, `GET ${path} → ${res.status}`);
  return res.json();
}
