// Orders in Chromium at a phone viewport: Tamara's journey from the search
// to the verified PDF of the simulated Betreibungsamt (started by
// run-e2e.mjs, reached over the real connector), stopped halfway on the
// phone and finished on the laptop, with a concurrent edit (412) resolved
// in the dialog and the step-up to two factors at submission; and a
// guest's draft resumed in another browser by the continue-later link.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { assertAccessible, assertNoHorizontalScroll, Authenticator, BASE_URL, cachedPaths, goto, launch, linkIn, openPage, uniqueEmail, waitForMail } from "./helpers.mjs";
import { apiLogin, EXPECTED, form, login, newAccount, submitLogin, waitForFocus } from "./account-helpers.mjs";

const SERVICE = "betreibungsregisterauszug-bestellen";
const LAPTOP = { width: 1280, height: 800 };
// A 412 from a stale autosave, a 403 step-up problem and 401s of the guest are expected.
const ALLOWED = [...EXPECTED, /status of 412/];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const savedState = (page) => page.locator(".draft-state [role=status]", { hasText: /Entwurf gespeichert um/ });

/** Waits until the autosave after the last change has answered. */
async function waitSaved(page) {
  await page.waitForFunction(() => /Entwurf gespeichert um/.test(document.querySelector(".draft-state [role=status]")?.textContent ?? ""));
}

describe("Orders", () => {
  test("Tamara orders a Betreibungsregisterauszug: search, guest start, login, prefill with consent, resumed on the laptop, 412 resolved, step-up, paid with the development provider, receipt, case, extract verified", async () => {
    const tamara = await newAccount("tamara");
    const api = await apiLogin(tamara);
    const profile = await api.call("PUT", "/api/v1/me/profile", {
      given_name: "Tamara",
      family_name: "Keller",
      street: "Bahnhofstrasse 1",
      postal_code: "8610",
      locality: "Uster",
    });
    assert.equal(profile.status, 200, "profile saved");

    const phone = await openPage(browser);
    const laptop = await openPage(browser, { viewport: LAPTOP });
    logRefusedSaves(phone.page);
    logRefusedSaves(laptop.page);
    try {
      const page = phone.page;
      // Search as she would type it, with a typo.
      await goto(page, "/");
      await page.getByRole("combobox", { name: "Dienstleistung suchen" }).fill("Betreibungsregister");
      await page.getByRole("option", { name: /Betreibungsregisterauszug/ }).first().click();
      await page.locator("main h1", { hasText: "Betreibungsregisterauszug" }).waitFor();
      await page.getByRole("link", { name: "Online bestellen" }).click();
      await page.locator("main h1", { hasText: "Formular" }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/services/${SERVICE}/order`);
      await assertAccessible(page, "order form (guest, empty)");
      await assertNoHorizontalScroll(page, "order form");

      // As a guest: a wrong date of birth is shown at its field once she leaves it.
      const birth = page.getByLabel("Geburtsdatum");
      await birth.fill("1991-04-12");
      await waitSaved(page);
      const draftId = new URL(page.url()).searchParams.get("draft");
      assert.match(draftId ?? "", /^[0-9a-f-]{36}$/, "the address names the draft");
      assert.match(await page.locator(".draft-state").innerText(), /nur in diesem Browser.*7 Tage/s, "a guest's retention is shown");

      // She logs in from the form (one factor); the draft moves to her account.
      await page.getByRole("link", { name: "Jetzt anmelden" }).click();
      await page.locator("main h1", { hasText: "Anmelden" }).waitFor();
      await submitLogin(page, tamara);
      await page.locator("main h1", { hasText: "Formular" }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get("draft"), draftId, "back at the same draft");
      assert.equal(await page.getByLabel("Geburtsdatum").inputValue(), "1991-04-12");
      await page.locator(".draft-state", { hasText: /in Ihrem Konto.*30 Tage/s }).waitFor();

      // Prefill from the profile, after she agrees; the read is in her transparency log.
      await page.getByRole("button", { name: "Zustimmen und übernehmen" }).click();
      await page.locator(".prefill-done, .success-note", { hasText: "aus Ihrem Profil ausgefüllt" }).waitFor();
      assert.equal(await page.getByLabel("Vorname").inputValue(), "Tamara");
      assert.equal(await page.getByLabel("Strasse und Hausnummer").inputValue(), "Bahnhofstrasse 1");
      await page.getByLabel("Ja").first().check();
      await page.getByLabel("Wohnungsbewerbung").check();
      await waitSaved(page);
      await assertAccessible(page, "order form (prefilled)");
      const log = await (await api.call("GET", "/api/v1/me/transparency")).json();
      assert.ok(log.items.some((e) => e.actor_kind === "form" && /Betreibungsregisterauszug/.test(e.actor)), `the prefill is in the transparency log: ${JSON.stringify(log.items)}`);

      // On the laptop: Mein Konto → Meine Entwürfe → continue where she stopped.
      const desk = laptop.page;
      await login(desk, tamara);
      await desk.getByRole("link", { name: "Meine Entwürfe" }).click();
      await desk.locator("main h1", { hasText: "Meine Entwürfe" }).waitFor();
      await assertAccessible(desk, "drafts list");
      await desk.getByRole("link", { name: /Weiter ausfüllen.*Betreibungsregisterauszug/ }).click();
      await desk.locator("main h1", { hasText: "Formular" }).waitFor();
      assert.equal(await desk.getByLabel("Vorname").inputValue(), "Tamara", "the phone's answers are there");
      assert.ok(await desk.getByLabel("Wohnungsbewerbung").isChecked());
      await desk.getByLabel("Stellenbewerbung").check();
      await waitSaved(desk);

      // The phone still shows the older version: its next save gets 412, and she keeps the laptop's.
      await page.getByLabel("Bemerkungen").fill("Bitte rasch");
      const dialog = page.getByRole("dialog", { name: "Dieser Entwurf wurde inzwischen anderswo geändert" });
      await dialog.waitFor();
      const rows = await dialog.locator("tbody tr").allInnerTexts();
      assert.ok(rows.some((r) => /Wofür.*Wohnungsbewerbung.*Stellenbewerbung/s.test(r)), `both versions side by side: ${rows.join(" | ")}`);
      await assertAccessible(page, "conflict dialog");
      await dialog.getByRole("button", { name: "Die andere Fassung übernehmen" }).click();
      await dialog.waitFor({ state: "hidden" });
      assert.ok(await page.getByLabel("Stellenbewerbung").isChecked(), "the laptop's answer taken");
      await page.close();

      // The laptop completes the form; the first try shows what is missing, linked to the fields.
      await desk.reload();
      await desk.locator("main h1", { hasText: "Formular" }).waitFor();
      await desk.getByRole("button", { name: "Verbindlich abschicken" }).click();
      await waitForFocus(desk, () => document.activeElement?.classList.contains("error-summary"), "the error summary");
      const summary = await desk.locator(".error-summary").innerText();
      assert.match(summary, /Zustellung/, summary);
      const invalid = desk.locator("[aria-invalid=true]");
      assert.ok((await invalid.count()) > 0, "fields marked invalid");
      await assertAccessible(desk, "order form with errors");
      await desk.locator(".error-summary a").first().click();
      await desk.getByLabel("Digital in mein Konto").check();
      await desk.getByLabel("Anzahl Auszüge").fill("1");
      await waitSaved(desk);

      // Submission asks for two factors: she sets up the authenticator app on the way and comes back.
      await desk.getByRole("button", { name: "Verbindlich abschicken" }).click();
      await desk.locator("main h1", { hasText: "Zusätzliche Bestätigung nötig" }).waitFor();
      await desk.locator("main").getByRole("link", { name: "Authenticator-App einrichten" }).click();
      await desk.locator("main h1", { hasText: "Authenticator-App einrichten" }).waitFor();
      await desk.getByRole("button", { name: "Einrichtung beginnen" }).click();
      const secret = (await desk.locator(".secret").innerText()).replace(/\s+/g, "");
      tamara.app = new Authenticator(secret);
      await desk.getByLabel("Code aus der Authenticator-App").fill(await tamara.app.code());
      await form(desk).getByRole("button", { name: "App bestätigen" }).click();
      await desk.getByRole("link", { name: "Ich habe die Codes gespeichert" }).click();
      await desk.locator("main h1", { hasText: "Formular" }).waitFor();
      await desk.getByRole("button", { name: "Verbindlich abschicken" }).click();

      // The case: a number with a check digit and the timeline; the office answers over the connector.
      await desk.waitForURL(/\/account\/cases\/UST-/);
      await desk.locator("main h1", { hasText: "Betreibungsregisterauszug" }).waitFor();
      const number = decodeURIComponent(new URL(desk.url()).pathname.split("/").pop());
      assert.match(number, /^UST-\d{4}-\d{6}-\d$/);
      await desk.locator(".success-note", { hasText: number }).waitFor();
      await assertAccessible(desk, "case page");

      // The extract is paid first: she pays with the development provider; coming back proves nothing,
      // the page waits for the provider's signed confirmation (the webhook).
      const bill = desk.locator("section", { has: desk.locator("h2", { hasText: "Gebühren und Bezahlung" }) });
      assert.match(await bill.innerText(), /Betreibungsregisterauszug[\s\S]*CHF 17\.00[\s\S]*Offen\s*CHF 17\.00/);
      assert.match(await desk.locator(".facts .status-badge").innerText(), /Zahlung ausstehend/);
      await desk.getByRole("button", { name: "CHF 17.00 mit dem Testanbieter bezahlen" }).click();
      await desk.locator("h1", { hasText: "Testzahlung" }).waitFor();
      await desk.getByRole("button", { name: "Bezahlen (erfolgreich)" }).click();
      await desk.waitForURL(/\/account\/cases\/UST-.*outcome=done/);
      await bill.locator("tfoot", { hasText: /Offen\s*CHF 0\.00/ }).waitFor({ timeout: 20_000 });
      await assertAccessible(desk, "case page, paid");

      let status = "";
      for (let i = 0; i < 40 && status !== "Erledigt"; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await desk.reload();
        await desk.locator("main h1").waitFor();
        status = (await desk.locator(".facts .status-badge").innerText()).trim();
      }
      assert.equal(status, "Erledigt", "the simulated Betreibungsamt finished the case");
      const timeline = await desk.locator(".timeline").innerText();
      assert.match(timeline, /Zahlung ausstehend[\s\S]*Zahlung erhalten: CHF 17\.00[\s\S]*In Bearbeitung[\s\S]*Erledigt/);

      // Meine Zahlungen: the payment with its reference and the receipt, a signed PDF.
      await desk.goto("/account/payments");
      await desk.locator("main h1", { hasText: "Meine Zahlungen" }).waitFor();
      assert.match(await desk.locator("main").innerText(), /CHF 17\.00[\s\S]*Bezahlt[\s\S]*Testanbieter/);
      await assertAccessible(desk, "payments");
      const [receipt] = await Promise.all([desk.waitForEvent("download"), desk.getByRole("link", { name: /Quittung herunterladen/ }).click()]);
      assert.equal((await streamBytes(await receipt.createReadStream())).subarray(0, 5).toString(), "%PDF-");

      // Meine amtlichen Dokumente: the PDF, then its verification page and a file check.
      await desk.goto("/account/documents");
      await desk.locator("main h1", { hasText: "Meine amtlichen Dokumente" }).waitFor();
      await assertAccessible(desk, "documents");
      const [download] = await Promise.all([desk.waitForEvent("download"), desk.getByRole("link", { name: /PDF herunterladen/ }).first().click()]);
      const pdf = await streamBytes(await download.createReadStream());
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
      const listed = await desk.locator(".document code").first().getAttribute("title");
      assert.equal(listed, createHash("sha256").update(pdf).digest("hex"), "the listed hash is the file's");
      await desk.getByRole("link", { name: /Echtheit prüfen/ }).first().click();
      await desk.locator("main h1", { hasText: "Dokument prüfen" }).waitFor();
      await desk.locator(".success-note", { hasText: "Echt" }).waitFor();
      assert.doesNotMatch(await desk.locator("main").innerText(), /Tamara|Keller|Bahnhofstrasse/, "nothing personal on the verification page");
      await assertAccessible(desk, "verification page");
      await desk.getByLabel("PDF auswählen").setInputFiles({ name: "auszug.pdf", mimeType: "application/pdf", buffer: pdf });
      await desk.locator("#verify-file-result", { hasText: "genau dieses Dokument" }).waitFor();
      const tampered = Buffer.from(pdf);
      tampered[Math.floor(tampered.length / 2)] ^= 1;
      await desk.getByLabel("PDF auswählen").setInputFiles({ name: "auszug.pdf", mimeType: "application/pdf", buffer: tampered });
      await desk.locator("#verify-file-result", { hasText: "nicht dieses Dokument" }).waitFor();
      laptop.assertNoProblems(ALLOWED);
      phone.assertNoProblems(ALLOWED);
    } finally {
      await phone.context.close();
      await laptop.context.close();
    }
  });

  test("a guest's draft resumed in another browser with the continue-later link; field errors shown and announced", async () => {
    const first = await openPage(browser);
    const second = await openPage(browser);
    try {
      const page = first.page;
      await goto(page, "/services/sperrgut-abfuhr-bestellen/order");
      const postal = page.getByLabel("PLZ");
      await postal.fill("86");
      await postal.blur();
      const error = page.locator(`#${await postal.getAttribute("id")}-error`);
      await error.waitFor();
      assert.equal(await postal.getAttribute("aria-invalid"), "true");
      assert.match(await postal.getAttribute("aria-describedby"), new RegExp(`${await postal.getAttribute("id")}-error`), "the error is tied to the field");
      await assertAccessible(page, "field error");
      await postal.fill("8610");
      await postal.blur();
      await error.waitFor({ state: "detached" });
      await waitSaved(page);

      const email = uniqueEmail("guest");
      await page.locator("summary", { hasText: "Später weitermachen" }).click();
      await page.getByLabel("E-Mail-Adresse").fill(email);
      await page.getByRole("button", { name: "Link senden" }).click();
      await page.locator(".continue-later .success-note", { hasText: email }).waitFor();
      const link = linkIn((await waitForMail(email, /weitermachen|Entwurf/i)).text);
      assert.match(link, /\/drafts\/resume#/);

      const other = second.page;
      await other.goto(link.replace(/^https?:\/\/[^/]+/, BASE_URL));
      await other.locator("main h1", { hasText: "Formular" }).waitFor();
      assert.equal(await other.getByLabel("PLZ").inputValue(), "8610", "the draft is in the other browser");
      assert.doesNotMatch(other.url(), /#/, "the token is gone from the address");
      // The link works once.
      await other.goto(link.replace(/^https?:\/\/[^/]+/, BASE_URL));
      await other.locator("main h1", { hasText: "Dieser Link gilt nicht mehr" }).waitFor();
      await assertAccessible(other, "used continue-later link");
      first.assertNoProblems(ALLOWED);
      second.assertNoProblems([...ALLOWED, /status of 404/]); // the used link
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });
});

test("offline: a form keeps what is typed and saves when the network is back; the service worker stores no draft", async () => {
  const { page, context, assertNoProblems } = await openPage(browser, { serviceWorkers: "allow" });
  try {
    await goto(page, "/");
    await page.evaluate(async () => navigator.serviceWorker.ready);
    await page.reload();
    await page.locator("main h1").waitFor();
    await page.waitForSelector('html[data-offline-ready="de"]', { timeout: 20_000 });
    await goto(page, "/services/sperrgut-abfuhr-bestellen/order");
    await page.getByLabel("Was sollen wir abholen?").fill("Ein Sofa");
    await waitSaved(page);
    await goto(page, "/account/drafts");
    await page.locator(".record-title", { hasText: "Sperrgut" }).waitFor();
    await page.goBack();
    await page.locator("main h1", { hasText: "Formular" }).waitFor();

    await context.setOffline(true);
    await page.getByLabel("Anzahl Stücke").fill("2");
    await page.locator(".draft-state [role=status]", { hasText: "Sie sind offline" }).waitFor();
    assert.equal(await page.getByLabel("Anzahl Stücke").inputValue(), "2", "what was typed stays");
    await context.setOffline(false);
    await page.locator(".draft-state [role=status]", { hasText: /Entwurf gespeichert um/ }).waitFor({ timeout: 15_000 });

    const cached = await cachedPaths(page);
    assert.ok(cached.some((u) => u.startsWith("/api/v1/services/sperrgut-abfuhr-bestellen")), "catalogue reads are cached (the check below means something)");
    assert.deepEqual(cached.filter((u) => /^\/api\/v1\/(me|drafts|attachments|documents)(\/|$)/.test(u)), [], "no draft, attachment or document in any cache");
    assertNoProblems([/ERR_INTERNET_DISCONNECTED/, /Failed to load resource/]);
  } finally {
    await context.close();
  }
});

/** Prints a refused draft save with its problem, so a failure says why. */
function logRefusedSaves(page) {
  page.on("response", async (res) => {
    if (!/\/api\/v1\/drafts/.test(res.url()) || res.status() < 400 || res.status() === 412) return;
    console.error(`${res.request().method()} ${res.url()} → ${res.status()}: ${res.request().postData()} → ${await res.text().catch(() => "")}`);
  });
}

async function streamBytes(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}
