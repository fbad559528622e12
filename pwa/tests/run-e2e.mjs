// Runs the browser tests against the real Schalter server: starts Mailpit
// (the pinned Go tool, a real SMTP server whose REST API the account tests
// read), the simulated Betreibungsamt, then the Go binary (SCHALTER_BIN, default ../bin/schalter) with a
// private PostgreSQL cluster, the demo catalogue and Mailpit as its SMTP
// server, waits for /readyz, runs tests/e2e/*.test.mjs with node --test, then
// stops both with SIGTERM.
//
//   npm run test:e2e                 run all browser tests
//   npm run test:e2e -- --serve      only start the server (for trying things by hand)
//   npm run test:e2e -- <file>...    run only these test files
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pwaDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(pwaDir, "..");
const bin = resolve(pwaDir, process.env.SCHALTER_BIN ?? "../bin/schalter");
const distDir = resolve(pwaDir, "dist");
const dataDir = resolve(repoDir, ".data/e2e");
const resultsDir = resolve(pwaDir, "test-results");
const args = process.argv.slice(2);
const serveOnly = args.includes("--serve");
const only = args.filter((a) => !a.startsWith("--"));

function fail(message) {
  console.error(`\ntest:e2e: ${message}\n`);
  process.exit(1);
}

if (!existsSync(bin)) fail(`no server binary at ${bin}. Build it (cd .. && go build -o bin/schalter ./cmd/schalter) or set SCHALTER_BIN.`);
if (!existsSync(resolve(distDir, "index.html"))) fail(`the PWA is not built (${distDir}/index.html missing): run npm run build first.`);
if (!existsSync(resolve(distDir, "widget/schalter-search.js"))) fail(`the widget is not built (${distDir}/widget/schalter-search.js missing): run npm run build first.`);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) fail(`no Chromium at ${chromium}: apt-get install -y chromium (or set CHROMIUM_PATH).`);

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

mkdirSync(resultsDir, { recursive: true });
mkdirSync(resolve(repoDir, ".data"), { recursive: true });
const port = Number(process.env.SCHALTER_E2E_PORT ?? (await freePort()));
// localhost, not 127.0.0.1: WebAuthn needs a secure context and a relying
// party id that is a host name (passkeys are refused for an IP address);
// http://localhost is both. The server itself listens on 127.0.0.1.
const baseURL = `http://localhost:${port}`;
// The widget test serves a host page from another origin that embeds the
// widget; the server must allow that origin (CORS), so its port is chosen now.
let widgetHostPort = Number(process.env.SCHALTER_WIDGET_HOST_PORT ?? 0);
while (!widgetHostPort || widgetHostPort === port) widgetHostPort = await freePort();
const widgetHostOrigin = `http://127.0.0.1:${widgetHostPort}`;
const logPath = resolve(resultsDir, "server.log");
const mailLogPath = resolve(resultsDir, "mailpit.log");
// A fresh search index every run (built from the seeded catalogue in under a
// second): an index left by an older binary must not decide the results.
const searchTmp = process.env.SCHALTER_SEARCH_DIR ? null : mkdtempSync(resolve(resultsDir, "search-"));
const searchDir = process.env.SCHALTER_SEARCH_DIR ?? resolve(searchTmp, "index"); // the engine creates it
let ready = false;
const log = createWriteStream(logPath);

// Mailpit: `go tool mailpit` runs the version pinned in go.mod (the first
// run builds it). It gets a process group of its own (`go tool` starts
// mailpit as a child), so stopping the group leaves no mailpit behind.
const smtpAddr = `127.0.0.1:${await freePort()}`;
const mailpitURL = `http://127.0.0.1:${await freePort()}`;
const mailpit = spawn(process.env.GO ?? "go", ["tool", "mailpit", "--smtp", smtpAddr, "--listen", mailpitURL.replace("http://", ""), "--disable-version-check", "--quiet"], {
  cwd: repoDir,
  detached: true,
  stdio: ["ignore", "pipe", "pipe"],
});
const mailLog = createWriteStream(mailLogPath);
mailpit.stdout.pipe(mailLog);
mailpit.stderr.pipe(mailLog);
let mailpitExited = false;
const mailpitExit = new Promise((res) => mailpit.on("exit", () => res((mailpitExited = true))));
mailpit.on("error", (e) => fail(`could not start Mailpit (go tool mailpit): ${e.message}`));
// Also on any early exit (a failed start, an exception): a detached group
// would otherwise outlive this script.
process.on("exit", () => stopMailpit());

function stopMailpit() {
  if (mailpitExited) return;
  try {
    process.kill(-mailpit.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
}

// Mailpit must accept mail before the server sends any.
const mailStarted = Date.now();
let mailReady = false;
while (Date.now() - mailStarted < 120_000 && !mailpitExited) {
  try {
    const res = await fetch(`${mailpitURL}/api/v1/messages`, { signal: AbortSignal.timeout(2000) });
    if (res.status === 200) {
      mailReady = true;
      break;
    }
  } catch {
    /* not listening yet */
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!mailReady) {
  stopMailpit();
  fail(`Mailpit did not start within 120 s (log: ${mailLogPath})`);
}

// The simulated Betreibungsamt (schalter sim betreibungsamt): the orders
// test's cases go to it over the real connector, and it answers with the
// extract after a second.
const simAddr = `127.0.0.1:${await freePort()}`;
const sim = spawn(bin, ["sim", "betreibungsamt", "-addr", simAddr, "-delay", "1s"], { stdio: ["ignore", "pipe", "pipe"] });
sim.stdout.pipe(log);
sim.stderr.pipe(log);
process.on("exit", () => sim.kill("SIGTERM"));

const server = spawn(bin, ["serve"], {
  cwd: repoDir,
  env: {
    ...process.env,
    SCHALTER_ADDR: `127.0.0.1:${port}`,
    SCHALTER_DATA_DIR: dataDir,
    SCHALTER_DEMO: "true",
    SCHALTER_PWA_DIR: distDir,
    SCHALTER_ENV: "test",
    SCHALTER_SEARCH_DIR: searchDir,
    // Mails (verification, reset, security notices) go to Mailpit, and their
    // links point at this server.
    SCHALTER_SMTP_ADDR: smtpAddr,
    SCHALTER_PUBLIC_URL: baseURL,
    SCHALTER_CORS_ORIGINS: [process.env.SCHALTER_CORS_ORIGINS, widgetHostOrigin].filter(Boolean).join(","),
    // The browser tests make many requests (and many logins) in a short
    // time from one address.
    // The development identity provider (demo people under /dev-idp) as the
    // state eID; SMS codes go to the dev sink, $SCHALTER_DATA_DIR/sms-outbox.jsonl.
    SCHALTER_EID_DEV: "true",
    SCHALTER_DEMO_SIM_URL: `http://${simAddr}/cases`,
    SCHALTER_RATE_LIMIT: process.env.SCHALTER_RATE_LIMIT ?? "0",
    SCHALTER_AUTH_RATE_LIMIT: process.env.SCHALTER_AUTH_RATE_LIMIT ?? "0",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
server.stdout.pipe(log);
server.stderr.pipe(log);
let serverExited = null;
let stopping = false;
const serverExit = new Promise((res) =>
  server.on("exit", (code, signal) => {
    serverExited = { code, signal };
    if (ready && !stopping) {
      console.error(
        `\ntest:e2e: the server exited while the tests ran (${JSON.stringify(serverExited)}); was it stopped from outside?` +
          `\nLast lines of ${logPath}:\n${serverLogTail(10)}\n`,
      );
    }
    res(serverExited);
  }),
);

function serverLogTail(lines = 30) {
  try {
    return readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}

function removeSearchDir() {
  if (searchTmp) rmSync(searchTmp, { recursive: true, force: true });
}

async function stopMailpitAndWait() {
  stopMailpit();
  await Promise.race([mailpitExit, new Promise((res) => setTimeout(res, 10_000))]);
}

async function stopServer() {
  stopping = true;
  if (serverExited) {
    await stopMailpitAndWait();
    return removeSearchDir();
  }
  server.kill("SIGTERM");
  const timeout = new Promise((res) => setTimeout(() => res("timeout"), 30_000));
  if ((await Promise.race([serverExit, timeout])) === "timeout") {
    console.error("test:e2e: server did not stop within 30 s of SIGTERM; killing it");
    server.kill("SIGKILL");
    await serverExit;
  }
  await stopMailpitAndWait();
  removeSearchDir();
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    await stopServer();
    process.exit(130);
  });
}

// Wait for readiness (the first start runs initdb, migrations and the seed).
const started = Date.now();
while (Date.now() - started < 60_000) {
  if (serverExited) break;
  try {
    const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2000) });
    if (res.status === 200) {
      ready = true;
      break;
    }
  } catch {
    /* not listening yet */
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!ready) {
  const why = serverExited ? `the server exited (${JSON.stringify(serverExited)})` : "GET /readyz was not 200 within 60 s";
  await stopServer();
  fail(`${why}. Last lines of ${logPath}:\n${serverLogTail()}`);
}
console.log(`test:e2e: widget host origin (allowed by CORS): ${widgetHostOrigin}`);
console.log(`test:e2e: mails go to Mailpit: SMTP ${smtpAddr}, inbox and REST API ${mailpitURL}`);
console.log(`test:e2e: server ready at ${baseURL} after ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${logPath})`);

if (serveOnly) {
  console.log("test:e2e: --serve: press Ctrl-C to stop");
  await serverExit;
  await stopMailpitAndWait();
  removeSearchDir();
  process.exit(0);
}

const e2eDir = resolve(pwaDir, "tests/e2e");
const files = only.length
  ? only.map((f) => resolve(process.cwd(), f))
  : readdirSync(e2eDir)
      .filter((f) => f.endsWith(".test.mjs"))
      .sort()
      .map((f) => resolve(e2eDir, f));

const t0 = Date.now();
const runner = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
  cwd: pwaDir,
  env: { ...process.env, SCHALTER_BASE_URL: baseURL, SCHALTER_MAILPIT_URL: mailpitURL, SCHALTER_SMS_OUTBOX: resolve(dataDir, "sms-outbox.jsonl"), SCHALTER_WIDGET_HOST_PORT: String(widgetHostPort), CHROMIUM_PATH: chromium },
  stdio: "inherit",
});
const code = await new Promise((res) => runner.on("exit", (c, s) => res(c ?? (s ? 1 : 0))));
console.log(`test:e2e: browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
await stopServer();
if (code !== 0) console.error(`test:e2e: failed. Server log: ${logPath}`);
process.exit(code);
