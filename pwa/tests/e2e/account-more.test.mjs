// More of Mein Konto in the browser, against the real server: codes by SMS
// (read from the server's dev sink), passkeys (Chromium's virtual
// authenticator through CDP; the server runs on http://localhost, a secure
// context and a host name as relying party), the state eID (the development
// identity provider under /dev-idp), the profile, consents and the
// Datencockpit, with axe-core on every page.
//
// The server sends an account at most one SMS a minute. The SMS set-up
// comes first and the logins that need a second SMS come last, so the other
// tests run in that minute instead of a wait.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { assertAccessible, assertNoHorizontalScroll, BASE_URL, goto, h1, json, launch, linkIn, openPage, uniqueEmail, waitForMail } from "./helpers.mjs";
import {
  apiLogin,
  EXPECTED,
  form,
  login,
  newAccount,
  screenshotWithExampleData,
  smsAllowedAgain,
  submitLogin,
  summaryFocused,
  uniqueMobile,
  useSession,
  virtualAuthenticator,
  waitForFocus,
  waitForSMS,
} from "./account-helpers.mjs";

/** Also refused on purpose here: an SMS asked for too soon (429). */
const REFUSED = [...EXPECTED, /Failed to load resource: the server responded with a status of 429/];
/** The development identity provider's page has no icon: the browser asks for /favicon.ico. */
const WITH_IDP = [...EXPECTED, /Failed to load resource: the server responded with a status of 404/];
const NARROW = { width: 320, height: 640 };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const overviewText = (page) => page.locator("main").innerText();
const nav = (page) => page.getByRole("navigation", { name: "Hauptnavigation" });

async function logout(page) {
  await nav(page).getByRole("button", { name: "Abmelden" }).click();
  await page.locator(".success-note", { hasText: "Sie sind abgemeldet." }).waitFor();
}

describe("Mein Konto: SMS codes, passkeys, the state eID, profile, consents, Datencockpit", () => {
  // Set up in the first test, logged in again in the last one.
  const sina = { phone: uniqueMobile(), lastSMS: 0 };
  const simon = { phone: uniqueMobile(), lastSMS: 0, cookie: "" };

  test("SMS codes: a mobile number, the code from the SMS, then new recovery codes", async () => {
    Object.assign(sina, await newAccount("sina"));
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await login(page, sina);
      await page.locator("main").getByRole("link", { name: "SMS-Codes einrichten" }).click();
      await page.locator("main h1", { hasText: "Codes per SMS" }).waitFor();
      await page.locator("main h2", { hasText: "Schritt 1 von 3" }).waitFor();
      await assertAccessible(page, "SMS codes, step 1");
      const phone = page.getByLabel("Handynummer");
      assert.equal(await phone.getAttribute("type"), "tel");
      assert.equal(await phone.getAttribute("autocomplete"), "tel");
      // A landline gets no SMS: said at the field.
      await phone.fill("044 944 71 11");
      await form(page).getByRole("button", { name: "Code senden" }).click();
      await page.locator("#acc-phone-error", { hasText: "keine Handynummer" }).waitFor();
      await summaryFocused(page);
      const t0 = Date.now();
      await phone.fill(sina.phone.typed);
      await form(page).getByRole("button", { name: "Code senden" }).click();
      await page.locator("main h2", { hasText: "Schritt 2 von 3" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.tagName === "H2", "the step's heading");
      const masked = `+41 79 *** ** ${sina.phone.e164.slice(-2)}`;
      assert.match(await page.locator(".sms-sent").innerText(), new RegExp(`an \\+41 79 \\*\\*\\* \\*\\* ${sina.phone.e164.slice(-2)} geschickt\\. Er gilt bis \\d{2}:\\d{2} Uhr`));
      const sms = await waitForSMS(sina.phone.e164, t0);
      sina.lastSMS = sms.sentAt;
      assert.match(sms.text, /Ihr Code für Schalter/);
      await assertAccessible(page, "SMS codes, step 2");
      // A second SMS at once: the server says when, the page says it in words.
      await page.getByRole("button", { name: "Neuen Code senden" }).click();
      await summaryFocused(page);
      assert.match(await page.locator(".error-summary").innerText(), /Einen neuen können wir in \d+ Sekunden senden/);
      // A wrong code, then the right one.
      const code = page.getByLabel("Code aus der SMS");
      await code.fill(sms.code === "000000" ? "111111" : "000000");
      await form(page).getByRole("button", { name: "Nummer bestätigen" }).click();
      await page.locator("#acc-code-error", { hasText: "stimmt nicht" }).waitFor();
      await code.fill(sms.code);
      await form(page).getByRole("button", { name: "Nummer bestätigen" }).click();
      await page.locator("main h2", { hasText: "Schritt 3 von 3" }).waitFor();
      assert.match(await page.locator("main").innerText(), /zählt jetzt als zwei Faktoren/);
      await assertAccessible(page, "SMS codes, step 3");
      await page.getByRole("button", { name: "Neue Codes erstellen" }).click();
      await page.locator("main h2", { hasText: "Ihre neuen Wiederherstellungscodes" }).waitFor();
      assert.equal(await page.locator(".recovery-codes li").count(), 10);
      await page.getByRole("link", { name: "Ich habe die Codes gespeichert" }).click();
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      const main = await overviewText(page);
      assert.ok(main.includes(`an ${masked}`), `the overview shows the number, masked:\n${main}`);
      assert.match(main, /Sicherheitsstufe\s+Zwei Faktoren/);
      assert.match(main, /Angemeldet mit\s+Passwort, SMS-Code/);
      await waitForMail(sina.email, /Sicherheitshinweis/, { text: /Codes per SMS als zweiter Faktor eingerichtet/ });
      assertNoProblems(REFUSED);
    } finally {
      await context.close();
    }

    // Simon sets up SMS codes through the API (his step-up comes in the last test).
    Object.assign(simon, await newAccount("simon"));
    const api = await apiLogin(simon);
    const t1 = Date.now();
    assert.equal((await api.call("POST", "/api/v1/me/sms", { phone: simon.phone.typed })).status, 202);
    const first = await waitForSMS(simon.phone.e164, t1);
    simon.lastSMS = first.sentAt;
    assert.equal((await api.call("POST", "/api/v1/me/sms/confirm", { code: first.code })).status, 200);
    simon.cookie = api.cookie();
  });

  test("passkeys: add one (named), rename it, log out, log in with it; confirm with it; remove it", async () => {
    const paula = await newAccount("paula");
    const { page, context, assertNoProblems } = await openPage(browser, { deviceScaleFactor: 2 });
    try {
      const authenticator = await virtualAuthenticator(page);
      await login(page, paula);
      await page.locator("main").getByRole("link", { name: "Passkeys verwalten" }).click();
      await page.locator("main h1", { hasText: "Passkeys" }).waitFor();
      await page.locator("#passkeys-count", { hasText: "0 Passkeys" }).waitFor();
      assert.equal(await page.getByLabel("Name des Passkeys").inputValue(), "Chrome auf Linux", "a name that says which device");
      await assertAccessible(page, "passkeys (none yet)");

      await page.getByLabel("Name des Passkeys").fill("Laptop Test");
      await page.getByRole("button", { name: "Passkey hinzufügen" }).click();
      await page.locator("#passkeys-count", { hasText: "1 Passkey" }).waitFor();
      const item = page.locator(".device", { hasText: "Laptop Test" });
      await waitForFocus(page, () => document.activeElement?.tagName === "H3", "the new passkey's heading");
      assert.match(await item.innerText(), /Zuletzt verwendet\s+noch nie/);
      assert.equal((await authenticator.credentials()).length, 1, "the authenticator holds the passkey");
      assert.equal((await authenticator.credentials())[0].isResidentCredential, true, "a discoverable credential");
      await assertAccessible(page, "passkeys (one)");
      await waitForMail(paula.email, /Sicherheitshinweis/, { text: /neuer Passkey registriert/ });

      // The same device again: the browser refuses (the server excluded its passkey).
      await page.getByRole("button", { name: "Passkey hinzufügen" }).click();
      await summaryFocused(page);
      assert.match(await page.locator(".error-summary").innerText(), /hat schon einen Passkey/);

      // Renaming: a form in place, the focus back on the heading.
      await item.getByRole("button", { name: "Umbenennen" }).click();
      const name = page.getByLabel("Neuer Name");
      await name.fill("Arbeitslaptop");
      await page.getByRole("button", { name: "Name speichern" }).click();
      await page.locator(".device h3", { hasText: "Arbeitslaptop" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.textContent?.includes("Arbeitslaptop"), "the renamed passkey's heading");

      // 320 px: no sideways scrolling, no axe violations.
      await page.setViewportSize(NARROW);
      await assertNoHorizontalScroll(page, "passkeys at 320 px");
      await assertAccessible(page, "passkeys at 320 px");
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => document.fonts?.ready);
      await screenshotWithExampleData(page, paula.email, "passkeys.png");

      // Log out; log in with the passkey alone: two factors.
      await logout(page);
      await page.getByRole("button", { name: "Mit Passkey anmelden" }).click();
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      let main = await overviewText(page);
      assert.equal(await page.locator("[data-level]").getAttribute("data-level"), "two_factor");
      assert.match(main, /Sicherheitsstufe\s+Zwei Faktoren/);
      assert.match(main, /Angemeldet mit\s+Passkey\n/);
      assert.ok(main.includes(paula.email), "logged into Paula's account without typing the address");

      // Adding a passkey needs a login in the last 15 minutes; the step-up
      // page offers the passkey and comes back to add one.
      await goto(page, `/account/step-up?level=account&methods=pwd,passkey&max_age=900&next=${encodeURIComponent("/account/passkeys?add=1")}`);
      assert.deepEqual(await page.locator("main section h2").allInnerTexts(), ["Passwort", "Passkey"]);
      await assertAccessible(page, "step-up with a passkey");
      await page.getByRole("button", { name: "Mit Passkey bestätigen" }).click();
      await page.locator("main h1", { hasText: "Passkeys" }).waitFor();
      assert.match(await page.locator("main").innerText(), /Sie haben bestätigt, dass Sie es sind/);
      await waitForFocus(page, () => document.activeElement?.id === "add-passkey", "the add button");

      // Removing: a dialog, then the passkey is gone and logs in no more.
      await page.locator(".device", { hasText: "Arbeitslaptop" }).getByRole("button", { name: "Entfernen …" }).click();
      const dialog = page.getByRole("dialog", { name: "Passkey entfernen" });
      await dialog.waitFor();
      await assertAccessible(page, "remove passkey dialog");
      await dialog.getByRole("button", { name: "Passkey entfernen" }).click();
      await page.locator("#passkeys-count", { hasText: "0 Passkeys" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.id === "passkeys-count", "the count");
      await logout(page);
      await page.getByRole("button", { name: "Mit Passkey anmelden" }).click();
      await summaryFocused(page);
      assert.match(await page.locator(".error-summary").innerText(), /Mit diesem Passkey ging es nicht/);
      assertNoProblems(EXPECTED);
    } finally {
      await context.close();
    }
  });

  test("passkey instead of a password: open an account with an e-mail address and a passkey, confirm it, log in", async () => {
    const email = uniqueEmail("petra");
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      const authenticator = await virtualAuthenticator(page);
      await goto(page, "/account/register");
      await page.getByLabel("E-Mail-Adresse").fill(email);
      await page.getByLabel("Mit einem Passkey, ohne Passwort").check();
      assert.equal(await page.getByLabel("Neues Passwort").count(), 0, "no password asked");
      await assertAccessible(page, "register with a passkey");
      await form(page).getByRole("button", { name: "Konto mit Passkey eröffnen" }).click();
      await page.locator("main h1", { hasText: "Prüfen Sie Ihr Postfach" }).waitFor();
      assert.equal((await authenticator.credentials()).length, 1);
      // Before the address is confirmed, the passkey logs in nowhere.
      await goto(page, "/account/login");
      await page.getByRole("button", { name: "Mit Passkey anmelden" }).click();
      await summaryFocused(page);
      const link = linkIn((await waitForMail(email, /bestätigen/)).text);
      await goto(page, link);
      assert.equal(await h1(page), "E-Mail-Adresse bestätigt");
      await goto(page, "/account/login");
      await page.getByRole("button", { name: "Mit Passkey anmelden" }).click();
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      assert.ok((await overviewText(page)).includes(email));
      assert.equal(await page.locator("[data-level]").getAttribute("data-level"), "two_factor");
      assertNoProblems(EXPECTED);
    } finally {
      await context.close();
    }
  });

  test("state eID: log in as Anna Muster, the linked identity; a cancelled login explained; step-up from a service that needs the eID", async () => {
    assert.equal((await json("/api/v1/config")).eid, true, "the server offers the eID (SCHALTER_EID_DEV)");
    const anon = await openPage(browser);
    try {
      const { page } = anon;
      await goto(page, "/account/login");
      await assertAccessible(page, "login with passkey and eID");
      // Cancelled at the provider: back on the login page, with the reason.
      await page.getByRole("button", { name: "Mit E-ID anmelden" }).click();
      await page.locator("h1", { hasText: "Entwicklungs-Identitätsanbieter" }).waitFor();
      await page.getByRole("button", { name: "Abbrechen" }).click();
      await page.locator("#eid-error").waitFor();
      const url = new URL(page.url());
      assert.equal(url.pathname, "/account/login", "the server's /konto/anmelden is shown under the app's path");
      assert.equal(url.searchParams.get("fehler"), "eid_abgebrochen");
      await waitForFocus(page, () => document.activeElement?.id === "eid-error", "the explanation");
      assert.match(await page.locator("#eid-error").innerText(), /Sie haben die Anmeldung beim E-ID-Anbieter abgebrochen/);
      await assertAccessible(page, "login after a cancelled eID login");

      // Anna Muster: the demo person's account (opened by her first eID login).
      await page.getByRole("button", { name: "Mit E-ID anmelden" }).click();
      await page.getByLabel("Anna Muster (acr 30)").check();
      await page.getByRole("button", { name: "Anmelden", exact: true }).click();
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      assert.equal(new URL(page.url()).pathname, "/account");
      assert.equal(await page.locator("[data-level]").getAttribute("data-level"), "eid");
      const main = await overviewText(page);
      assert.match(main, /Sicherheitsstufe\s+E-ID/);
      assert.match(main, /Angemeldet mit\s+E-ID/);
      assert.ok(main.includes("anna.muster@example.ch"));
      await nav(page).getByRole("link", { name: "Mein Konto" }).waitFor();
      await assertAccessible(page, "overview after an eID login");
      await page.locator("main").getByRole("link", { name: "E-ID verwalten" }).click();
      await page.locator("main h1", { hasText: "E-ID" }).waitFor();
      await page.locator("#eid-count", { hasText: "1 verbundene E-ID" }).waitFor();
      assert.match(await page.locator(".device").innerText(), new RegExp(`${new URL(BASE_URL).host}[\\s\\S]*Sicherheitsstufe\\s+E-ID`));
      await assertAccessible(page, "linked eID identities");
      // Her only way in: it cannot be unlinked.
      await page.getByRole("button", { name: "Verbindung trennen" }).click();
      await summaryFocused(page);
      assert.match(await page.locator(".error-summary").innerText(), /einzige Weg in Ihr Konto/);
      // The identity is the issuer (this server's address, a new port each
      // run) and the subject: the next run's Anna is a new identity, and
      // her address must be free again. She deletes the account.
      await goto(page, "/account");
      await page.getByRole("button", { name: "Konto löschen …" }).click();
      await page.getByRole("dialog", { name: "Konto löschen" }).getByRole("button", { name: "Konto endgültig löschen" }).click();
      await page.locator("main h1", { hasText: "Ihr Konto ist gelöscht" }).waitFor();
      anon.assertNoProblems(WITH_IDP);
    } finally {
      await anon.page.evaluate(() => fetch("/api/v1/me", { method: "DELETE" })).catch(() => undefined);
      await anon.context.close();
    }

    // A service that needs the eID: Pascal logs in with his password, then
    // steps up with an eID (linking it to his account) and comes back.
    const service = await json("/api/v1/services/einbuergerung?lang=de");
    assert.equal(service.assurance, "eid", "test data: the service needs the eID");
    const pascal = await newAccount("pascal");
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await login(page, pascal);
      await goto(page, "/services/einbuergerung");
      await page.getByRole("button", { name: "Online starten" }).click();
      await page.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      assert.match(await page.locator("main").innerText(), /Sicherheitsstufe «E-ID»/);
      assert.deepEqual(await page.locator("main section h2").allInnerTexts(), ["E-ID"]);
      await assertAccessible(page, "step-up to the eID");
      // First with a login too weak for the service (acr 20): explained, and back.
      await page.getByRole("button", { name: "Mit E-ID bestätigen" }).click();
      await page.getByLabel("Beat Beispiel (acr 20)").check();
      await page.getByRole("button", { name: "Anmelden", exact: true }).click();
      await page.locator("#eid-error").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("fehler"), "eid_stufe_zu_tief");
      assert.match(await page.locator("#eid-error").innerText(), /zu tiefe Sicherheitsstufe/);
      await page.locator("#eid-error").getByRole("link", { name: "Zurück, wo Sie waren" }).click();
      await page.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      // Then with Dario Keller (acr 40).
      await page.getByRole("button", { name: "Mit E-ID bestätigen" }).click();
      await page.getByLabel("Dario Keller (acr 40)").check();
      await page.getByRole("button", { name: "Anmelden", exact: true }).click();
      await page.locator(".access-box h2", { hasText: "Sie können diese Dienstleistung online starten" }).waitFor();
      assert.equal(new URL(page.url()).pathname, "/services/einbuergerung");
      assert.match(await page.locator(".access-box").innerText(), /Verlangt ist die Stufe «E-ID»; Ihre Anmeldung hat «E-ID»/);
      await assertAccessible(page, "service after the eID step-up");
      // The identity is now linked to Pascal's account; he unlinks it (he has a password).
      await goto(page, "/account/eid");
      await page.locator("#eid-count", { hasText: "1 verbundene E-ID" }).waitFor();
      await page.getByRole("button", { name: "Verbindung trennen" }).click();
      await page.locator("#eid-count", { hasText: "0 verbundene E-IDs" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.id === "eid-count", "the count");
      assertNoProblems(WITH_IDP);
    } finally {
      await context.close();
    }
  });

  test("profile, consents and the Datencockpit: a prefilled form is listed with its seal; the consent withdrawn", async () => {
    const pia = await newAccount("pia");
    const service = await json("/api/v1/services/adressauskunft?lang=de");
    const { page, context, assertNoProblems } = await openPage(browser, { deviceScaleFactor: 2 });
    try {
      await login(page, pia);
      await page.locator("main").getByRole("link", { name: "Profil" }).click();
      await page.locator("main h1", { hasText: "Profil" }).waitFor();
      await assertAccessible(page, "profile (empty)");
      await page.getByLabel("Vorname").fill("Pia");
      await page.getByLabel("Nachname").fill("Beispiel");
      await page.getByLabel("Strasse und Nummer").fill("Bahnhofstrasse 1");
      await page.getByLabel("Postleitzahl").fill("86");
      await page.getByLabel("Ort", { exact: true }).fill("Uster");
      await page.getByLabel("Land", { exact: true }).selectOption("CH");
      await page.getByLabel("Telefonnummer").fill("044 944 71 11");
      await page.getByLabel("Sprache", { exact: true }).and(page.locator("main select")).selectOption("fr");
      await page.getByLabel("Per E-Mail").check();
      await page.getByLabel("Per SMS").check();
      await page.getByRole("button", { name: "Profil speichern" }).click();
      await page.locator("#acc-postal_code-error", { hasText: "vier Ziffern" }).waitFor();
      await summaryFocused(page);
      await assertAccessible(page, "profile with an error");
      await page.getByLabel("Postleitzahl").fill("8610");
      await page.getByRole("button", { name: "Profil speichern" }).click();
      await waitForFocus(page, () => document.activeElement?.id === "profile-saved", "the note that it is saved");
      assert.equal(await page.getByLabel("Telefonnummer").inputValue(), "+41449447111", "the number as the server stores it");
      await page.reload();
      await page.locator("main h1", { hasText: "Profil" }).waitFor();
      assert.equal(await page.getByLabel("Vorname").inputValue(), "Pia");
      assert.equal(await page.getByLabel("Land", { exact: true }).inputValue(), "CH");
      assert.ok(await page.getByLabel("Per SMS").isChecked());
      assert.ok(!(await page.getByLabel("Als Mitteilung auf dem Telefon (Push)").isChecked()));

      // Nothing seen yet: the Datencockpit says what will appear.
      await goto(page, "/account/transparency");
      assert.equal(await h1(page), "Datencockpit");
      assert.match(await page.locator("main").innerText(), /Noch keine Einträge[\s\S]*wer, welche Daten, wann, wozu/);
      await assertAccessible(page, "Datencockpit (empty)");

      // Pia agrees that the forms of "Adressauskunft" may prefill her name and
      // address, and such a form reads them: a disclosure in the log.
      const prefill = await page.evaluate(async () => {
        const put = await fetch("/api/v1/me/consents/adressauskunft", {
          method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ fields: ["given_name", "family_name", "street", "postal_code", "locality"] }),
        });
        if (put.status !== 200) return { status: put.status };
        const res = await fetch("/api/v1/me/services/adressauskunft/prefill");
        return { status: res.status, body: await res.json() };
      });
      assert.equal(prefill.status, 200);
      assert.equal(prefill.body.values.given_name, "Pia");
      await page.reload();
      const entry = page.locator(".access-entry").first();
      await entry.waitFor();
      const text = await entry.innerText();
      assert.match(text, /Weitergegeben: Vorname, Nachname, Strasse und Nummer, Postleitzahl, Ort/);
      assert.ok(text.includes(`Wer\nOnline-Formular «${service.title}» (Online-Formular, ${service.office.name})`), `who, with the office's name:\n${text}`);
      assert.match(text, /Wann\s+\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/);
      assert.ok(text.includes(`Zweck\nFormular «${service.title}» mit Ihren Profilangaben vorausfüllen`), `the purpose:\n${text}`);
      assert.match(text, /Rechtsgrundlage\s+Ihre Einwilligung vom \d{2}\.\d{2}\.\d{4}/);
      assert.match(text, /Siegel\s+Siegel intakt/);
      await assertAccessible(page, "Datencockpit");
      await screenshotWithExampleData(page, pia.email, "datencockpit.png");
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Als lesbares Dokument herunterladen" }).click()]);
      assert.equal(download.suggestedFilename(), "schalter-meine-daten.html");
      assert.match(readFileSync(await download.path(), "utf8"), /Adressauskunft/);
      await page.setViewportSize(NARROW);
      await assertNoHorizontalScroll(page, "Datencockpit at 320 px");
      await assertAccessible(page, "Datencockpit at 320 px");
      await page.setViewportSize({ width: 390, height: 844 });

      // The consent, with the service's title; withdrawn, it stays listed as such.
      await page.locator("main").getByRole("link", { name: "Einwilligungen" }).click();
      await page.locator("main h1", { hasText: "Einwilligungen" }).waitFor();
      await page.locator("#consents-active", { hasText: "1 gültige Einwilligung" }).waitFor();
      const consent = page.locator(".consent", { hasText: service.title });
      assert.match(await consent.innerText(), /Angaben\s+Vorname, Nachname, Strasse und Nummer, Postleitzahl, Ort/);
      await assertAccessible(page, "consents");
      await consent.getByRole("button", { name: "Einwilligung widerrufen" }).click();
      await page.locator("#consents-active", { hasText: "0 gültige Einwilligungen" }).waitFor();
      await page.locator("#consents-revoked", { hasText: "1 widerrufene Einwilligung" }).waitFor();
      await waitForFocus(page, () => document.activeElement?.id === "consent-adressauskunft", "the withdrawn consent");
      assert.match(await page.locator(".consent.revoked").innerText(), /widerrufen[\s\S]*Widerrufen am/);
      await assertAccessible(page, "consents with a withdrawn one");
      const after = await page.evaluate(async () => (await (await fetch("/api/v1/me/services/adressauskunft/prefill")).json()).values);
      assert.deepEqual(after, {}, "the form starts empty now");
      assertNoProblems(EXPECTED);
    } finally {
      await context.close();
    }
  });

  test("SMS codes at login (password, then a code by SMS) and as a step-up; switched off", async () => {
    // Sina: the login's second step offers the SMS (her only second factor).
    const { page, context, assertNoProblems } = await openPage(browser);
    try {
      await goto(page, "/account/login");
      await submitLogin(page, sina);
      await page.locator("main h1", { hasText: "Code eingeben" }).waitFor();
      assert.match(await page.locator("main .lead").innerText(), /Code per SMS schicken/);
      await assertAccessible(page, "login, code by SMS");
      await smsAllowedAgain(sina.lastSMS);
      const t0 = Date.now();
      await page.getByRole("button", { name: "Code per SMS senden" }).click();
      const code = page.getByLabel("Code aus der SMS");
      await code.waitFor();
      await waitForFocus(page, () => document.activeElement?.id === "acc-code", "the code field");
      const sms = await waitForSMS(sina.phone.e164, t0);
      await code.fill(sms.code);
      await form(page).getByRole("button", { name: "Anmelden" }).click();
      await page.locator("main h1", { hasText: "Mein Konto" }).waitFor();
      const main = await overviewText(page);
      assert.match(main, /Sicherheitsstufe\s+Zwei Faktoren/);
      assert.match(main, /Angemeldet mit\s+Passwort, SMS-Code/);
      assertNoProblems(EXPECTED);
    } finally {
      await context.close();
    }

    // Simon: switching SMS codes off needs a recent two-factor login; he
    // confirms with a code by SMS on the step-up page, then switches them off.
    const simonCtx = await openPage(browser);
    try {
      const p = simonCtx.page;
      await useSession(simonCtx.context, simon.cookie);
      await goto(p, `/account/step-up?level=two_factor&methods=otp,sms,passkey&max_age=900&next=${encodeURIComponent("/account/sms?off=1")}`);
      assert.equal(await h1(p), "Bestätigen Sie, dass Sie es sind");
      await p.locator("#step-code h2", { hasText: "Mit einem Code bestätigen" }).waitFor();
      await assertAccessible(p, "step-up with a code by SMS");
      await smsAllowedAgain(simon.lastSMS);
      const t1 = Date.now();
      await p.getByRole("button", { name: "Code per SMS senden" }).click();
      await p.getByLabel("Code aus der SMS").fill((await waitForSMS(simon.phone.e164, t1)).code);
      await form(p).getByRole("button", { name: "Bestätigen" }).click();
      await p.locator("main h2", { hasText: "SMS-Codes sind eingeschaltet" }).waitFor();
      await waitForFocus(p, () => document.activeElement?.id === "sms-off", "the switch-off button");
      await assertAccessible(p, "SMS codes on");
      await p.getByRole("button", { name: "SMS-Codes ausschalten" }).click();
      await p.locator("main h2", { hasText: "SMS-Codes ausgeschaltet" }).waitFor();
      await waitForFocus(p, () => document.activeElement?.tagName === "H2", "the confirmation's heading");
      await waitForMail(simon.email, /Sicherheitshinweis/, { text: /Codes per SMS wurden soeben .* ausgeschaltet/ });
      simonCtx.assertNoProblems(EXPECTED);
    } finally {
      await simonCtx.context.close();
    }
  });
});
