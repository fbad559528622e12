import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDate, formatDays, formatFee, formatFrancs, openingHoursByDay, osmHref, telHref } from "../../src/lib/format.ts";

test("fees are Swiss francs with two decimals, or the word for free", () => {
  assert.equal(formatFee("de", 1700), "CHF 17.00");
  assert.equal(formatFee("de", 5), "CHF 0.05");
  assert.equal(formatFee("en", 125000), "CHF 1’250.00");
  assert.equal(formatFee("de", 0), "kostenlos");
  assert.equal(formatFee("fr", 0), "gratuit");
  assert.equal(formatFrancs(123456789), "1’234’567.89");
});

test("dates are long dates in the language, independent of the time zone", () => {
  assert.equal(formatDate("de", "2026-09-14"), "14. September 2026");
  assert.equal(formatDate("fr", "2026-03-01"), "1 mars 2026");
  assert.equal(formatDate("de", "not a date"), "not a date");
});

test("processing times in days", () => {
  assert.equal(formatDays("de", 0, 0), "am selben Tag");
  assert.equal(formatDays("de", 1, 1), "1 Tag");
  assert.equal(formatDays("de", 5, 5), "5 Tage");
  assert.equal(formatDays("de", 3, 10), "3 bis 10 Tage");
  assert.equal(formatDays("en", 3, 10), "3 to 10 days");
});

test("opening hours grouped by weekday, all seven days, sorted", () => {
  const days = openingHoursByDay([
    { weekday: "mo", opens: "13:30", closes: "17:00" },
    { weekday: "mo", opens: "08:00", closes: "11:30" },
    { weekday: "fr", opens: "08:00", closes: "11:30" },
  ]);
  assert.deepEqual(days.map((d) => d.weekday), ["mo", "tu", "we", "th", "fr", "sa", "su"]);
  assert.deepEqual(days[0]!.ranges.map((r) => r.opens), ["08:00", "13:30"]);
  assert.equal(days[1]!.ranges.length, 0);
});

test("phone and map links", () => {
  assert.equal(telHref("+41 44 944 71 21"), "tel:+41449447121");
  assert.match(osmHref(47.34885, 8.71962), /^https:\/\/www\.openstreetmap\.org\/\?mlat=47\.34885&mlon=8\.71962/);
});
