// Accessible form parts of the account pages: labelled fields with a hint
// and an error message tied to the input (aria-describedby, aria-invalid),
// and the error summary whose links move the focus to the field.
import { html, nothing, type TemplateResult } from "lit";
import { ApiError, OfflineError } from "../data/repository.ts";
import type { MessageKey } from "../i18n/index.ts";
import { fieldErrors, localizeFieldError, type FormError } from "../lib/account-input.ts";
import { t } from "../state/store.ts";

export type { FormError } from "../lib/account-input.ts";

/** The id of a field's input: account fields never clash with the shell's ids. */
export function fieldId(field: string): string {
  return `acc-${field}`;
}

export interface FieldOptions {
  field: string;
  label: string;
  type?: "text" | "email" | "password";
  autocomplete?: string;
  hint?: string | TemplateResult;
  errors?: readonly FormError[];
  inputmode?: "text" | "numeric" | "email";
  value?: string;
  readonly?: boolean;
  maxlength?: number;
}

export function textField(o: FieldOptions): TemplateResult {
  const id = fieldId(o.field);
  const error = o.errors?.find((e) => e.field === o.field)?.text;
  const describedBy = [o.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="form-field ${error ? "has-error" : ""}">
    <label for=${id}>${o.label}</label>
    ${o.hint ? html`<div id="${id}-hint" class="field-hint">${o.hint}</div>` : nothing}
    ${error ? html`<p id="${id}-error" class="field-error"><span class="sr-only">${t("form.errorPrefix")} </span>${error}</p>` : nothing}
    <input
      id=${id}
      name=${o.field}
      type=${o.type ?? "text"}
      data-password=${o.type === "password" ? "" : nothing}
      autocomplete=${o.autocomplete ?? "off"}
      inputmode=${o.inputmode ?? nothing}
      maxlength=${o.maxlength ?? nothing}
      spellcheck="false"
      autocapitalize="none"
      .value=${o.value ?? ""}
      ?readonly=${o.readonly}
      aria-describedby=${describedBy || nothing}
      aria-invalid=${error ? "true" : nothing}
    />
  </div>`;
}

/** A checkbox that shows the password fields of its form as text. */
export function showPasswordToggle(): TemplateResult {
  const toggle = (event: Event) => {
    const box = event.target as HTMLInputElement;
    box.form?.querySelectorAll<HTMLInputElement>("input[data-password]").forEach((i) => (i.type = box.checked ? "text" : "password"));
  };
  return html`<div class="form-check">
    <input id="acc-show-password" type="checkbox" @change=${toggle} />
    <label for="acc-show-password">${t("form.showPassword")}</label>
  </div>`;
}

function focusField(event: Event, field: string): void {
  const input = document.getElementById(fieldId(field));
  if (!input) return;
  // The hash would replace a token in the address (verify, reset links).
  event.preventDefault();
  input.focus();
  input.scrollIntoView({ block: "center" });
}

/**
 * The list of what to correct, shown above the form after a failed submit;
 * the page focuses it (.error-summary), so screen readers read it at once.
 */
export function errorSummary(errors: readonly FormError[]): TemplateResult | typeof nothing {
  if (errors.length === 0) return nothing;
  return html`<div class="error-summary" tabindex="-1" aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">${t("form.errorSummary")}</h2>
    <ul>
      ${errors.map((e) =>
        e.field ? html`<li><a href="#${fieldId(e.field)}" @click=${(ev: Event) => focusField(ev, e.field!)}>${e.text}</a></li>` : html`<li>${e.text}</li>`,
      )}
    </ul>
  </div>`;
}

/**
 * Turns a failed request into what the form shows: field errors at their
 * fields (when the form has them), a note when offline or throttled, else
 * a general message with the status.
 */
export function errorsOf(e: unknown, fields: readonly string[]): FormError[] {
  if (e instanceof OfflineError) return [{ text: t("account.offlineSubmit") }];
  if (!(e instanceof ApiError)) {
    console.error(e);
    return [{ text: t("account.failed", { status: "–" }) }];
  }
  if (e.status === 429) return [{ text: t("account.tooMany") }];
  const out: FormError[] = [];
  for (const [field, message] of fieldErrors(e.problem)) {
    const text = localizeFieldError(field, message);
    out.push(fields.includes(field) ? { field, text } : { text });
  }
  return out.length ? out : [{ text: t("account.failed", { status: e.status }) }];
}

/** The values of a form's named inputs. */
export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === "string") out[k] = v;
  return out;
}

/** Checks for empty required fields before anything is sent. */
export function requireFields(values: Record<string, string>, required: Partial<Record<string, MessageKey>>): FormError[] {
  const out: FormError[] = [];
  for (const [field, key] of Object.entries(required)) {
    if (!(values[field] ?? "").trim()) out.push({ field, text: t(key!) });
  }
  return out;
}
