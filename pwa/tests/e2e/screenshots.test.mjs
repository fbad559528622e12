// Screenshots for the documentation (docs/screenshots/), at a phone's size.
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { goto, launch, openPage } from "./helpers.mjs";

const dir = resolve(import.meta.dirname, "../../../docs/screenshots");
let browser;
before(async () => {
  browser = await launch();
  mkdirSync(dir, { recursive: true });
});
after(async () => {
  await browser?.close();
});

describe("documentation screenshots", () => {
  for (const shot of [
    { file: "home.png", path: "/", ready: "#popular-heading" },
    { file: "service.png", path: "/services/zuzug-anmelden", ready: "table.hours" },
  ]) {
    test(`${shot.file} at 390×844`, async () => {
      const { page, context } = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      try {
        await goto(page, shot.path);
        await page.locator(shot.ready).first().waitFor();
        await page.evaluate(() => document.fonts?.ready);
        const path = resolve(dir, shot.file);
        await page.screenshot({ path, fullPage: false, animations: "disabled", caret: "hide" });
        assert.ok(statSync(path).size > 10_000, `${path} has content`);
      } finally {
        await context.close();
      }
    });
  }
});
