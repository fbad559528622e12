// Renders the app icons (PNG) from the SVG designs in assets/ with headless
// Chromium (playwright-core, no browser download). Run `npm run gen:icons`
// after changing an SVG, and commit the PNGs in public/icons/.
import { readFileSync, copyFileSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
const out = resolve(root, "public/icons");
const jobs = [
  { svg: "assets/icon.svg", png: "icon-192.png", size: 192 },
  { svg: "assets/icon.svg", png: "icon-512.png", size: 512 },
  { svg: "assets/icon-maskable.svg", png: "icon-maskable-512.png", size: 512 },
  { svg: "assets/icon-maskable.svg", png: "apple-touch-icon.png", size: 180 },
  { svg: "assets/icon.svg", png: "favicon-32.png", size: 32 },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const job of jobs) {
    const svg = readFileSync(resolve(root, job.svg), "utf8");
    await page.setViewportSize({ width: job.size, height: job.size });
    const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img src="${dataUrl}" width="${job.size}" height="${job.size}" style="display:block"></body></html>`,
    );
    await page.waitForFunction(() => document.images[0]?.complete);
    await page.screenshot({ path: resolve(out, job.png), omitBackground: true, clip: { x: 0, y: 0, width: job.size, height: job.size } });
    console.log(`wrote public/icons/${job.png}`);
  }
} finally {
  await browser.close();
}
copyFileSync(resolve(root, "assets/icon.svg"), resolve(out, "favicon.svg"));
copyFileSync(resolve(root, "assets/icon.svg"), resolve(out, "mark.svg"));
