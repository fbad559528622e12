// The second factor: a code from the authenticator app, or (phone lost) a
// recovery code. Used by the login's second step and by the step-up page.
import { html, nothing, type TemplateResult } from "lit";
import { textField, type FormError } from "../../components/forms.ts";
import { ApiError } from "../../data/repository.ts";
import { appCodeWorksFor } from "../../lib/account-input.ts";
import { t } from "../../state/store.ts";

let due: string[] | null = null;

/** Remembers the second factors the login named, for its second step. */
export function rememberFactors(factors: string[]): void {
  due = factors;
}

/** Whether the app's code can complete the login that is under way (see appCodeWorksFor). */
export function appCodeWorks(factors: string[] | null = due): boolean {
  return appCodeWorksFor(factors);
}

export interface CodeFormOptions {
  recovery: boolean;
  errors: readonly FormError[];
  submitLabel: string;
  busy: TemplateResult;
  onSubmit: (event: Event) => void;
  onToggle: () => void;
  /** The app is not a choice (an account without one): recovery codes only. */
  recoveryOnly?: boolean;
}

export function codeForm(o: CodeFormOptions): TemplateResult {
  return html`<form class="account-form" novalidate @submit=${o.onSubmit}>
    ${o.recovery
      ? textField({ field: "code", label: t("code.recoveryLabel"), hint: t("code.recoveryHint"), autocomplete: "off", maxlength: 20, errors: o.errors })
      : textField({ field: "code", label: t("code.appLabel"), hint: t("code.appHint"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, errors: o.errors })}
    <p><button class="button button-primary" type="submit">${o.submitLabel}</button></p>
    ${o.busy}
    ${o.recoveryOnly
      ? nothing
      : html`<p><button class="button button-quiet" type="button" @click=${o.onToggle}>${o.recovery ? t("code.useApp") : t("code.useRecovery")}</button></p>`}
  </form>`;
}

/** A wrong or used code is a 401 from the API; it belongs at the field. */
export function codeErrors(e: unknown): FormError[] | null {
  if (e instanceof ApiError && e.status === 401) return [{ field: "code", text: t("code.wrong") }];
  return null;
}
