// The order form of a service, rendered from its definition (the same JSON
// Schema and UI schema the server checks against). A draft starts with the
// first change and saves itself shortly after each one (PATCH with
// If-Match); a save over a version another device stored meanwhile (412)
// opens a dialog with both versions, and the person keeps one. Fields are
// checked as the person goes, with the server's schema: an error shows at
// its field once the field was left (or after "Abschicken"), tied to it
// with aria-describedby and aria-invalid, and listed in the summary at
// submission. A guest fills the form and logs in only to submit (the
// draft moves to the account at the login); below the service's level
// the submission asks for the step-up and comes back here.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Attachment, Draft, FormField, FormOut, Service } from "../../api/types.ts";
import { apiUrl } from "../../api/client.ts";
import { errorSummary, errorsOf, fieldId, type FormError } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { ApiError, getService, NotFoundError, OfflineError } from "../../data/repository.ts";
import { createDraft, DraftConflict, getDraft, getForm, grantConsent, mailDraftLink, prefill, saveDraft, submitCase, uploadAttachment } from "../../data/orders.ts";
import { stepUpProblem } from "../../data/account.ts";
import { announce } from "../../lib/announce.ts";
import { formatDate, formatTime } from "../../lib/format.ts";
/** The channels a case can tell the person on (web push follows with the notifications). */
const CASE_CHANNELS = ["email", "sms"] as const;
import {
  choicesOf,
  cleanValues,
  differences,
  fieldIssues,
  fieldOfLocation,
  inLang,
  kindOf,
  parseInput,
  propertyOf,
  requiredFields,
  visibleSections,
  type FieldIssue,
  type FormValues,
} from "../../lib/order-form.ts";
import { issueText } from "../../lib/order-messages.ts";
import { caseHref, loginHref, navigateTo, orderHref, stepUpHref } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { fieldName } from "../account/privacy-labels.ts";

/** How long after the last change the draft is saved. */
const SAVE_DELAY_MS = 800;

type SaveState = "idle" | "saving" | "saved" | "offline" | "failed";

/** The id of a form field's input (never clashing with the shell's ids). */
export function inputId(name: string): string {
  return fieldId(`order-${name}`);
}

@customElement("page-order")
export class PageOrder extends AccountPage {
  @property() slug = "";
  @state() private service: Service | null = null;
  @state() private form: FormOut | null = null;
  @state() private draft: Draft | null = null;
  @state() private values: FormValues = {};
  /** Fields the person has left once: their errors show. */
  @state() private touched = new Set<string>();
  /** After "Abschicken": every field's error shows, missing answers too. */
  @state() private complete = false;
  @state() private saveState: SaveState = "idle";
  @state() private conflict: Draft | null = null;
  @state() private notify: string[] = ["email"];
  @state() private files = new Map<string, Attachment>();
  @state() private uploading = "";
  @state() private linkSentTo = "";
  @state() private prefilled: string[] | null = null;
  /** The case number answers were taken from, if any. */
  private prefilledFrom = "";
  /** Errors the server named for fields the browser found fine. */
  @state() private serverIssues = new Map<string, string>();
  private section: string | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | null = null;
  private dirty = false;
  /** The key of the draft's creation: kept across retries of one attempt, new after a refusal. */
  private createKey = crypto.randomUUID();
  private submitKey = crypto.randomUUID();

  protected pageTitle(): string {
    return this.service ? t("order.title", { service: this.service.title }) : t("order.titlePlain");
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Leaving the page: what was typed in the last moment is saved too.
    if (this.dirty) void this.flush();
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    const id = this.query.get("draft");
    const [service, me] = await Promise.all([getService(this.language, this.slug, signal), session.refresh(false, signal)]);
    this.service = service;
    this.me = me;
    let draft: Draft | null = null;
    if (id) {
      try {
        draft = await getDraft(id, signal);
      } catch (e) {
        // Gone (submitted, deleted, expired) or another person's: a new form.
        if (!(e instanceof NotFoundError)) throw e;
        history.replaceState(null, "", `/services/${this.slug}/order`);
      }
    }
    const form = await getForm(this.slug, draft?.form_version, signal);
    if (!form) throw new NotFoundError();
    this.form = form;
    this.draft = draft;
    this.values = (draft?.data as FormValues | undefined) ?? {};
    this.section = draft?.section;
    if (draft) this.saveState = "saved";
  }

  protected override async start(): Promise<void> {
    await super.start();
    if (this.status === "ready" && this.draft?.section) {
      // Resuming: the section the person was at.
      this.querySelector<HTMLElement>(`#order-section-${this.draft.section}`)?.scrollIntoView({ block: "start" });
    }
  }

  // --- Values and autosave -------------------------------------------------

  private setValue(name: string, value: unknown): void {
    const next = { ...this.values };
    if (value === undefined) delete next[name];
    else next[name] = value;
    this.values = next;
    this.serverIssues.delete(name);
    this.dirty = true;
    this.scheduleSave();
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Saves now what is not saved yet (one save at a time; changes meanwhile follow). */
  private async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    while (this.saving) await this.saving;
    if (!this.dirty || !this.form || this.conflict) return;
    this.saving = this.saveOnce().finally(() => (this.saving = null));
    await this.saving;
  }

  private async saveOnce(): Promise<void> {
    const fields = { data: cleanValues(this.form!, this.values), section: this.section };
    this.dirty = false;
    this.saveState = "saving";
    try {
      if (!this.draft) {
        this.draft = await createDraft(this.slug, fields, this.createKey);
        // The address now names the draft: a reload or a bookmark resumes it.
        history.replaceState(history.state, "", orderHref(this.slug, this.draft.id));
      } else {
        this.draft = await saveDraft(this.draft.id, this.draft.revision, fields);
      }
      this.saveState = "saved";
    } catch (e) {
      this.dirty = true;
      if (e instanceof DraftConflict) {
        this.conflict = e.current;
        this.saveState = "idle";
        await this.updateComplete;
        this.querySelector<HTMLDialogElement>("#order-conflict")?.showModal();
        return;
      }
      this.saveState = e instanceof OfflineError ? "offline" : "failed";
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        // Refused as sent: the same request would be refused again (and
        // answered from the idempotency store); the next change tries anew.
        console.error("draft save refused", e.status, e.problem);
        this.createKey = crypto.randomUUID();
        return;
      }
      if (!(e instanceof OfflineError)) console.error(e);
      // Try again a little later; the values stay in the page meanwhile.
      this.saveTimer = setTimeout(() => void this.flush(), 5000);
    }
  }

  /** The 412 dialog: keep this device's answers (saved over the other version) or take the other one. */
  private async resolveConflict(keepMine: boolean): Promise<void> {
    const current = this.conflict!;
    this.querySelector<HTMLDialogElement>("#order-conflict")?.close();
    this.conflict = null;
    this.draft = current;
    if (keepMine) {
      this.dirty = true;
      await this.flush();
      announce(t("order.conflict.keptMine"));
    } else {
      this.values = (current.data as FormValues) ?? {};
      this.dirty = false;
      this.saveState = "saved";
      announce(t("order.conflict.tookTheirs"));
    }
  }

  // --- Input events ----------------------------------------------------------

  private onInput(field: FormField, event: Event): void {
    const input = event.target as HTMLInputElement;
    const prop = propertyOf(this.form!, field.name);
    this.setValue(field.name, parseInput(prop, input.value));
  }

  private onChoice(field: FormField, value: string): void {
    this.setValue(field.name, value || undefined);
    this.touch(field.name);
  }

  private onCheck(field: FormField, event: Event): void {
    this.setValue(field.name, (event.target as HTMLInputElement).checked || undefined);
    this.touch(field.name);
  }

  private onPosition(field: FormField, part: "lat" | "lon", event: Event): void {
    const raw = (event.target as HTMLInputElement).value;
    const current = { ...((this.values[field.name] as Record<string, unknown> | undefined) ?? {}) };
    const n = parseInput({ type: "number" }, raw);
    if (n === undefined) delete current[part];
    else current[part] = n;
    this.setValue(field.name, Object.keys(current).length ? current : undefined);
  }

  private locate(field: FormField): void {
    if (!navigator.geolocation) {
      announce(t("order.map.unavailable"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        this.setValue(field.name, { lat: Number(pos.coords.latitude.toFixed(6)), lon: Number(pos.coords.longitude.toFixed(6)) });
        this.touch(field.name);
        announce(t("order.map.located"));
      },
      () => announce(t("order.map.denied")),
      { enableHighAccuracy: true, timeout: 10000 },
    );
  }

  private async onFiles(field: FormField, event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const chosen = [...(input.files ?? [])];
    input.value = "";
    const ids = [...((this.values[field.name] as string[] | undefined) ?? [])];
    for (const file of chosen) {
      this.uploading = t("order.file.uploading", { name: file.name });
      try {
        const a = await uploadAttachment(file);
        this.files = new Map(this.files).set(a.id, a);
        ids.push(a.id);
        announce(t("order.file.uploaded", { name: a.filename }));
      } catch (e) {
        const msg = e instanceof ApiError && e.status === 413 ? t("order.file.tooLarge", { name: file.name }) : e instanceof ApiError && e.status === 422 ? t("order.file.badType", { name: file.name }) : t("order.file.failed", { name: file.name });
        this.serverIssues = new Map(this.serverIssues).set(field.name, msg);
        announce(msg);
      }
    }
    this.uploading = "";
    this.setValue(field.name, ids.length ? ids : undefined);
    this.touch(field.name);
  }

  private removeFile(field: FormField, id: string): void {
    const ids = ((this.values[field.name] as string[] | undefined) ?? []).filter((x) => x !== id);
    this.setValue(field.name, ids.length ? ids : undefined);
    announce(t("order.file.removed"));
    this.querySelector<HTMLElement>(`#${inputId(field.name)}`)?.focus();
  }

  private touch(name: string): void {
    if (!this.touched.has(name)) this.touched = new Set(this.touched).add(name);
  }

  private onFocusIn(event: FocusEvent): void {
    const fieldset = (event.target as HTMLElement).closest<HTMLElement>("[data-section]");
    const id = fieldset?.dataset["section"];
    if (id && id !== this.section) this.section = id;
  }

  // --- Prefill -----------------------------------------------------------------

  /** What the consent for this service names: the profile fields the form maps, and earlier cases when it reuses answers. */
  private consentFields(): string[] {
    const ui = this.form!.ui;
    return [...new Set(Object.values(ui.prefill ?? {})), ...(ui.reuse?.length ? ["earlier_cases"] : [])];
  }

  /**
   * Agrees for this service and fills empty fields from the profile and
   * from the last case of the service (each read is in the transparency log).
   */
  private async usePrefill(): Promise<void> {
    const ui = this.form!.ui;
    await this.step(t("order.prefill.busy"), [], async () => {
      await grantConsent(this.slug, this.consentFields());
      const p = await prefill(this.slug);
      const filled: string[] = [];
      const next = { ...this.values };
      const empty = (f: string) => next[f] === undefined || next[f] === "";
      for (const [formField, profileField] of Object.entries(ui.prefill ?? {})) {
        const v = p.values[profileField];
        if (v && empty(formField)) {
          next[formField] = v;
          filled.push(formField);
        }
      }
      for (const f of ui.reuse ?? []) {
        const v = p.earlier?.values[f];
        if (v !== undefined && v !== null && empty(f)) {
          next[f] = v;
          filled.push(f);
        }
      }
      this.values = next;
      this.prefilled = filled;
      this.prefilledFrom = p.earlier?.case_number ?? "";
      if (filled.length) {
        this.dirty = true;
        this.scheduleSave();
      }
    });
    announce(this.prefillText());
  }

  private prefillText(): string {
    const n = this.prefilled?.length ?? 0;
    if (!n) return t("order.prefill.none");
    return this.prefilledFrom ? t("order.prefill.doneEarlier", { count: n, number: this.prefilledFrom }) : t("order.prefill.done", { count: n });
  }

  // --- Submission ----------------------------------------------------------------

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    this.complete = true;
    const issues = this.issues();
    if (issues.size > 0) {
      await this.showErrors(this.summaryErrors(issues));
      return;
    }
    if (!session.me) {
      await this.flush();
      if (this.draft) navigateTo(loginHref(orderHref(this.slug, this.draft.id)));
      return;
    }
    let number = "";
    const ok = await this.step(
      t("order.submitting"),
      [],
      async () => {
        this.dirty = true; // the last state is on the server before it checks it
        await this.flush();
        if (!this.draft || this.conflict) throw new Error("draft not saved");
        const c = await submitCase(this.draft.id, this.notify, this.submitKey);
        number = c.number;
      },
      (e) => this.submitErrors(e),
    );
    if (ok) {
      this.dirty = false;
      navigateTo(`${caseHref(number)}?new=1`);
    }
  }

  private submitErrors(e: unknown): FormError[] | null {
    const problem = stepUpProblem(e);
    if (problem && problem.status === 403 && this.draft) {
      navigateTo(stepUpHref({ level: problem.required_level, methods: problem.methods, maxAge: problem.max_age, next: orderHref(this.slug, this.draft.id) }));
      return [];
    }
    if (e instanceof ApiError && e.status === 401 && this.draft) {
      session.set(null);
      navigateTo(loginHref(orderHref(this.slug, this.draft.id)));
      return [];
    }
    if (e instanceof ApiError && e.status === 422) {
      const server = new Map<string, string>();
      for (const d of e.problem?.errors ?? []) {
        const name = fieldOfLocation(d.location ?? "");
        if (name && !server.has(name)) server.set(name, t("order.error.invalid"));
      }
      if (server.size) {
        this.serverIssues = server;
        return this.summaryErrors(this.issues());
      }
    }
    if (e instanceof ApiError && e.status === 404) return [{ text: t("order.submitGone") }];
    // A new attempt after an unclear failure keeps the key: the server answers it once.
    return errorsOf(e, []);
  }

  private issues(): Map<string, FieldIssue | string> {
    const out = new Map<string, FieldIssue | string>(fieldIssues(this.form!, this.values, this.complete));
    for (const [k, v] of this.serverIssues) if (!out.has(k)) out.set(k, v);
    return out;
  }

  private summaryErrors(issues: Map<string, FieldIssue | string>): FormError[] {
    const form = this.form!;
    const out: FormError[] = [];
    for (const { fields } of visibleSections(form, this.values)) {
      for (const f of fields) {
        const issue = issues.get(f.name);
        if (!issue) continue;
        const text = typeof issue === "string" ? issue : issueText(issue, kindOf(f, propertyOf(form, f.name)));
        out.push({ field: `order-${f.name}`, text: `${inLang(f.label, store.lang)}: ${text}` });
      }
    }
    return out;
  }

  // --- Rendering -----------------------------------------------------------------

  private fieldError(name: string, issues: Map<string, FieldIssue | string>, kind: ReturnType<typeof kindOf>): string {
    if (!this.complete && !this.touched.has(name) && !this.serverIssues.has(name)) return "";
    const issue = issues.get(name);
    if (!issue) return "";
    return typeof issue === "string" ? issue : issueText(issue, kind);
  }

  private renderField(f: FormField, issues: Map<string, FieldIssue | string>, required: Set<string>): TemplateResult {
    const lang = store.lang;
    const form = this.form!;
    const prop = propertyOf(form, f.name);
    const kind = kindOf(f, prop);
    const id = inputId(f.name);
    const label = inLang(f.label, lang);
    const help = inLang(f.help, lang);
    const error = this.fieldError(f.name, issues, kind);
    const isRequired = required.has(f.name);
    const describedBy = [help ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || nothing;
    const value = this.values[f.name];
    const labelText = html`${label}${isRequired ? nothing : html` <span class="optional">${t("order.optional")}</span>`}`;
    const parts = html`${help ? html`<div id="${id}-hint" class="field-hint">${help}</div>` : nothing}
    ${error ? html`<p id="${id}-error" class="field-error"><span class="sr-only">${t("form.errorPrefix")} </span>${error}</p>` : nothing}`;
    const invalid = error ? "true" : nothing;
    const cls = `form-field ${error ? "has-error" : ""}`;
    const blur = () => this.touch(f.name);
    switch (kind) {
      case "radio":
        return html`<fieldset class="${cls} form-group" aria-describedby=${describedBy} aria-invalid=${invalid}>
          <legend>${labelText}</legend>
          ${parts}
          ${choicesOf(f, prop, lang).map(
            (c, i) => html`<div class="form-check">
              <input id=${i === 0 ? id : `${id}-${c.value}`} type="radio" name=${f.name} value=${c.value} .checked=${value === c.value} ?required=${isRequired} @change=${() => this.onChoice(f, c.value)} />
              <label for=${i === 0 ? id : `${id}-${c.value}`}>${c.label}</label>
            </div>`,
          )}
        </fieldset>`;
      case "select":
        return html`<div class=${cls}>
          <label for=${id}>${labelText}</label>
          ${parts}
          <select id=${id} name=${f.name} aria-describedby=${describedBy} aria-invalid=${invalid} ?required=${isRequired} @change=${(e: Event) => this.onChoice(f, (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${value === undefined}>${t("order.choose")}</option>
            ${choicesOf(f, prop, lang).map((c) => html`<option value=${c.value} ?selected=${value === c.value}>${c.label}</option>`)}
          </select>
        </div>`;
      case "checkbox":
        return html`<div class="${cls} form-check form-check-single">
          <input id=${id} type="checkbox" name=${f.name} .checked=${value === true} aria-describedby=${describedBy} aria-invalid=${invalid} @change=${(e: Event) => this.onCheck(f, e)} />
          <label for=${id}>${labelText}</label>
          ${parts}
        </div>`;
      case "textarea":
        return html`<div class=${cls}>
          <label for=${id}>${labelText}</label>
          ${parts}
          <textarea id=${id} name=${f.name} rows="4" maxlength=${prop.maxLength ?? nothing} ?required=${isRequired} aria-describedby=${describedBy} aria-invalid=${invalid}
            .value=${typeof value === "string" ? value : ""} @input=${(e: Event) => this.onInput(f, e)} @blur=${blur}></textarea>
        </div>`;
      case "file":
        return this.renderFiles(f, cls, labelText, parts, describedBy, invalid, prop.maxItems ?? 1);
      case "map":
        return this.renderPosition(f, cls, labelText, parts, describedBy, invalid);
      default: {
        const type = kind === "email" ? "email" : kind === "tel" ? "tel" : kind === "date" ? "date" : "text";
        const numeric = kind === "number";
        const shown = value === undefined ? "" : String(value);
        return html`<div class=${cls}>
          <label for=${id}>${labelText}</label>
          ${parts}
          <input id=${id} name=${f.name} type=${type} .value=${shown} ?required=${isRequired}
            inputmode=${numeric ? (prop.type === "integer" ? "numeric" : "decimal") : nothing}
            maxlength=${prop.maxLength ?? nothing}
            autocomplete=${autocompleteOf(f.name, kind)}
            aria-describedby=${describedBy} aria-invalid=${invalid}
            @input=${(e: Event) => this.onInput(f, e)} @blur=${blur} />
        </div>`;
      }
    }
  }

  private renderFiles(f: FormField, cls: string, label: TemplateResult, parts: TemplateResult, describedBy: string | typeof nothing, invalid: string | typeof nothing, max: number): TemplateResult {
    const id = inputId(f.name);
    const ids = (this.values[f.name] as string[] | undefined) ?? [];
    return html`<div class=${cls}>
      <label for=${id}>${label}</label>
      ${parts}
      <p id="${id}-types" class="field-hint">${t("order.file.types", { max })}</p>
      ${ids.length
        ? html`<ul class="file-list" role="list">
            ${ids.map((a, i) => {
              const known = this.files.get(a);
              const name = known?.filename ?? t("order.file.numbered", { n: i + 1 });
              return html`<li>
                <a href=${apiUrl(`/api/v1/attachments/${a}`)} download>${name}</a>
                <button type="button" class="button button-small" aria-label=${t("order.file.remove", { name })} @click=${() => this.removeFile(f, a)}>${t("order.file.removeShort")}</button>
              </li>`;
            })}
          </ul>`
        : nothing}
      ${ids.length < max
        ? html`<input id=${id} type="file" accept="image/jpeg,image/png,image/webp,image/heic,application/pdf" ?multiple=${max - ids.length > 1}
            aria-describedby="${describedBy === nothing ? "" : describedBy} ${id}-types" aria-invalid=${invalid} @change=${(e: Event) => void this.onFiles(f, e)} />`
        : nothing}
      <p class="form-status" role="status">${this.uploading ? html`<span class="spinner" aria-hidden="true"></span>${this.uploading}` : nothing}</p>
    </div>`;
  }

  private renderPosition(f: FormField, cls: string, label: TemplateResult, parts: TemplateResult, describedBy: string | typeof nothing, invalid: string | typeof nothing): TemplateResult {
    const id = inputId(f.name);
    const v = (this.values[f.name] as { lat?: number; lon?: number } | undefined) ?? {};
    return html`<fieldset class="${cls} form-group" aria-describedby=${describedBy} aria-invalid=${invalid}>
      <legend>${label}</legend>
      ${parts}
      <p><button id=${id} type="button" class="button" @click=${() => this.locate(f)}>${icon("map-pin")}${t("order.map.useLocation")}</button></p>
      <div class="form-row">
        <div class="form-field">
          <label for="${id}-lat">${t("order.map.lat")}</label>
          <input id="${id}-lat" type="text" inputmode="decimal" .value=${v.lat === undefined ? "" : String(v.lat)} @input=${(e: Event) => this.onPosition(f, "lat", e)} @blur=${() => this.touch(f.name)} />
        </div>
        <div class="form-field">
          <label for="${id}-lon">${t("order.map.lon")}</label>
          <input id="${id}-lon" type="text" inputmode="decimal" .value=${v.lon === undefined ? "" : String(v.lon)} @input=${(e: Event) => this.onPosition(f, "lon", e)} @blur=${() => this.touch(f.name)} />
        </div>
      </div>
      ${v.lat !== undefined && v.lon !== undefined
        ? html`<p><a href="https://www.openstreetmap.org/?mlat=${v.lat}&mlon=${v.lon}#map=18/${v.lat}/${v.lon}" target="_blank" rel="noopener">${t("order.map.check")}</a></p>`
        : nothing}
    </fieldset>`;
  }

  private renderSaveState(): TemplateResult {
    const d = this.draft;
    const lang = store.lang;
    let text: string = "";
    switch (this.saveState) {
      case "saving":
        text = t("order.save.saving");
        break;
      case "saved":
        text = d ? t("order.save.saved", { time: formatTime(lang, d.updated_at) }) : "";
        break;
      case "offline":
        text = t("order.save.offline");
        break;
      case "failed":
        text = t("order.save.failed");
        break;
    }
    return html`<div class="draft-state">
      <p class="form-status" role="status">${text}</p>
      ${d ? html`<p class="note">${t(d.guest ? "order.retention.guest" : "order.retention.account", { days: d.retention_days, date: formatDate(lang, d.expires_at) })}</p>` : nothing}
      ${d && d.guest ? this.renderContinueLater(d) : nothing}
    </div>`;
  }

  private renderContinueLater(d: Draft): TemplateResult {
    const send = async (event: Event) => {
      event.preventDefault();
      const email = new FormData(event.target as HTMLFormElement).get("email");
      if (typeof email !== "string" || !email.trim()) {
        await this.showErrors([{ field: "later-email", text: t("form.email.missing") }]);
        return;
      }
      this.busyWhere = "later";
      const ok = await this.step(t("order.later.sending"), ["later-email"], async () => {
        await this.flush();
        await mailDraftLink(d.id, email.trim());
      });
      if (ok) {
        this.linkSentTo = email.trim();
        announce(t("order.later.sent", { email: this.linkSentTo }));
      }
    };
    return html`<details class="continue-later">
      <summary>${t("order.later.title")}</summary>
      <p>${t("order.later.intro")}</p>
      <form class="inline-form" novalidate @submit=${(e: Event) => void send(e)}>
        <div class="form-field">
          <label for="acc-later-email">${t("form.email")}</label>
          <input id="acc-later-email" name="email" type="email" autocomplete="email" spellcheck="false" autocapitalize="none" />
        </div>
        <p><button class="button" type="submit">${t("order.later.send")}</button></p>
        ${this.renderBusy("later")}
      </form>
      ${this.linkSentTo ? html`<p class="note-box success-note">${icon("mail")}<span>${t("order.later.sent", { email: this.linkSentTo })}</span></p>` : nothing}
    </details>`;
  }

  private renderPrefill(): TemplateResult | typeof nothing {
    const fields = this.consentFields();
    if (!fields.length) return nothing;
    if (!session.me) {
      const back = this.draft ? orderHref(this.slug, this.draft.id) : orderHref(this.slug);
      return html`<p class="note-box">${icon("user")}<span>${t("order.prefill.guest")} <a href=${loginHref(back)} @click=${() => void this.flush()}>${t("order.prefill.login")}</a></span></p>`;
    }
    if (this.prefilled) {
      return html`<p class="note-box success-note">${icon("shield")}<span>${this.prefillText()}</span></p>`;
    }
    return html`<section class="prefill-box" aria-labelledby="prefill-heading">
      <h2 id="prefill-heading">${t("order.prefill.title")}</h2>
      <p>${t("order.prefill.intro", { fields: fields.map(fieldName).join(", ") })}</p>
      <p><button class="button" type="button" @click=${() => void this.usePrefill()}>${t("order.prefill.agree")}</button></p>
    </section>`;
  }

  private renderConflict(): TemplateResult {
    const c = this.conflict;
    const form = this.form!;
    const lang = store.lang;
    const show = (v: unknown, f: FormField): string => {
      if (v === undefined || v === "") return t("order.conflict.empty");
      if (typeof v === "boolean") return v ? t("order.yes") : t("order.no");
      if (Array.isArray(v)) return t("order.conflict.files", { count: v.length });
      if (typeof v === "object") return JSON.stringify(v);
      return inLang(f.options?.[String(v)], lang) || String(v);
    };
    const mine = cleanValues(form, this.values);
    const theirs = (c?.data as FormValues | undefined) ?? {};
    return html`<dialog id="order-conflict" aria-labelledby="conflict-title" @cancel=${(e: Event) => e.preventDefault()}>
      ${c
        ? html`<h2 id="conflict-title">${t("order.conflict.title")}</h2>
            <p>${t("order.conflict.intro", { time: formatTime(lang, c.updated_at) })}</p>
            <table class="conflict-table">
              <caption class="sr-only">${t("order.conflict.caption")}</caption>
              <thead><tr><th scope="col">${t("order.conflict.field")}</th><th scope="col">${t("order.conflict.mine")}</th><th scope="col">${t("order.conflict.theirs")}</th></tr></thead>
              <tbody>
                ${differences(form, mine, theirs).map((f) => html`<tr><th scope="row">${inLang(f.label, lang)}</th><td>${show(mine[f.name], f)}</td><td>${show(theirs[f.name], f)}</td></tr>`)}
              </tbody>
            </table>
            <p class="button-row">
              <button class="button button-primary" type="button" @click=${() => void this.resolveConflict(true)}>${t("order.conflict.keepMine")}</button>
              <button class="button" type="button" @click=${() => void this.resolveConflict(false)}>${t("order.conflict.takeTheirs")}</button>
            </p>`
        : nothing}
    </dialog>`;
  }

  protected renderPage(): TemplateResult {
    const s = this.service!;
    const form = this.form!;
    const lang = store.lang;
    const issues = this.issues();
    const required = requiredFields(form);
    const sections = visibleSections(form, this.values);
    return html`
      ${breadcrumbs([{ href: `/services/${s.slug}`, label: s.title }, { label: t("order.crumb") }])}
      <h1 tabindex="-1">${this.pageTitle()}</h1>
      <p class="lead">${t("order.intro")}</p>
      ${this.renderPrefill()}
      ${errorSummary(this.errors)}
      <form class="order-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)} @focusin=${(e: FocusEvent) => this.onFocusIn(e)}>
        ${sections.map(
          ({ section, fields }) => html`<fieldset class="form-section" id="order-section-${section.id}" data-section=${section.id}>
            <legend><h2>${inLang(section.title, lang)}</h2></legend>
            ${fields.map((f) => this.renderField(f, issues, required))}
          </fieldset>`,
        )}
        <fieldset class="form-section">
          <legend><h2>${t("order.send.title")}</h2></legend>
          <fieldset class="form-field form-group">
            <legend>${t("order.notify.legend")}</legend>
            <div class="field-hint" id="notify-hint">${t("order.notify.hint")}</div>
            ${CASE_CHANNELS.map(
              (c) => html`<div class="form-check">
                <input id="order-notify-${c}" type="checkbox" name="notify" value=${c} .checked=${this.notify.includes(c)} aria-describedby="notify-hint"
                  @change=${(e: Event) => (this.notify = (e.target as HTMLInputElement).checked ? [...this.notify, c] : this.notify.filter((x) => x !== c))} />
                <label for="order-notify-${c}">${t(`profile.channel.${c}`)}</label>
              </div>`,
            )}
          </fieldset>
          ${session.me ? nothing : html`<p class="note">${t("order.loginToSubmit")}</p>`}
          <p><button class="button button-primary button-large" type="submit">${session.me ? t("order.submit") : t("order.loginAndSubmit")}${icon("arrow-right")}</button></p>
          ${this.renderBusy()}
        </fieldset>
      </form>
      ${this.renderSaveState()}
      ${this.renderConflict()}
    `;
  }
}

/** Autofill hints for the fields forms commonly share with the profile. */
function autocompleteOf(name: string, kind: string): string {
  const known: Record<string, string> = {
    given_name: "given-name",
    family_name: "family-name",
    street: "street-address",
    postal_code: "postal-code",
    locality: "address-level2",
    phone: "tel",
    email: "email",
    birth_date: "bday",
  };
  return known[name] ?? (kind === "email" ? "email" : kind === "tel" ? "tel" : "off");
}

declare global {
  interface HTMLElementTagNameMap {
    "page-order": PageOrder;
  }
}
