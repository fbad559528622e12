// Fails when src/api/schema.d.ts is not what `npm run gen:api` would generate
// from ../openapi/openapi.yaml (the committed spec), so the typed client never
// drifts from the API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const spec = resolve(root, "../openapi/openapi.yaml");
const committed = resolve(root, "src/api/schema.d.ts");
const dir = mkdtempSync(join(tmpdir(), "schalter-api-"));
const fresh = join(dir, "schema.d.ts");
try {
  execFileSync(process.execPath, [resolve(root, "node_modules/openapi-typescript/bin/cli.js"), spec, "--output", fresh], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const want = readFileSync(fresh, "utf8");
  let have = "";
  try {
    have = readFileSync(committed, "utf8");
  } catch {
    /* missing counts as different */
  }
  if (want !== have) {
    const a = have.split("\n");
    const b = want.split("\n");
    let line = 0;
    while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
    console.error(
      `check:api: src/api/schema.d.ts is out of date with ../openapi/openapi.yaml (first difference at line ${line + 1}).\n` +
        `  committed: ${JSON.stringify(a[line] ?? "<end of file>")}\n` +
        `  generated: ${JSON.stringify(b[line] ?? "<end of file>")}\n` +
        `Run \`npm run gen:api\` (in pwa/), fix any type errors (npm run typecheck) and commit the result.`,
    );
    process.exit(1);
  }
  console.log("check:api: src/api/schema.d.ts matches ../openapi/openapi.yaml");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
