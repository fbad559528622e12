import assert from "node:assert/strict";
import { test } from "node:test";
import {
  asStepUp,
  checkCode,
  checkCodeOf,
  codeModesFor,
  EID_ERRORS,
  eidErrorText,
  fieldErrors,
  groupSecret,
  localizeFieldError,
  normalizeCode,
  passwordTooShort,
  reaches,
  tokenFromHash,
} from "../../src/lib/account-input.ts";
import { countryOptions } from "../../src/lib/countries.ts";
import { profileFromForm } from "../../src/lib/profile.ts";
import { ACCOUNT_ALIASES, ACCOUNT_PATHS, canonicalPath, loginHref, matchRoute, parseStepUp, safeNext, stepUpHref } from "../../src/lib/router.ts";
import { deviceName, levelName, methodList, suggestedPasskeyName } from "../../src/pages/account/labels.ts";
import { store } from "../../src/state/store.ts";

test("account routes, including the paths of the links in the mails", () => {
  // internal/account: PublicURL + "/account/verify#", "/account/reset#" and "/account/email#" + token.
  assert.deepEqual(matchRoute("/account/verify"), { name: "account", page: "verify" });
  assert.deepEqual(matchRoute("/account/reset"), { name: "account", page: "reset" });
  assert.deepEqual(matchRoute("/account/email"), { name: "account", page: "email" });
  assert.deepEqual(matchRoute("/account"), { name: "account", page: "overview" });
  assert.deepEqual(matchRoute("/account/"), { name: "account", page: "overview" });
  assert.deepEqual(matchRoute("/account/login/code"), { name: "account", page: "login-code" });
  assert.deepEqual(matchRoute("/account/step-up"), { name: "account", page: "step-up" });
  assert.deepEqual(matchRoute("/account/unknown"), { name: "not-found" });
  for (const [page, path] of Object.entries(ACCOUNT_PATHS)) assert.deepEqual(matchRoute(path), { name: "account", page }, path);
});

test("the server's /konto paths (eID callback) show the app's pages under the app's own paths", () => {
  // api/eid.go: failures redirect to /konto/anmelden?fehler=…, the default return_to is /konto.
  assert.deepEqual(matchRoute("/konto/anmelden"), { name: "account", page: "login" });
  assert.deepEqual(matchRoute("/konto"), { name: "account", page: "overview" });
  assert.equal(canonicalPath("/konto/anmelden"), "/account/login");
  assert.equal(canonicalPath("/konto/anmelden/"), "/account/login");
  assert.equal(canonicalPath("/konto"), "/account");
  assert.equal(canonicalPath("/account/login"), null);
  assert.equal(canonicalPath("/"), null);
  for (const [alias, page] of Object.entries(ACCOUNT_ALIASES)) assert.equal(canonicalPath(alias), ACCOUNT_PATHS[page]);
});

test("after a login or step-up, only a path of this app is followed", () => {
  const cases: [string | null, string | null][] = [
    ["/services/kita-platz?start=1", "/services/kita-platz?start=1"],
    ["/account?delete=1", "/account?delete=1"],
    ["/", "/"],
    [null, null],
    ["", null],
    ["https://evil.example/", null],
    ["//evil.example/x", null],
    ["/\\evil.example", null],
    ["javascript:alert(1)", null],
    ["services", null],
    ["/api/v1/me", null],
    ["/metrics", null],
  ];
  for (const [input, want] of cases) assert.equal(safeNext(input), want, String(input));
  assert.equal(loginHref("/services/x?start=1"), "/account/login?next=%2Fservices%2Fx%3Fstart%3D1");
  assert.equal(loginHref("https://evil.example/"), "/account/login");
});

test("a step-up problem round-trips through the step-up page's address", () => {
  const href = stepUpHref({ level: "two_factor", methods: ["otp", "sms", "passkey"], next: "/services/kita-platz?start=1" });
  const url = new URL(href, "https://x.invalid");
  assert.equal(url.pathname, "/account/step-up");
  assert.deepEqual(parseStepUp(url.searchParams), { level: "two_factor", methods: ["otp", "sms", "passkey"], maxAge: undefined, next: "/services/kita-platz?start=1" });
  const recent = parseStepUp(new URL(stepUpHref({ level: "account", methods: ["pwd"], maxAge: 900, next: "//evil" }), "https://x.invalid").searchParams);
  assert.equal(recent.maxAge, 900);
  assert.equal(recent.next, null, "a foreign next is dropped");
  assert.equal(parseStepUp(new URLSearchParams("max_age=abc")).maxAge, undefined);
});

test("step-up problems are recognised by their members, not by the status alone", () => {
  const p = { type: "about:blank", status: 403, required_level: "two_factor", current_level: "account", methods: ["otp"] };
  assert.deepEqual(asStepUp(403, p), p);
  assert.equal(asStepUp(403, { type: "about:blank", status: 403, detail: "cross-origin request" }), null);
  assert.equal(asStepUp(404, p), null);
  assert.equal(asStepUp(401, undefined), null);
});

test("the server's field errors land at their fields, in German", () => {
  const problem = {
    type: "about:blank",
    errors: [
      { location: "body.password", message: "the password must have at least 12 characters" },
      { location: "body.password", message: "second message" },
      { location: "body.email", message: "must be an e-mail address such as anna@example.ch" },
    ],
  };
  const fields = fieldErrors(problem);
  assert.deepEqual([...fields.keys()], ["password", "email"]);
  assert.equal(localizeFieldError("password", fields.get("password")!), "Das Passwort ist zu kurz: Es braucht mindestens 12 Zeichen.");
  assert.match(localizeFieldError("password", "this password is too common or too easy to guess; please choose another"), /zu häufig/);
  assert.match(localizeFieldError("password", "the password must not contain your e-mail address or the name of the service"), /Namen der Stadt/);
  assert.match(localizeFieldError("password", "the password must have at most 256 characters"), /höchstens 256/);
  assert.match(localizeFieldError("email", "anything"), /gültige E-Mail-Adresse/);
  assert.equal(localizeFieldError("email", "same as the current address"), "Das ist bereits Ihre E-Mail-Adresse.");
  assert.equal(localizeFieldError("other", "as it came"), "as it came");
  assert.equal(fieldErrors(undefined).size, 0);
});

test("passwords are counted in characters, codes are cleaned and checked before sending", () => {
  assert.ok(passwordTooShort("elf Zeichen"));
  assert.ok(!passwordTooShort("zwölf Zeiche"));
  assert.ok(!passwordTooShort("äöüäöüäöüäöü"), "umlauts count once");
  assert.equal(normalizeCode(" 123 456 "), "123456");
  assert.equal(normalizeCode("K7P2-X9QM-4T"), "k7p2-x9qm-4t");
  assert.deepEqual(checkCode("123456", false), []);
  assert.equal(checkCode("12345", false)[0]?.field, "code");
  assert.equal(checkCode("", true)[0]?.text, "Geben Sie einen Wiederherstellungscode ein.");
  assert.deepEqual(checkCode("k7p2-x9qm-4t", true), []);
  assert.deepEqual(codeModesFor(["otp", "sms"]), ["otp", "sms", "recovery"]);
  assert.deepEqual(codeModesFor(["sms", "otp"]), ["otp", "sms", "recovery"], "the app first, whatever the server's order");
  assert.deepEqual(codeModesFor(["sms"]), ["sms", "recovery"], "SMS only: SMS, or a recovery code");
  assert.deepEqual(codeModesFor(["otp"]), ["otp", "recovery"]);
  assert.deepEqual(codeModesFor(null), ["otp", "sms", "recovery"], "unknown (after a reload): every way, the app first");
  assert.deepEqual(checkCodeOf("123456", "sms"), []);
  assert.equal(checkCodeOf("", "sms")[0]?.text, "Geben Sie den Code aus der SMS ein.");
  assert.equal(checkCodeOf("12 34", "sms")[0]?.field, "code");
  assert.deepEqual(checkCodeOf("k7p2-x9qm-4t", "recovery"), []);
  assert.equal(checkCodeOf("k7p2", "otp")[0]?.text, "Der Code aus der App besteht aus 6 Ziffern.");
  assert.equal(groupSecret("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
  assert.equal(tokenFromHash("#abc%2Ddef"), "abc-def");
  assert.equal(tokenFromHash(""), "");
  assert.equal(tokenFromHash("#%E0%A4%A"), "", "a broken escape is no token");
});

test("levels, methods and devices are named for people", () => {
  assert.ok(reaches("two_factor", "account"));
  assert.ok(reaches("eid", "two_factor"));
  assert.ok(!reaches("account", "two_factor"));
  assert.ok(!reaches("none", "account"));
  assert.equal(levelName("two_factor"), "Zwei Faktoren");
  assert.equal(methodList(["pwd", "otp"]), "Passwort, Authenticator-App");
  const ua = (s: string) => deviceName(s);
  assert.deepEqual(ua("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36"), { browser: "Chrome", os: "Linux" });
  assert.deepEqual(ua("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"), { browser: "Safari", os: "iOS" });
  assert.deepEqual(ua("Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0"), { browser: "Firefox", os: "Android" });
  assert.deepEqual(ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0"), { browser: "Edge", os: "Windows" });
  assert.equal(ua("curl/8.0"), null);
});

test("field errors of lists, phone numbers, postal codes and passkey names are translated", () => {
  const fields = fieldErrors({
    type: "about:blank",
    errors: [
      { location: "body.notify_channels[1]", message: "listed twice" },
      { location: "body.phone", message: "must be a mobile number: SMS do not reach landlines" },
    ],
  });
  assert.deepEqual([...fields.keys()], ["notify_channels", "phone"], "an item of a list belongs to the list's field");
  assert.equal(localizeFieldError("phone", fields.get("phone")!), "Das ist keine Handynummer. SMS erreichen nur Handys.");
  assert.match(localizeFieldError("phone", "needed for notifications by SMS"), /braucht es eine Telefonnummer/);
  assert.match(localizeFieldError("phone", "must be a phone number such as 079 123 45 67 or +41 79 123 45 67"), /079 123 45 67/);
  assert.match(localizeFieldError("postal_code", "a Swiss postal code has four digits, e.g. 8610"), /vier Ziffern/);
  assert.match(localizeFieldError("country", "must be a two-letter country code such as CH"), /Land aus der Liste/);
  assert.match(localizeFieldError("name", "1 to 60 characters"), /1 bis 60 Zeichen/);
});

test("every eID error code of the callback has its own explanation, in every language", () => {
  const seen = new Set<string>();
  for (const code of EID_ERRORS) {
    const text = eidErrorText(code);
    assert.ok(text.length > 40 && !text.startsWith("eidError."), code);
    assert.ok(!seen.has(text), `${code} has a text of its own`);
    seen.add(text);
  }
  assert.match(eidErrorText("eid_abgebrochen"), /abgebrochen/);
  assert.equal(eidErrorText("eid_unbekannter_code"), eidErrorText("eid_fehler"), "an unknown code gets the general text");
  for (const lang of ["fr", "it", "en"] as const) {
    store.update({ lang });
    for (const code of EID_ERRORS) assert.ok(!eidErrorText(code).startsWith("eidError."), `${lang} ${code}`);
  }
  store.update({ lang: "de" });
});

test("the profile form's values become the API's profile: empty fields left out", () => {
  assert.deepEqual(
    profileFromForm({ given_name: " Anna ", family_name: "", street: "Bahnhofstrasse 1", postal_code: "8610", locality: "Uster", country: "CH", phone: "079 123 45 67", language: "fr" }, ["sms", "email", "fax"]),
    { given_name: "Anna", street: "Bahnhofstrasse 1", postal_code: "8610", locality: "Uster", country: "CH", phone: "079 123 45 67", language: "fr", notify_channels: ["email", "sms"] },
  );
  assert.deepEqual(profileFromForm({ country: "", language: "" }, []), {}, "nothing given: an empty profile (the server removes every field)");
  assert.deepEqual(profileFromForm({ language: "rm" }, []), {}, "only the app's languages");
});

test("countries: Switzerland first, the rest by name in the UI's language", () => {
  const de = countryOptions("de");
  assert.equal(de[0]?.value, "CH");
  assert.equal(de[0]?.label, "Schweiz");
  assert.equal(de.length, 250);
  assert.equal(new Set(de.map((c) => c.value)).size, 250);
  const names = de.slice(1).map((c) => c.label);
  assert.deepEqual(names, [...names].sort(new Intl.Collator("de-CH").compare));
  assert.equal(countryOptions("fr").find((c) => c.value === "DE")?.label, "Allemagne");
});

test("a new passkey is named after the device that holds it", () => {
  assert.equal(suggestedPasskeyName("Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36"), "Chrome auf Android");
  assert.equal(suggestedPasskeyName("curl/8.0"), "Passkey");
});
