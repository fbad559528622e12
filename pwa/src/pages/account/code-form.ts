// The second factor: a code from the authenticator app, a code sent by SMS
// (sent on request, since each SMS costs and is limited), or (phone lost) a
// recovery code. Used by the login's second step and by the step-up page;
// the page keeps the state (which way, whether an SMS went out) and does
// the requests.
import { html, nothing, type TemplateResult } from "lit";
import type { SMSSent } from "../../api/types.ts";
import { textField, type FormError } from "../../components/forms.ts";
import { ApiError } from "../../data/repository.ts";
import { codeModesFor, type CodeMode } from "../../lib/account-input.ts";
import { formatTime } from "../../lib/format.ts";
import { store, t } from "../../state/store.ts";

let due: string[] | null = null;

/** Remembers the second factors the login named, for its second step. */
export function rememberFactors(factors: string[]): void {
  due = factors;
}

/** The ways to complete the login under way (unknown after a reload: all of them). */
export function loginCodeModes(factors: string[] | null = due): CodeMode[] {
  return codeModesFor(factors);
}

export interface CodeStepOptions {
  /** The ways this account can use, in the order offered (see codeModesFor). */
  modes: readonly CodeMode[];
  mode: CodeMode;
  /** The SMS sent for this step, once one was. */
  sent: SMSSent | null;
  errors: readonly FormError[];
  submitLabel: string;
  busy: TemplateResult;
  onSubmit: (event: Event) => void;
  onMode: (mode: CodeMode) => void;
  onSendSMS: () => void;
}

const SWITCH_KEYS = { otp: "code.useApp", sms: "code.useSms", recovery: "code.useRecovery" } as const;

function codeField(mode: CodeMode, errors: readonly FormError[]): TemplateResult {
  switch (mode) {
    case "recovery":
      return textField({ field: "code", label: t("code.recoveryLabel"), hint: t("code.recoveryHint"), autocomplete: "off", maxlength: 20, errors });
    case "sms":
      return textField({ field: "code", label: t("sms.codeLabel"), hint: t("sms.codeHint"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, errors });
    default:
      return textField({ field: "code", label: t("code.appLabel"), hint: t("code.appHint"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, errors });
  }
}

/** What an SMS step says once the code went out: where to, and until when it works. */
export function smsSentNote(sent: SMSSent): TemplateResult {
  return html`<p class="note-box sms-sent">${t("sms.sent", { number: sent.sent_to, time: formatTime(store.lang, sent.expires_at) })}</p>`;
}

export function codeStep(o: CodeStepOptions): TemplateResult {
  const waiting = o.mode === "sms" && !o.sent;
  return html`${waiting
      ? html`<p>${t("sms.sendIntro")}</p>
          <p><button class="button button-primary code-send" type="button" @click=${o.onSendSMS}>${t("sms.send")}</button></p>
          ${o.busy}`
      : html`${o.mode === "sms" ? smsSentNote(o.sent!) : nothing}
          <form class="account-form" novalidate @submit=${o.onSubmit}>
            ${codeField(o.mode, o.errors)}
            <p><button class="button button-primary" type="submit">${o.submitLabel}</button></p>
            ${o.busy}
            ${o.mode === "sms" ? html`<p><button class="button button-quiet" type="button" @click=${o.onSendSMS}>${t("sms.resend")}</button></p>` : nothing}
          </form>`}
    ${o.modes.length > 1
      ? html`<ul class="link-list code-modes">
          ${o.modes
            .filter((m) => m !== o.mode)
            .map((m) => html`<li><button class="button button-quiet" type="button" @click=${() => o.onMode(m)}>${t(SWITCH_KEYS[m])}</button></li>`)}
        </ul>`
      : nothing}`;
}

/** A wrong or used code is a 401 from the API; it belongs at the field. */
export function codeErrors(e: unknown, mode: CodeMode = "otp"): FormError[] | null {
  if (e instanceof ApiError && e.status === 401) return [{ field: "code", text: t(mode === "sms" ? "sms.wrong" : "code.wrong") }];
  return null;
}

/**
 * Why an SMS was not sent, in words: too soon after the last one (429 with
 * Retry-After), no number for SMS codes (404), or no SMS on this server (503).
 */
export function smsSendErrors(e: unknown): FormError[] | null {
  if (!(e instanceof ApiError)) return null;
  switch (e.status) {
    case 429:
      if (!e.retryAfter) return [{ text: t("account.tooMany") }];
      return [{ text: e.retryAfter > 90 ? t("sms.waitMinutes", { minutes: Math.ceil(e.retryAfter / 60) }) : t("sms.wait", { seconds: e.retryAfter }) }];
    case 404:
      return [{ text: t("sms.none") }];
    case 503:
      return [{ text: t("sms.unavailable") }];
    default:
      return null;
  }
}
