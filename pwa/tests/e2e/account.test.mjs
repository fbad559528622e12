// Mein Konto in the browser, against the real server and real mail
// (Mailpit, started by run-e2e.mjs): registration with the verification
// link from the mail, login, sessions and devices, export, the
// authenticator app (codes computed here with RFC 6238) and recovery codes,
// step-up from a service that needs two factors and back, password reset by
// mail, deleting the account, the offline behaviour, and axe-core on every
// account page (German; login and overview also at 320 px and in French).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  assertAccessible,
  assertNoHorizontalScroll,
  Authenticator,
  BASE_URL,
  cachedPaths,
  goto,
  h1,
  json,
  launch,
  linkIn,
  openPage,
  uniqueEmail,
  waitForMail,
} from "./helpers.mjs";
import {
  EXPECTED,
  focused,
  form,
  headingFocused,
  input,
  login,
  newAccount,
  PASSWORD,
  screenshots,
  screenshotWithExampleData,
  submitLogin,
  summaryFocused,
  waitForFocus,
} from "./account-helpers.mjs";

const SERVICE = "aufenthaltsbewilligung-verlaengern"; // needs two factors
let browser;
before(async () => {
  browser = await launch();
  mkdirSync(screenshots, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** Sets up the authenticator app on the page /account/authenticator, returns the recovery codes. */
async function setUpApp(page, acc) {
  await page.locator("main h1", { hasText: "Authenticator-App einrichten" }).waitFor();
  await page.getByRole("button", { name: "Einrichtung beginnen" }).click();
  await page.locator("main h2", { hasText: "Schritt 2 von 3" }).waitFor();
  await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the step's heading");
  const qr = page.getByRole("img", { name: "QR-Code für die Authenticator-App" });
  assert.match(await qr.getAttribute("src"), /^data:image\/png;base64,iVBOR/, "the QR code is a PNG");
  const secret = (await page.locator(".secret").innerText()).replace(/\s+/g, "");
  assert.match(secret, /^[A-Z2-7]{16,}$/, "the key to type, in base32");
  acc.app = new Authenticator(secret);
  return secret;
}

async function confirmApp(page, acc) {
  await page.getByLabel("Code aus der Authenticator-App").fill(await acc.app.code());
  await form(page).getByRole("button", { name: "App bestätigen" }).click();
  await page.locator("main h2", { hasText: "Schritt 3 von 3" }).waitFor();
  acc.recovery = (await page.locator(".recovery-codes li").allInnerTexts()).map((s) => s.trim());
  assert.equal(acc.recovery.length, 10, "ten recovery codes");
  for (const c of acc.recovery) assert.match(c, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{2,}$/, `recovery code ${c}`);
}

describe("Mein Konto", () => {
  const anna = { email: uniqueEmail("anna"), password: PASSWORD, app: null, recovery: [] };
  let annaCtx;
  after(async () => {
    await annaCtx?.context.close();
  });

  test("register (password rules up front, errors at the field), verify with the link from the mail, log in", async () => {
    annaCtx = await openPage(browser, { deviceScaleFactor: 2 });
    const { page } = annaCtx;
    await goto(page, "/account/register");
    assert.equal(await h1(page), "Konto eröffnen");
    // The rules are there before anything is typed, and tied to the field.
    const password = page.getByLabel("Neues Passwort");
    assert.match(await page.locator("#acc-password-hint").innerText(), /mindestens 12 Zeichen/);
    assert.match(await password.getAttribute("aria-describedby"), /acc-password-hint/);
    assert.equal(await password.getAttribute("autocomplete"), "new-password");
    await assertAccessible(page, "register");

    // Nothing filled in: the summary gets the focus, its links lead to the fields.
    await form(page).getByRole("button", { name: "Konto eröffnen" }).click();
    await summaryFocused(page);
    const summary = page.locator(".error-summary");
    assert.match(await summary.innerText(), /Geben Sie Ihre E-Mail-Adresse ein/);
    assert.match(await summary.innerText(), /Geben Sie Ihr Passwort ein/);
    await assertAccessible(page, "register with errors");
    await summary.getByRole("link", { name: /Passwort/ }).click();
    assert.equal((await focused(page)).id, "acc-password", "the summary's link moves the focus to the field");
    assert.equal(new URL(page.url()).hash, "", "without changing the address");

    // A common password: the server's 422 is shown at the field, in German.
    await page.getByLabel("E-Mail-Adresse").fill(anna.email);
    await password.fill("Dezember2025!!");
    await form(page).getByRole("button", { name: "Konto eröffnen" }).click();
    await page.locator("#acc-password-error", { hasText: "zu häufig" }).waitFor();
    assert.equal(await password.getAttribute("aria-invalid"), "true");
    assert.match(await password.getAttribute("aria-describedby"), /acc-password-error/);
    await summaryFocused(page);

    await password.fill(anna.password);
    await page.getByLabel("Passwort anzeigen").check();
    assert.equal(await password.getAttribute("type"), "text", "the password can be shown");
    await form(page).getByRole("button", { name: "Konto eröffnen" }).click();
    await page.locator("main h1", { hasText: "Prüfen Sie Ihr Postfach" }).waitFor();
    assert.match(await page.locator("main").innerText(), new RegExp(anna.email.replace(/[.]/g, "\\.")));
    await headingFocused(page);
    await assertAccessible(page, "check inbox");

    // The mail, through Mailpit's REST API; its link is the PWA's verify page.
    const mail = await waitForMail(anna.email, /bestätigen/);
    const link = linkIn(mail.text);
    assert.ok(link.startsWith(`${BASE_URL}/account/verify#`), `the verification link ${link}`);
    await goto(page, link);
    assert.equal(await h1(page), "E-Mail-Adresse bestätigt");
    assert.equal(new URL(page.url()).hash, "", "the token leaves the address bar");
    await assertAccessible(page, "verify");
    // The same link a second time (as from the mail: a new page load).
    await goto(page, "/");
    await goto(page, link);
    assert.equal(await h1(page), "Dieser Link ist nicht mehr gültig");

    await page.locator("main").getByRole("link", { name: "Anmelden" }).click();
    await page.locator("main h1", { hasText: "Anmelden" }).waitFor();
    await assertAccessible(page, "login");
    await submitLogin(page, anna, "falsches Passwort 123");
    await summaryFocused(page);
    assert.match(await page.locator("#acc-password-error").innerText(), /E-Mail-Adresse oder das Passwort stimmt nicht/);
    await submitLogin(page, anna);
    await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/account");
    const main = await page.locator("main").innerText();
    assert.ok(main.includes(anna.email), "who is logged in");
    assert.match(main, /Sicherheitsstufe\s+Benutzerkonto \(ein Faktor\)/);
    assert.match(main, /Angemeldet mit\s+Passwort/);
    assert.match(main, /Einwohnerin oder Einwohner/, "the role of a resident");
    const nav = page.getByRole("navigation", { name: "Hauptnavigation" });
    await nav.getByRole("link", { name: "Mein Konto" }).waitFor();
    await nav.getByRole("button", { name: "Abmelden" }).waitFor();
    await assertAccessible(page, "overview");
    await screenshotWithExampleData(page, anna.email, "account.png");
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("sessions and devices: a second login is listed and can be ended; the data export downloads", async () => {
    const { page } = annaCtx;
    await goto(page, "/account/sessions");
    await page.locator("#sessions-count", { hasText: "1 aktive Sitzung" }).waitFor();
    assert.match(await page.locator(".device").innerText(), /Chrome auf Linux[\s\S]*Dieses Gerät/);
    await assertAccessible(page, "devices");

    const other = await openPage(browser);
    try {
      await login(other.page, anna);
      await page.reload();
      await page.locator("#sessions-count", { hasText: "2 aktive Sitzungen" }).waitFor();
      const foreign = page.locator(".device", { hasNotText: "Dieses Gerät" });
      await foreign.getByRole("button", { name: "Sitzung beenden" }).click();
      await page.locator("#sessions-count", { hasText: "1 aktive Sitzung" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.id === "sessions-count", "the count of sessions");
      const status = await other.page.evaluate(async () => (await fetch("/api/v1/me")).status);
      assert.equal(status, 401, "the ended session is logged out");
    } finally {
      await other.context.close();
    }

    await goto(page, "/account");
    let [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Meine Daten herunterladen" }).click()]);
    assert.equal(download.suggestedFilename(), "schalter-meine-daten.json");
    const data = JSON.parse(readFileSync(await download.path(), "utf8"));
    assert.equal(data.account.email, anna.email);
    assert.equal(data.login.password, true);
    await page.locator(".form-status", { hasText: "Heruntergeladen: schalter-meine-daten.json" }).waitFor();
    [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Als lesbares Dokument herunterladen" }).click()]);
    assert.equal(download.suggestedFilename(), "schalter-meine-daten.html");
    const doc = readFileSync(await download.path(), "utf8");
    assert.match(doc, /^<!doctype html>/i);
    assert.ok(doc.includes(anna.email), "the readable document names the account");
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("authenticator app: set up with a QR code and a first code, ten recovery codes; log in with a code, and with a recovery code once", async () => {
    const { page } = annaCtx;
    await goto(page, "/account");
    await page.locator("main").getByRole("link", { name: "Authenticator-App einrichten" }).click();
    await page.locator("main h1", { hasText: "Authenticator-App einrichten" }).waitFor();
    await assertAccessible(page, "authenticator, step 1");
    await setUpApp(page, anna);
    await assertAccessible(page, "authenticator, step 2 (QR code)");
    // A wrong code (a step far in the future is never accepted).
    await page.getByLabel("Code aus der Authenticator-App").fill("123");
    await form(page).getByRole("button", { name: "App bestätigen" }).click();
    await summaryFocused(page);
    assert.match(await page.locator("#acc-code-error").innerText(), /6 Ziffern/);
    await confirmApp(page, anna);
    await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the recovery codes' heading");
    await assertAccessible(page, "authenticator, step 3 (recovery codes)");
    await page.getByRole("link", { name: "Ich habe die Codes gespeichert" }).click();
    await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
    let main = await page.locator("main").innerText();
    assert.match(main, /Authenticator-App\s+eingerichtet/);
    assert.match(main, /Sicherheitsstufe\s+Zwei Faktoren/, "confirming the app raised this session");

    // Log out from the header; log in again with password and code.
    await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("button", { name: "Abmelden" }).click();
    await page.locator(".success-note", { hasText: "Sie sind abgemeldet." }).waitFor();
    await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Anmelden" }).waitFor();
    await submitLogin(page, anna);
    await page.locator("main h1", { hasText: "Code eingeben" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/account/login/code");
    await headingFocused(page);
    await assertAccessible(page, "login, second factor");
    assert.equal(await page.getByLabel("Code aus der Authenticator-App").getAttribute("autocomplete"), "one-time-code");
    await page.getByLabel("Code aus der Authenticator-App").fill(await anna.app.code());
    await form(page).getByRole("button", { name: "Anmelden" }).click();
    await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
    main = await page.locator("main").innerText();
    assert.match(main, /Sicherheitsstufe\s+Zwei Faktoren/);
    assert.match(main, /Angemeldet mit\s+Passwort, Authenticator-App/);

    // Phone lost: a recovery code works once.
    const other = await openPage(browser);
    try {
      for (const attempt of ["first", "replayed"]) {
        await goto(other.page, "/account/login");
        await submitLogin(other.page, anna);
        await other.page.locator("main h1", { hasText: "Code eingeben" }).waitFor();
        await other.page.getByRole("button", { name: /Wiederherstellungscode verwenden/ }).click();
        const field = other.page.getByLabel("Wiederherstellungscode");
        await waitForFocus(other.page, () => document.activeElement?.id === "acc-code", "the code field");
        await field.fill(anna.recovery[0]);
        await form(other.page).getByRole("button", { name: "Anmelden" }).click();
        if (attempt === "first") {
          await other.page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
          const left = await other.page.evaluate(async () => (await (await fetch("/api/v1/me/export")).json()).login.recovery_codes_left);
          assert.equal(left, 9, "the recovery code is used up");
          await other.page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("button", { name: "Abmelden" }).click();
          await other.page.locator(".success-note").waitFor();
        } else {
          await other.page.locator("#acc-code-error", { hasText: "schon verwendet" }).waitFor();
        }
      }
      other.assertNoProblems(EXPECTED);
    } finally {
      await other.context.close();
    }
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("change the e-mail address: the link goes to the new address, the old one is told", async () => {
    const { page } = annaCtx;
    await goto(page, "/account");
    await page.locator("main").getByRole("link", { name: "E-Mail-Adresse ändern" }).click();
    await page.locator("main h1", { hasText: "E-Mail-Adresse ändern" }).waitFor();
    await assertAccessible(page, "change e-mail address");
    const field = page.getByLabel("Neue E-Mail-Adresse");
    await field.fill(anna.email);
    await form(page).getByRole("button", { name: "Bestätigungslink schicken" }).click();
    await page.locator("#acc-email-error", { hasText: "bereits Ihre E-Mail-Adresse" }).waitFor();
    const old = anna.email;
    const fresh = uniqueEmail("anna.neu");
    await field.fill(fresh);
    await form(page).getByRole("button", { name: "Bestätigungslink schicken" }).click();
    await page.locator("main h2", { hasText: "Prüfen Sie das Postfach der neuen Adresse" }).waitFor();
    await waitForMail(old, /Sicherheitshinweis/, { text: /neue E-Mail-Adresse angegeben/ });

    const link = linkIn((await waitForMail(fresh, /neue E-Mail-Adresse/)).text);
    assert.ok(link.startsWith(`${BASE_URL}/account/email#`), `the confirmation link ${link}`);
    await goto(page, link);
    assert.equal(await h1(page), "Neue E-Mail-Adresse bestätigt");
    assert.equal(new URL(page.url()).hash, "");
    await assertAccessible(page, "new e-mail address confirmed");
    await page.locator("main").getByRole("link", { name: "Mein Konto" }).click();
    await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
    assert.ok((await page.locator("main").innerText()).includes(fresh), "the overview shows the new address");
    anna.email = fresh;
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("new recovery codes replace the old ones", async () => {
    const { page } = annaCtx;
    await goto(page, "/account");
    await page.locator("main").getByRole("link", { name: "Neue Codes erstellen" }).click();
    await page.locator("main h1", { hasText: "Wiederherstellungscodes" }).waitFor();
    await assertAccessible(page, "recovery codes");
    await page.getByRole("button", { name: "Neue Codes erstellen" }).click();
    await page.locator("main h2", { hasText: "Ihre neuen Wiederherstellungscodes" }).waitFor();
    await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the new codes' heading");
    const fresh = (await page.locator(".recovery-codes li").allInnerTexts()).map((c) => c.trim());
    assert.equal(fresh.length, 10);
    assert.ok(!fresh.some((c) => anna.recovery.includes(c)), "ten new codes");
    const old = anna.recovery[1];
    anna.recovery = fresh;
    // An old code no longer completes a login.
    const other = await openPage(browser);
    try {
      await goto(other.page, "/account/login");
      await submitLogin(other.page, anna);
      await other.page.getByRole("button", { name: /Wiederherstellungscode verwenden/ }).click();
      await other.page.getByLabel("Wiederherstellungscode").fill(old);
      await form(other.page).getByRole("button", { name: "Anmelden" }).click();
      await other.page.locator("#acc-code-error", { hasText: "stimmt nicht" }).waitFor();
      other.assertNoProblems(EXPECTED);
    } finally {
      await other.context.close();
    }
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("a service that needs two factors: log in, step up (authenticator app set up on the way, or a code), back at the service", async () => {
    const service = await json(`/api/v1/services/${SERVICE}?lang=de`);
    assert.equal(service.assurance, "two_factor", "test data: the service needs two factors");
    const ben = await newAccount("ben");
    // Anonymous, on the service page: "Online starten" leads to the login and back.
    const phone = await openPage(browser, { deviceScaleFactor: 2 });
    const desk = await openPage(browser);
    try {
      const page = phone.page;
      await goto(page, `/services/${SERVICE}`);
      await page.getByRole("button", { name: "Online starten" }).click();
      await page.locator("main h1", { hasText: "Anmelden" }).waitFor();
      const loginURL = new URL(page.url());
      assert.equal(loginURL.searchParams.get("next"), `/services/${SERVICE}?start=1`);
      assert.match(await page.locator("main").innerText(), /danach geht es dort weiter, wo Sie waren/);
      await submitLogin(page, ben);
      // One factor is not enough: the service's answer leads to the step-up page.
      await page.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      const stepUp = new URL(page.url());
      assert.equal(stepUp.pathname, "/account/step-up");
      assert.equal(stepUp.searchParams.get("level"), "two_factor");
      assert.equal(stepUp.searchParams.get("next"), `/services/${SERVICE}?start=1`);
      let text = await page.locator("main").innerText();
      assert.match(text, /Sicherheitsstufe «Zwei Faktoren»/);
      assert.match(text, /zurzeit die Stufe «Benutzerkonto \(ein Faktor\)»/);
      // Ben has no second factor and no passkey: the state eID, or setting up
      // the app or SMS codes on the way (a passkey he does not have is not offered).
      assert.deepEqual(await page.locator("main section h2").allInnerTexts(), ["E-ID", "Zweiten Faktor einrichten"]);
      assert.doesNotMatch(text, /Passkey/);
      await page.locator("main").getByRole("link", { name: "Authenticator-App einrichten" }).waitFor();
      await page.locator("main").getByRole("link", { name: "SMS-Codes einrichten" }).waitFor();
      await assertAccessible(page, "step-up (no authenticator app yet)");

      // On another device, Ben sets the app up from the step-up page and comes back.
      await login(desk.page, ben);
      await goto(desk.page, `/services/${SERVICE}`);
      await desk.page.getByRole("button", { name: "Online starten" }).click();
      await desk.page.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      await desk.page.locator("main").getByRole("link", { name: "Authenticator-App einrichten" }).click();
      await setUpApp(desk.page, ben);
      await confirmApp(desk.page, ben);
      await desk.page.getByRole("link", { name: "Ich habe die Codes gespeichert" }).click();
      await desk.page.locator(".access-box h2", { hasText: "Sie können diese Dienstleistung online starten" }).waitFor();
      assert.equal(new URL(desk.page.url()).pathname, `/services/${SERVICE}`);
      text = await desk.page.locator(".access-box").innerText();
      assert.match(text, /Verlangt ist die Stufe «Zwei Faktoren»; Ihre Anmeldung hat «Zwei Faktoren»/);
      assert.equal(await desk.page.locator(".access-box").getByRole("link", { name: "Zum Online-Formular" }).getAttribute("href"), service.online_start_url);

      // Back on the phone (still one factor): the same page now asks for a code.
      await page.reload();
      await page.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      const code = page.getByLabel("Code aus der Authenticator-App");
      await code.waitFor();
      await assertAccessible(page, "step-up (code)");
      await page.evaluate(() => document.fonts?.ready);
      await page.screenshot({ path: resolve(screenshots, "step-up.png"), animations: "disabled", caret: "hide" });
      await code.fill("000000");
      await form(page).getByRole("button", { name: "Bestätigen" }).click();
      await page.locator("#acc-code-error", { hasText: "stimmt nicht" }).waitFor();
      await summaryFocused(page);
      await code.fill(await ben.app.code());
      await form(page).getByRole("button", { name: "Bestätigen" }).click();
      await page.locator(".access-box h2", { hasText: "Sie können diese Dienstleistung online starten" }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/services/${SERVICE}`);
      await headingFocused(page);
      await assertAccessible(page, "service with access confirmed");
      await page.screenshot({ path: resolve(screenshots, "service-access.png"), animations: "disabled", caret: "hide" });
      // Back leads to the service as it was, not to the forms already done.
      await page.goBack();
      await page.locator("main h1", { hasText: service.title }).waitFor();
      assert.equal(new URL(page.url()).search, "");
      phone.assertNoProblems(EXPECTED);
      desk.assertNoProblems(EXPECTED);
    } finally {
      await phone.context.close();
      await desk.context.close();
    }
  });

  test("forgot password: the reset link from the mail sets a new password", async () => {
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await goto(page, "/account/login");
      await page.locator("main").getByRole("link", { name: "Passwort vergessen?" }).click();
      await page.locator("main h1", { hasText: "Passwort vergessen" }).waitFor();
      await assertAccessible(page, "forgot password");
      await page.getByLabel("E-Mail-Adresse").fill(anna.email);
      await form(page).getByRole("button", { name: "Link schicken" }).click();
      await page.locator("main h2", { hasText: "Prüfen Sie Ihr Postfach" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the confirmation's heading");

      const link = linkIn((await waitForMail(anna.email, /Neues Passwort/)).text);
      assert.ok(link.startsWith(`${BASE_URL}/account/reset#`), `the reset link ${link}`);
      await goto(page, link);
      assert.equal(await h1(page), "Neues Passwort festlegen");
      await assertAccessible(page, "reset password");
      const field = page.getByLabel("Neues Passwort");
      await field.fill("zu kurz");
      await form(page).getByRole("button", { name: "Passwort speichern" }).click();
      await page.locator("#acc-password-error", { hasText: "mindestens 12 Zeichen" }).waitFor();
      // Not with the city's name in it.
      await field.fill("Der Zug nach Uster fährt um sieben");
      await form(page).getByRole("button", { name: "Passwort speichern" }).click();
      await page.locator("#acc-password-error", { hasText: "Namen der Stadt" }).waitFor();
      anna.password = "Der Zug nach Zürich fährt um sieben";
      await field.fill(anna.password);
      await form(page).getByRole("button", { name: "Passwort speichern" }).click();
      await page.locator("main h1", { hasText: "Neues Passwort gespeichert" }).waitFor();
      await headingFocused(page);
      assert.equal(new URL(page.url()).hash, "", "the used token leaves the address bar");
      // The new password works (the code step follows: Anna has the app).
      await page.locator("main").getByRole("link", { name: "Anmelden" }).click();
      await submitLogin(page, anna);
      await page.locator("main h1", { hasText: "Code eingeben" }).waitFor();
      assertNoProblems(EXPECTED);
    } finally {
      await context.close();
    }
  });

  test("320 px and 200 % zoom: login and overview without sideways scrolling and without axe violations; French", async () => {
    const cleo = await newAccount("cleo");
    for (const viewport of [
      { width: 320, height: 640 },
      { width: 640, height: 400 },
    ]) {
      const { page, context, assertNoProblems } = await openPage(browser, { viewport });
      try {
        await goto(page, "/account/login");
        await assertNoHorizontalScroll(page, `login at ${viewport.width} px`);
        await assertAccessible(page, `login at ${viewport.width} px`);
        await goto(page, "/account/register");
        await assertNoHorizontalScroll(page, `register at ${viewport.width} px`);
        await login(page, cleo);
        await assertNoHorizontalScroll(page, `overview at ${viewport.width} px`);
        await assertAccessible(page, `overview at ${viewport.width} px`);
        await goto(page, `/account/step-up?level=two_factor&methods=otp,sms,passkey&next=%2Fservices%2F${SERVICE}%3Fstart%3D1`);
        await assertNoHorizontalScroll(page, `step-up at ${viewport.width} px`);
        if (viewport.width === 320) {
          await page.getByLabel("Sprache").selectOption("fr");
          await goto(page, "/account");
          await page.locator("main h1", { hasText: "Mon compte" }).waitFor();
          assert.equal(await page.getAttribute("html", "lang"), "fr-CH");
          await assertAccessible(page, "overview (fr)");
          await page.getByLabel("Langue").selectOption("de");
        }
        assertNoProblems(EXPECTED);
      } finally {
        await context.close();
      }
    }
  });

  test("deleting the account: the dialog, confirming it is the person (step-up), the deletion, the mail", async () => {
    const { page } = annaCtx;
    await goto(page, "/account");
    const open = page.getByRole("button", { name: "Konto löschen …" });
    await open.click();
    const dialog = page.getByRole("dialog", { name: "Konto löschen" });
    await dialog.waitFor();
    assert.equal((await focused(page)).text, "Abbrechen", "the safe choice has the focus");
    await assertAccessible(page, "delete dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal((await focused(page)).text, "Konto löschen …", "the focus returns to the button");

    // Deleting needs a login in the last 15 minutes; the server then answers
    // with a step-up problem (403, max_age 900). A test cannot wait that
    // long: it opens the step-up page the app builds from that problem.
    const next = encodeURIComponent("/account?delete=1");
    await goto(page, `/account/step-up?level=account&methods=pwd,passkey&max_age=900&next=${next}`);
    assert.equal(await h1(page), "Bestätigen Sie, dass Sie es sind");
    assert.match(await page.locator("main").innerText(), /in den letzten 15 Minuten/);
    await assertAccessible(page, "step-up (recent login)");
    await input(page, "Passwort").fill(anna.password);
    await form(page).getByRole("button", { name: "Bestätigen" }).click();
    // Anna has the app: the login's code step follows on the same page.
    await page.locator("main h2", { hasText: "Code eingeben" }).waitFor();
    await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the code step's heading");
    await page.getByLabel("Code aus der Authenticator-App").fill(await anna.app.code());
    await form(page).getByRole("button", { name: "Bestätigen" }).click();
    await dialog.waitFor();
    assert.equal(new URL(page.url()).pathname, "/account");
    assert.match(await dialog.innerText(), /Sie haben bestätigt, dass Sie es sind/);
    await dialog.getByRole("button", { name: "Konto endgültig löschen" }).click();
    await page.locator("main h1", { hasText: "Ihr Konto ist gelöscht" }).waitFor();
    await headingFocused(page);
    await assertAccessible(page, "account deleted");
    await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Anmelden" }).waitFor();
    assert.equal(await page.evaluate(async () => (await fetch("/api/v1/me")).status), 401);
    await waitForMail(anna.email, /Sicherheitshinweis/, { text: /Ihr Konto wurde soeben gelöscht/ });
    // The account is gone: its password no longer logs in.
    await goto(page, "/account/login");
    await submitLogin(page, anna);
    await page.locator("#acc-password-error", { hasText: "stimmt nicht" }).waitFor();
    annaCtx.assertNoProblems(EXPECTED);
  });

  test("offline: account pages say they need the network, the catalogue stays; the service worker never stores /api/v1/me", async () => {
    const dora = await newAccount("dora");
    const { page, context, assertNoProblems } = await openPage(browser, { serviceWorkers: "allow" });
    try {
      await goto(page, "/");
      await page.evaluate(async () => navigator.serviceWorker.ready);
      await page.reload();
      await page.locator("main h1").waitFor();
      assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), "the service worker controls the page");
      await page.waitForSelector('html[data-offline-ready="de"]', { timeout: 20_000 });
      await login(page, dora);
      await goto(page, "/account/sessions");
      await page.locator("#sessions-count").waitFor();
      await goto(page, `/services/${SERVICE}`);
      const cached = await cachedPaths(page);
      assert.ok(cached.some((u) => u.startsWith(`/api/v1/services/${SERVICE}`)), "catalogue reads are cached (the check below means something)");
      assert.deepEqual(cached.filter((u) => /^\/api\/v1\/(me|session|accounts)(\/|$)/.test(u)), [], "nothing about the account in any cache");

      await context.setOffline(true);
      try {
        // "Online starten" needs the network.
        await page.getByRole("button", { name: "Online starten" }).click();
        await page.locator(".cta-check .form-status", { hasText: "Sie sind offline" }).waitFor();
        // The account pages say so instead of failing…
        await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Mein Konto" }).click();
        await page.locator("main h1", { hasText: "Keine Internetverbindung" }).waitFor();
        assert.match(await page.locator("main").innerText(), /auch offline ansehen/);
        await assertAccessible(page, "account page offline");
        // …while the catalogue still works.
        await page.getByRole("navigation", { name: "Hauptnavigation" }).getByRole("link", { name: "Themen" }).click();
        await page.locator(".tiles .tile").first().waitFor().catch(async (e) => {
          await page.screenshot({ path: "test-results/offline-themen.png" });
          throw e;
        });
        await page.goBack();
        await page.locator("main h1", { hasText: "Keine Internetverbindung" }).waitFor();
      } finally {
        await context.setOffline(false);
      }
      // Back online, the page loads by itself.
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      assertNoProblems([...EXPECTED, /Failed to load resource: net::ERR_(FAILED|INTERNET_DISCONNECTED)/]);
    } finally {
      await context.close();
    }
  });
});
