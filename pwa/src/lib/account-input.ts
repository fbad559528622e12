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

/** The field errors of a problem: "body.password" → "password" (the first message per field). */
export function fieldErrors(problem: Problem | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of problem?.errors ?? []) {
    const field = d.location?.replace(/^body\./, "");
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

/**
 * Whether a code from the authenticator app can complete a login whose
 * second step named these factors. Codes by SMS are not offered by this app
 * yet: an account with SMS only uses a recovery code here. Unknown (after a
 * reload): the app, the common case.
 */
export function appCodeWorksFor(factors: readonly string[] | null): boolean {
  return factors === null || factors.length === 0 || factors.includes("otp");
}
