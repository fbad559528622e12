// Meine Entwürfe: the forms begun and not sent yet, of the account (on
// every device) or of this browser's guest, with when each is deleted.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { DraftSummary } from "../../api/types.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { deleteDraft, listDrafts } from "../../data/orders.ts";
import { announce } from "../../lib/announce.ts";
import { formatDate, formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS, orderHref } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";

@customElement("page-drafts")
export class PageDrafts extends AccountPage {
  @state() private drafts: DraftSummary[] = [];

  protected pageTitle(): string {
    return t("drafts.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    await session.refresh(false, signal);
    this.drafts = await listDrafts(signal);
  }

  private async removeDraft(d: DraftSummary): Promise<void> {
    if (!confirm(t("drafts.confirmDelete", { service: d.service_title }))) return;
    const ok = await this.step(t("drafts.deleting"), [], () => deleteDraft(d.id));
    if (!ok) return;
    this.drafts = this.drafts.filter((x) => x.id !== d.id);
    announce(t("drafts.deleted", { service: d.service_title }));
    await this.focusHeading();
  }

  protected renderPage(): TemplateResult {
    const lang = store.lang;
    return html`
      ${breadcrumbs(session.me ? [{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("drafts.title") }] : [{ label: t("drafts.title") }])}
      <h1 tabindex="-1">${t("drafts.title")}</h1>
      <p class="lead">${session.me ? t("drafts.introAccount") : t("drafts.introGuest")}</p>
      ${this.renderBusy()}
      ${this.errors.length ? html`<p class="field-error">${this.errors[0]!.text}</p>` : nothing}
      ${this.drafts.length === 0
        ? html`<p>${t("drafts.none")}</p>`
        : html`<ul class="record-list" role="list">
            ${this.drafts.map(
              (d) => html`<li class="record">
                <h2 class="record-title"><a href=${orderHref(d.service, d.id)}>${d.service_title}</a></h2>
                <p>${t("drafts.changed", { date: formatDateTime(lang, d.updated_at) })}</p>
                <p class="note">${t("drafts.expires", { date: formatDate(lang, d.expires_at), days: d.retention_days })}</p>
                <p class="button-row">
                  <a class="button button-primary" href=${orderHref(d.service, d.id)}>${t("drafts.continue")}<span class="sr-only">: ${d.service_title}</span></a>
                  <button class="button" type="button" @click=${() => void this.removeDraft(d)}>${t("drafts.delete")}<span class="sr-only">: ${d.service_title}</span></button>
                </p>
              </li>`,
            )}
          </ul>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-drafts": PageDrafts;
  }
}
