// Formatting of money, dates, durations and opening hours, Swiss style.
import { LOCALES, translate, type Lang } from "../i18n/index.ts";
import type { OpeningHours, Weekday } from "../api/types.ts";

/** 1700 → "CHF 17.00", 125000 → "CHF 1’250.00"; 0 → the word for free of charge. */
export function formatFee(lang: Lang, amountRappen: number): string {
  if (amountRappen === 0) return translate(lang, "fee.free");
  return `CHF ${formatFrancs(amountRappen)}`;
}

/** 1700 → "17.00", 125000 → "1’250.00" (Swiss thousands separator, point as decimal mark). */
export function formatFrancs(amountRappen: number): string {
  const negative = amountRappen < 0;
  const abs = Math.abs(Math.round(amountRappen));
  const francs = Math.floor(abs / 100).toString();
  const rappen = (abs % 100).toString().padStart(2, "0");
  const grouped = francs.replace(/\B(?=(\d{3})+(?!\d))/g, "’");
  return `${negative ? "-" : ""}${grouped}.${rappen}`;
}

/** "2026-09-14" → "14. September 2026" (de), "14 septembre 2026" (fr), … */
export function formatDate(lang: Lang, isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: "long", timeZone: "UTC" }).format(date);
}

/** A timestamp in local time, e.g. "14.09.2026, 10:15". */
export function formatDateTime(lang: Lang, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** The time of day of a timestamp in local time, e.g. "10:15". */
export function formatTime(lang: Lang, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { timeStyle: "short" }).format(date);
}

/** A processing time range in days: "am selben Tag", "5 Tage", "3 bis 10 Tage". */
export function formatDays(lang: Lang, min: number, max: number): string {
  if (max <= 0) return translate(lang, "days.same");
  if (min === max) return translate(lang, "days.exact", { count: max });
  return translate(lang, "days.range", { min, max });
}

export const WEEKDAYS: readonly Weekday[] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

/** Groups opening hours by weekday, all seven days, in order; a day without hours has no ranges. */
export function openingHoursByDay(hours: readonly OpeningHours[]): { weekday: Weekday; ranges: OpeningHours[] }[] {
  return WEEKDAYS.map((weekday) => ({
    weekday,
    ranges: hours.filter((h) => h.weekday === weekday).sort((a, b) => a.opens.localeCompare(b.opens)),
  }));
}

/** "+41 44 944 71 21" → "tel:+41449447121". */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}

export function osmHref(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}
