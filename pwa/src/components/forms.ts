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
  type?: "text" | "email" | "password" | "tel";
  autocomplete?: string;
  hint?: string | TemplateResult;
  errors?: readonly FormError[];
  inputmode?: "text" | "numeric" | "email" | "tel";
  value?: string;
  readonly?: boolean;
  maxlength?: number;
  /** Phones capitalise the first letter unless told: "words" for names, "none" (the default) for addresses and codes. */
  autocapitalize?: "none" | "words" | "sentences";
}

export function textField(o: FieldOptions): TemplateResult {
  const id = fieldId(o.field);
  const p = fieldParts(id, o.field, o.hint, o.errors);
  return html`<div class="form-field ${p.error ? "has-error" : ""}">
    <label for=${id}>${o.label}</label>
    ${p.parts}
    <input
      id=${id}
      name=${o.field}
      type=${o.type ?? "text"}
      data-password=${o.type === "password" ? "" : nothing}
      autocomplete=${o.autocomplete ?? "off"}
      inputmode=${o.inputmode ?? nothing}
      maxlength=${o.maxlength ?? nothing}
      spellcheck="false"
      autocapitalize=${o.autocapitalize ?? "none"}
      .value=${o.value ?? ""}
      ?readonly=${o.readonly}
      aria-describedby=${p.describedBy}
      aria-invalid=${p.error ? "true" : nothing}
    />
  </div>`;
}

/** The hint and error of a field, and the ids that tie them to it. */
function fieldParts(id: string, field: string, hint: string | TemplateResult | undefined, errors: readonly FormError[] | undefined) {
  const error = errors?.find((e) => e.field === field)?.text;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return {
    error,
    describedBy: describedBy || nothing,
    parts: html`${hint ? html`<div id="${id}-hint" class="field-hint">${hint}</div>` : nothing}
    ${error ? html`<p id="${id}-error" class="field-error"><span class="sr-only">${t("form.errorPrefix")} </span>${error}</p>` : nothing}`,
  };
}

export interface SelectOptions {
  field: string;
  label: string;
  options: readonly { value: string; label: string; lang?: string }[];
  value?: string;
  hint?: string | TemplateResult;
  autocomplete?: string;
  errors?: readonly FormError[];
}

/** A labelled select, with hint and error tied to it like textField's. */
export function selectField(o: SelectOptions): TemplateResult {
  const id = fieldId(o.field);
  const p = fieldParts(id, o.field, o.hint, o.errors);
  return html`<div class="form-field ${p.error ? "has-error" : ""}">
    <label for=${id}>${o.label}</label>
    ${p.parts}
    <select id=${id} name=${o.field} autocomplete=${o.autocomplete ?? "off"} aria-describedby=${p.describedBy} aria-invalid=${p.error ? "true" : nothing}>
      ${o.options.map((opt) => html`<option value=${opt.value} lang=${opt.lang ?? nothing} ?selected=${opt.value === (o.value ?? "")}>${opt.label}</option>`)}
    </select>
  </div>`;
}

export interface CheckboxGroupOptions {
  field: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  checked: readonly string[];
  hint?: string | TemplateResult;
  errors?: readonly FormError[];
}

/**
 * Checkboxes in a fieldset (the legend names the group); the group's error
 * is tied to the fieldset, and the summary's link goes to the first box.
 */
export function checkboxGroup(o: CheckboxGroupOptions): TemplateResult {
  const id = fieldId(o.field);
  const p = fieldParts(id, o.field, o.hint, o.errors);
  return html`<fieldset class="form-field form-group ${p.error ? "has-error" : ""}" aria-describedby=${p.describedBy}>
    <legend>${o.legend}</legend>
    ${p.parts}
    ${o.options.map(
      (opt, i) => html`<div class="form-check">
        <input id=${i === 0 ? id : `${id}-${opt.value}`} type="checkbox" name=${o.field} value=${opt.value} ?checked=${o.checked.includes(opt.value)} />
        <label for=${i === 0 ? id : `${id}-${opt.value}`}>${opt.label}</label>
      </div>`,
    )}
  </fieldset>`;
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

/** The values of a form's named inputs (the first of each name; see formList for checkboxes). */
export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === "string" && !(k in out)) out[k] = v;
  return out;
}

/** Every value of a name in a form (the checked boxes of a group). */
export function formList(event: Event, name: string): string[] {
  return new FormData(event.target as HTMLFormElement).getAll(name).filter((v): v is string => typeof v === "string");
}

/** Checks for empty required fields before anything is sent. */
export function requireFields(values: Record<string, string>, required: Partial<Record<string, MessageKey>>): FormError[] {
  const out: FormError[] = [];
  for (const [field, key] of Object.entries(required)) {
    if (!(values[field] ?? "").trim()) out.push({ field, text: t(key!) });
  }
  return out;
}
