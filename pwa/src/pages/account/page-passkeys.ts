// Passkeys: the account's passkeys (name, when added and last used, whether
// synced to other devices), adding one of this device, renaming and
// removing. Adding a way to log in needs a login in the last 15 minutes:
// the server then answers with a step-up problem, the step-up page confirms
// it is the person and brings them back here (?add=1), where they add it
// with one more click (browsers want the passkey dialog to follow a click).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Passkey } from "../../api/types.ts";
import { errorSummary, formValues, textField, type FormError } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { addPasskey, listPasskeys, removePasskey, renamePasskey } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { passkeysSupported } from "../../lib/webauthn.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { suggestedPasskeyName } from "./labels.ts";
import { passkeyErrors } from "./passkey-errors.ts";

/** Checked like the server (1 to 60 characters once trimmed), before anything is sent. */
function checkName(name: string, field: string): FormError[] {
  const n = [...name.trim()].length;
  return n < 1 || n > 60 ? [{ field, text: t("passkey.nameInvalid") }] : [];
}

@customElement("page-passkeys")
export class PagePasskeys extends AccountPage {
  protected override requiresLogin = true;
  @state() private passkeys: Passkey[] = [];
  /** The passkey being renamed (its form is open), or null. */
  @state() private renaming: string | null = null;
  /** The passkey the removal dialog asks about. */
  @state() private removing: Passkey | null = null;

  protected pageTitle(): string {
    return t("passkey.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    this.passkeys = await listPasskeys(signal);
  }

  protected override ready(): void {
    super.ready();
    // Back from confirming it is the person: the add button is next.
    if (this.status === "ready" && this.query.get("add") === "1") void this.updateComplete.then(() => this.querySelector<HTMLElement>("#add-passkey")?.focus());
  }

  private async onAdd(event: Event): Promise<void> {
    const name = (formValues(event).name ?? "").trim();
    if (!(await this.showErrors(checkName(name, "name")))) return;
    this.busyWhere = "add";
    let added: Passkey | undefined;
    const ok = await this.step(t("passkey.busyAdd"), ["name"], async () => {
      added = await addPasskey(name);
    }, (e) => passkeyErrors(e) ?? (this.leaveFor(e, `${ACCOUNT_PATHS.passkeys}?add=1`) ? [] : null));
    if (!ok || !added) return;
    this.passkeys = [...this.passkeys, added];
    announce(t("passkey.added", { name: added.name }));
    await this.focusHeading(`#passkey-${added.id}`);
  }

  private async openRename(p: Passkey): Promise<void> {
    this.renaming = p.id;
    this.errors = [];
    await this.updateComplete;
    this.querySelector<HTMLInputElement>(`#acc-rename-${p.id}`)?.select();
  }

  private async closeRename(p: Passkey): Promise<void> {
    this.renaming = null;
    this.errors = [];
    await this.updateComplete;
    this.querySelector<HTMLElement>(`#rename-${p.id}`)?.focus();
  }

  private async onRename(event: Event, p: Passkey): Promise<void> {
    const field = `rename-${p.id}`;
    const name = (formValues(event)[field] ?? "").trim();
    if (!(await this.showErrors(checkName(name, field)))) return;
    this.busyWhere = p.id;
    const ok = await this.step(t("passkey.busyRename"), [field], () => renamePasskey(p.id, name), (e) =>
      e instanceof ApiError && e.status === 422 ? [{ field, text: t("passkey.nameInvalid") }] : null,
    );
    if (!ok) return;
    this.passkeys = this.passkeys.map((x) => (x.id === p.id ? { ...x, name } : x));
    this.renaming = null;
    announce(t("passkey.renamed", { name }));
    await this.focusHeading(`#passkey-${p.id}`);
  }

  private get dialog(): HTMLDialogElement | null {
    return this.querySelector<HTMLDialogElement>("#remove-dialog");
  }

  private async askRemove(p: Passkey): Promise<void> {
    this.removing = p;
    this.errors = [];
    await this.updateComplete;
    this.dialog?.showModal();
  }

  private async onRemove(): Promise<void> {
    const p = this.removing;
    if (!p) return;
    this.dialog?.close();
    this.busyWhere = "list";
    let gone = false;
    const ok = await this.step(t("passkey.busyRemove"), [], () => removePasskey(p.id), (e) => {
      gone = e instanceof ApiError && e.status === 404; // removed elsewhere in the meantime
      return gone || this.leaveFor(e) ? [] : null;
    });
    if (!ok && !gone) return;
    this.passkeys = this.passkeys.filter((x) => x.id !== p.id);
    announce(t("passkey.removed", { name: p.name }));
    await this.focusHeading("#passkeys-count");
  }

  private renderItem(p: Passkey): TemplateResult {
    const field = `rename-${p.id}`;
    return html`<li class="device">
      <h3 id="passkey-${p.id}">${icon("key")}${p.name}</h3>
      <dl class="facts">
        <div><dt>${t("passkey.created")}</dt><dd>${formatDateTime(store.lang, p.created_at)}</dd></div>
        <div><dt>${t("passkey.lastUsed")}</dt><dd>${p.last_used_at ? formatDateTime(store.lang, p.last_used_at) : t("passkey.neverUsed")}</dd></div>
        <div>
          <dt>${t("passkey.synced")}</dt>
          <dd>${p.synced ? t("passkey.syncedYes") : p.backup_eligible ? t("passkey.syncedCan") : t("passkey.syncedNo")}</dd>
        </div>
      </dl>
      ${this.renaming === p.id
        ? html`<form class="account-form rename-form" novalidate @submit=${(e: Event) => void this.onRename(e, p)}>
            ${textField({ field, label: t("passkey.newName"), hint: t("passkey.nameHint"), value: p.name, maxlength: 60, errors: this.errors })}
            <div class="button-row">
              <button class="button button-primary" type="submit">${t("passkey.save")}</button>
              <button class="button" type="button" @click=${() => void this.closeRename(p)}>${t("passkey.cancel")}</button>
            </div>
            ${this.renderBusy(p.id)}
          </form>`
        : html`<div class="button-row">
            <button id="rename-${p.id}" class="button" type="button" aria-describedby="passkey-${p.id}" @click=${() => void this.openRename(p)}>${t("passkey.rename")}</button>
            <button class="button button-danger" type="button" aria-describedby="passkey-${p.id}" @click=${() => void this.askRemove(p)}>${t("passkey.remove")}</button>
          </div>`}
    </li>`;
  }

  private renderAdd(): TemplateResult {
    if (!passkeysSupported()) return html`<p class="note-box">${t("passkey.unsupported")}</p>`;
    return html`${this.query.get("add") === "1" ? html`<p class="note-box success-note">${icon("shield")}<span>${t("passkey.confirmed")}</span></p>` : nothing}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onAdd(e)}>
        ${textField({ field: "name", label: t("passkey.name"), hint: t("passkey.nameHint"), value: suggestedPasskeyName(), maxlength: 60, errors: this.errors })}
        <p><button id="add-passkey" class="button button-primary" type="submit">${icon("key")}${t("passkey.add")}</button></p>
        ${this.renderBusy("add")}
      </form>`;
  }

  private renderDialog(): TemplateResult {
    const p = this.removing;
    return html`<dialog id="remove-dialog" class="dialog" aria-labelledby="remove-title" aria-describedby="remove-text">
      <h2 id="remove-title">${t("passkey.removeTitle")}</h2>
      <p id="remove-text">${p ? t("passkey.removeText", { name: p.name }) : ""}</p>
      <div class="dialog-actions">
        <button class="button" type="button" autofocus @click=${() => this.dialog?.close()}>${t("passkey.cancel")}</button>
        <button class="button button-danger" type="button" @click=${() => void this.onRemove()}>${t("passkey.removeConfirm")}</button>
      </div>
    </dialog>`;
  }

  protected renderPage(): TemplateResult {
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("passkey.title") }])}
      <h1 tabindex="-1">${t("passkey.title")}</h1>
      <p class="lead">${t("passkey.intro")}</p>
      ${errorSummary(this.errors)}
      <section class="section" aria-labelledby="passkeys-count">
        <h2 id="passkeys-count" class="results-count">${t("passkey.count", { count: this.passkeys.length })}</h2>
        ${this.passkeys.length
          ? html`<ul class="device-list" role="list">${this.passkeys.map((p) => this.renderItem(p))}</ul>`
          : html`<p>${t("passkey.none")}</p>`}
        ${this.renderBusy("list")}
      </section>
      <section class="section account-box" aria-labelledby="add-heading">
        <h2 id="add-heading">${t("passkey.addTitle")}</h2>
        <p>${t("passkey.addIntro")}</p>
        ${this.renderAdd()}
      </section>
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
      ${this.renderDialog()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-passkeys": PagePasskeys;
  }
}
