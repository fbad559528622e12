// What the account pages check and translate themselves, without the
// network: the server's field errors and step-up problems, codes, tokens.
// Kept free of the API client so the unit tests can run it under Node.
import type { Level, Problem, StepUpProblem } from "../api/types.ts";
import type { MessageKey } from "../i18n/index.ts";
import { t } from "../state/store.ts";

/** An error to show: at a field (and linked from the summary) or for the whole form. */
export interface FormError {
  field?: string;
  text: string;
}

/**
 * The field errors of a problem: "body.password" → "password", and an item of
 * a list ("body.notify_channels[1]") → the list's field (the first message per field).
 */
export function fieldErrors(problem: Problem | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of problem?.errors ?? []) {
    const field = d.location?.replace(/^body\./, "").replace(/\[\d+\]$/, "");
    if (field && !out.has(field)) out.set(field, d.message ?? "");
  }
  return out;
}

/** The problem as a step-up problem (a 401 or 403 naming required_level and methods), or null. */
export function asStepUp(status: number, problem: unknown): StepUpProblem | null {
  if (status !== 401 && status !== 403) return null;
  const p = problem as Partial<StepUpProblem> | undefined;
  return p && typeof p.required_level === "string" && Array.isArray(p.methods) ? (p as StepUpProblem) : null;
}

/** The server's field messages are English; the ones residents meet are translated. */
export function localizeFieldError(field: string, message: string): string {
  let key: MessageKey | null = null;
  switch (field) {
    case "password":
      if (/at least/i.test(message)) key = "form.password.tooShort";
      else if (/at most/i.test(message)) key = "form.password.tooLong";
      else if (/common|guess/i.test(message)) key = "form.password.common";
      else if (/must not contain/i.test(message)) key = "form.password.contextual";
      else key = "form.password.invalid";
      break;
    case "email":
      key = /same as the current/i.test(message) ? "form.email.same" : "form.email.invalid";
      break;
    case "code":
      key = "form.code.invalid";
      break;
    case "token":
      key = "form.token.invalid";
      break;
    case "phone":
      key = /landline|mobile/i.test(message) ? "form.phone.mobile" : /needed/i.test(message) ? "form.phone.neededForSms" : "form.phone.invalid";
      break;
    case "postal_code":
      key = "form.postalCode.invalid";
      break;
    case "country":
      key = "form.country.invalid";
      break;
    case "name":
      key = "passkey.nameInvalid";
      break;
    case "credential":
      key = "passkey.again";
      break;
  }
  return key ? t(key) : message;
}

/** Counted like the server (Unicode code points, so "ä" is one character). */
export function passwordTooShort(password: string): boolean {
  return [...password].length < 12;
}

/** The code as the server wants it: no spaces; recovery codes in lower case. */
export function normalizeCode(raw: string): string {
  return raw.replace(/\s+/g, "").toLowerCase();
}

/** Errors found before sending: a code is there, and one from the app has six digits. */
export function checkCode(code: string, recovery: boolean): FormError[] {
  if (!code) return [{ field: "code", text: t(recovery ? "code.recoveryMissing" : "code.appMissing") }];
  if (!recovery && !/^\d{6}$/.test(code)) return [{ field: "code", text: t("code.appFormat") }];
  return [];
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to type. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The token of a link from a mail (#token), or "". */
export function tokenFromHash(hash: string): string {
  try {
    return decodeURIComponent(hash.replace(/^#/, "")).trim();
  } catch {
    return "";
  }
}

/** The assurance levels in increasing order. */
const LEVELS: readonly (Level | "none")[] = ["none", "account", "two_factor", "eid"];

/** Whether level have reaches level need (an unknown name counts as none). */
export function reaches(have: string, need: string): boolean {
  return Math.max(0, LEVELS.indexOf(have as Level)) >= Math.max(0, LEVELS.indexOf(need as Level));
}

/** How a second factor is entered: a code from the app or an SMS, or a recovery code. */
export type CodeMode = "otp" | "sms" | "recovery";

/**
 * The ways a login's second step can be completed, for the factors the
 * password step named (otp, sms), in the order offered; a recovery code
 * always works. Unknown (after a reload): both, the app first.
 */
export function codeModesFor(factors: readonly string[] | null): CodeMode[] {
  const known = factors && factors.length ? factors : ["otp", "sms"];
  return [...(["otp", "sms"] as const).filter((m) => known.includes(m)), "recovery"];
}

/** Errors found before sending a code of this kind. */
export function checkCodeOf(code: string, mode: CodeMode): FormError[] {
  if (mode !== "sms") return checkCode(code, mode === "recovery");
  if (!code) return [{ field: "code", text: t("sms.codeMissing") }];
  if (!/^\d{6}$/.test(code)) return [{ field: "code", text: t("sms.codeFormat") }];
  return [];
}

/** The error codes the server's eID callback sends to the login page (?fehler=, api/eid.go). */
export const EID_ERRORS = [
  "eid_abgebrochen",
  "eid_abgelaufen",
  "eid_ungueltig",
  "eid_fehler",
  "eid_stufe_unbekannt",
  "eid_stufe_zu_tief",
  "eid_anderes_konto",
  "eid_schon_verbunden",
  "eid_email_bekannt",
  "eid_ohne_email",
] as const;

export type EIDError = (typeof EID_ERRORS)[number];

/** The explanation of an eID error code; an unknown code gets the general one. */
export function eidErrorText(code: string): string {
  const known = (EID_ERRORS as readonly string[]).includes(code) ? (code as EIDError) : "eid_fehler";
  return t(`eidError.${known}`);
}
