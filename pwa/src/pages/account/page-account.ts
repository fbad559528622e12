// Mein Konto: who is logged in and how (level and methods of this
// session), the login methods of the account, sessions and devices, the
// data export, logging out and deleting the account.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { icon } from "../../components/icons.ts";
import { errorSummary, type FormError } from "../../components/forms.ts";
import { deleteAccount, logout } from "../../data/account.ts";
import { downloadExport, type ExportFormat } from "./export.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS, navigateTo } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { levelName, methodList, roleName } from "./labels.ts";

/** Logs out, then the login page says so. */
export async function logoutAndLeave(): Promise<FormError[]> {
  try {
    await logout();
  } catch {
    return [{ text: t("account.offlineSubmit") }];
  }
  session.set(null);
  navigateTo(`${ACCOUNT_PATHS.login}?logged_out=1`, { replace: true });
  return [];
}

@customElement("page-account")
export class PageAccount extends AccountPage {
  protected override requiresLogin = true;
  @state() private exportStatus = "";
  @state() private deleteErrors: FormError[] = [];
  @state() private deleting = false;

  protected pageTitle(): string {
    return t("account.title");
  }

  protected override ready(): void {
    super.ready();
    // Back from confirming it is the person (step-up): ask once more, since deleting cannot be undone.
    if (this.status === "ready" && this.query.get("delete") === "1") {
      // Asked once: a reload shows the page without the dialog.
      history.replaceState(history.state, "", ACCOUNT_PATHS.overview);
      void this.openDelete();
    }
  }

  private get dialog(): HTMLDialogElement | null {
    return this.querySelector<HTMLDialogElement>("#delete-dialog");
  }

  private async openDelete(): Promise<void> {
    this.deleteErrors = [];
    await this.updateComplete;
    this.dialog?.showModal();
  }

  private closeDelete(): void {
    this.dialog?.close();
  }

  private async onDelete(): Promise<void> {
    if (this.deleting) return;
    this.deleting = true;
    this.deleteErrors = [];
    try {
      await deleteAccount();
      this.closeDelete();
      session.set(null);
      navigateTo(ACCOUNT_PATHS.deleted, { replace: true });
    } catch (e) {
      // Deleting needs a recent login: the step-up page confirms it, then this page asks again.
      if (this.leaveFor(e, `${ACCOUNT_PATHS.overview}?delete=1`)) {
        this.closeDelete();
        return;
      }
      this.deleteErrors = [{ text: t("account.deleteFailed") }];
      await this.updateComplete;
      this.querySelector<HTMLElement>("#delete-dialog .error-summary")?.focus();
    } finally {
      this.deleting = false;
    }
  }

  private async onExport(format: ExportFormat): Promise<void> {
    this.exportStatus = t("account.exportBusy");
    this.errors = [];
    try {
      this.exportStatus = t("account.exportDone", { file: await downloadExport(format) });
    } catch (e) {
      this.exportStatus = "";
      if (this.leaveFor(e)) return;
      await this.showErrors([{ text: t("account.exportFailed") }]);
    }
  }

  private async onLogout(): Promise<void> {
    await this.showErrors(await logoutAndLeave());
  }

  private renderLogin(): TemplateResult {
    const f = this.me!.factors;
    return html`<dl class="facts">
      <div>
        <dt>${t("method.pwd")}</dt>
        <dd><a href=${ACCOUNT_PATHS["forgot-password"]}>${t("account.passwordChange")}</a></dd>
      </div>
      <div>
        <dt>${t("passkey.title")}</dt>
        <dd><a href=${ACCOUNT_PATHS.passkeys}>${t("passkey.manage")}</a></dd>
      </div>
      <div>
        <dt>${t("method.otp")}</dt>
        <dd>
          ${f.totp
            ? t("account.totpOn")
            : html`${t("account.totpOff")}<br /><a class="button" href=${ACCOUNT_PATHS.authenticator}>${t("totp.title")}</a>`}
        </dd>
      </div>
      <div>
        <dt>${t("method.sms")}</dt>
        <dd>
          ${f.sms
            ? html`${t("account.smsOn", { number: f.sms })} · <a href=${ACCOUNT_PATHS.sms}>${t("sms.manage")}</a>`
            : html`${t("account.smsOff")} <a href=${ACCOUNT_PATHS.sms}>${t("sms.setup")}</a>`}
        </dd>
      </div>
      ${store.config.eid
        ? html`<div>
            <dt>${t("method.eid")}</dt>
            <dd><a href=${ACCOUNT_PATHS.eid}>${t("eid.manage")}</a></dd>
          </div>`
        : nothing}
      ${f.totp || f.sms
        ? html`<div>
            <dt>${t("recovery.title")}</dt>
            <dd><a href=${ACCOUNT_PATHS["recovery-codes"]}>${t("recovery.create")}</a></dd>
          </div>`
        : nothing}
    </dl>`;
  }

  private renderDeleteDialog(): TemplateResult {
    return html`<dialog id="delete-dialog" class="dialog" aria-labelledby="delete-title" aria-describedby="delete-text">
      <h2 id="delete-title">${t("account.deleteTitle")}</h2>
      ${this.query.get("delete") === "1" ? html`<p class="note">${t("account.deleteConfirmed")}</p>` : nothing}
      <div id="delete-text">
        <p>${t("account.deleteText")}</p>
        <p>${t("account.deleteKept")}</p>
      </div>
      ${errorSummary(this.deleteErrors)}
      <p class="form-status" role="status">${this.deleting ? html`<span class="spinner" aria-hidden="true"></span>${t("account.deleteBusy")}` : nothing}</p>
      <div class="dialog-actions">
        <button class="button" type="button" autofocus @click=${() => this.closeDelete()}>${t("account.deleteCancel")}</button>
        <button class="button button-danger" type="button" @click=${() => void this.onDelete()}>${t("account.deleteConfirm")}</button>
      </div>
    </dialog>`;
  }

  protected renderPage(): TemplateResult {
    const me = this.me!;
    const roles = me.roles ?? [];
    return html`
      <h1 tabindex="-1">${t("account.title")}</h1>
      ${errorSummary(this.errors)}
      <section class="section account-box" aria-labelledby="who-heading">
        <h2 id="who-heading">${t("account.who")}</h2>
        <dl class="facts">
          <div>
            <dt>${t("form.email")}</dt>
            <dd class="break">${me.email} · <a href=${ACCOUNT_PATHS["change-email"]}>${t("emailChange.title")}</a></dd>
          </div>
          <div><dt>${t("account.roles")}</dt><dd>${roles.length ? roles.map(roleName).join(", ") : t("role.resident")}</dd></div>
        </dl>
      </section>

      <section class="section account-box" aria-labelledby="session-heading">
        <h2 id="session-heading">${t("account.session")}</h2>
        <dl class="facts">
          <div><dt>${t("account.level")}</dt><dd data-level=${me.auth.level}>${levelName(me.auth.level)}</dd></div>
          <div><dt>${t("account.methods")}</dt><dd>${methodList(me.auth.methods ?? [])}</dd></div>
          <div><dt>${t("account.since")}</dt><dd>${formatDateTime(store.lang, me.auth.authenticated_at)}</dd></div>
        </dl>
        <p>${t(`level.${me.auth.level}.explain`)}</p>
        <p><a href=${ACCOUNT_PATHS.sessions}>${t("sessions.title")}</a></p>
        <p><button class="button" type="button" @click=${() => void this.onLogout()}>${t("account.logout")}</button></p>
      </section>

      <section class="section account-box" aria-labelledby="login-heading">
        <h2 id="login-heading">${t("account.loginMethods")}</h2>
        ${this.renderLogin()}
      </section>

      <section class="section account-box" aria-labelledby="orders-heading">
        <h2 id="orders-heading">${t("account.orders")}</h2>
        <ul class="link-list">
          <li><a href=${ACCOUNT_PATHS.cases}>${t("cases.title")}</a>: ${t("account.casesText")}</li>
          <li><a href=${ACCOUNT_PATHS.documents}>${t("documents.title")}</a>: ${t("account.documentsText")}</li>
          <li><a href=${ACCOUNT_PATHS.payments}>${t("payments.title")}</a>: ${t("account.paymentsText")}</li>
          <li><a href=${ACCOUNT_PATHS.drafts}>${t("drafts.title")}</a>: ${t("account.draftsText")}</li>
        </ul>
      </section>

      <section class="section account-box" aria-labelledby="data-heading">
        <h2 id="data-heading">${t("account.data")}</h2>
        <ul class="link-list">
          <li><a href=${ACCOUNT_PATHS.profile}>${t("profile.title")}</a>: ${t("account.profileText")}</li>
          <li><a href=${ACCOUNT_PATHS.consents}>${t("consents.title")}</a>: ${t("account.consentsText")}</li>
          <li><a href=${ACCOUNT_PATHS.transparency}>${t("transparency.title")}</a>: ${t("account.transparencyText")}</li>
        </ul>
        <p>${t("account.exportText")}</p>
        <div class="button-row">
          <button class="button" type="button" @click=${() => void this.onExport("json")}>${icon("form")}${t("account.export")}</button>
          <button class="button" type="button" @click=${() => void this.onExport("html")}>${icon("form")}${t("account.exportDocument")}</button>
        </div>
        <p class="form-status" role="status">${this.exportStatus}</p>
      </section>

      <section class="section account-box danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">${t("account.deleteTitle")}</h2>
        <p>${t("account.deleteIntro")}</p>
        <p><button class="button button-danger" type="button" @click=${() => void this.openDelete()}>${t("account.delete")}</button></p>
      </section>
      ${this.renderDeleteDialog()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-account": PageAccount;
  }
}
