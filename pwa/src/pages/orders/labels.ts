// Names of case states and of who made a step, shared by the case pages.
import type { CaseStatus } from "../../api/types.ts";
import { t } from "../../state/store.ts";

export function statusName(s: CaseStatus): string {
  return t(`case.status.${s}`);
}

/** A status badge; the class gives its colour, the text says it (never colour alone). */
export function statusClass(s: CaseStatus): string {
  return `status-badge status-${s}`;
}

/** "a1b2c3d4 … 9f8e" for a SHA-256 shown in a list (the whole one is in the title and on the verification page). */
export function shortHash(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)} … ${hex.slice(-8)}` : hex;
}

/** A file size in kB or MB, as people read it. */
export function fileSize(lang: string, bytes: number): string {
  const fmt = new Intl.NumberFormat(lang === "en" ? "en" : `${lang}-CH`, { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024 ? `${fmt.format(bytes / 1024 / 1024)} MB` : `${fmt.format(Math.max(1, Math.round(bytes / 1024)))} kB`;
}
