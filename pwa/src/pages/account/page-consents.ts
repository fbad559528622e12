// Consents: for which services the person agreed that forms may prefill
// from the profile, with which fields and since when; active ones can be
// withdrawn (the service's forms then start empty), withdrawn ones stay
// listed with the date. Service titles come from the catalogue.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Consent } from "../../api/types.ts";
import { errorSummary } from "../../components/forms.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { listConsents, revokeConsent } from "../../data/account.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { catalogueNames, fieldName, type CatalogueNames, SLUG_NAMES } from "./privacy-labels.ts";

@customElement("page-consents")
export class PageConsents extends AccountPage {
  protected override requiresLogin = true;
  @state() private consents: Consent[] = [];
  @state() private names: CatalogueNames = SLUG_NAMES;

  protected pageTitle(): string {
    return t("consents.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    [this.consents, this.names] = await Promise.all([listConsents(signal), catalogueNames(store.lang)]);
  }

  private async onRevoke(c: Consent): Promise<void> {
    this.busyWhere = c.service;
    const ok = await this.step(t("consents.busy"), [], async () => {
      await revokeConsent(c.service);
      this.consents = await listConsents();
    }, (e) => (this.leaveFor(e) ? [] : null));
    if (!ok) return;
    announce(t("consents.revoked", { service: this.names.service(c.service) }));
    await this.focusHeading(`#consent-${c.service}`);
  }

  private renderItem(c: Consent): TemplateResult {
    const title = this.names.service(c.service);
    return html`<li class="device consent ${c.active ? "" : "revoked"}">
      <h3 id="consent-${c.service}" tabindex="-1">${title}</h3>
      <p><span class="badge ${c.active ? "badge-current" : ""}">${c.active ? t("consents.active") : t("consents.revokedBadge")}</span></p>
      <dl class="facts">
        <div><dt>${t("consents.fields")}</dt><dd>${c.fields.map(fieldName).join(", ")}</dd></div>
        <div><dt>${t("consents.granted")}</dt><dd>${formatDateTime(store.lang, c.granted_at)}</dd></div>
        ${c.revoked_at ? html`<div><dt>${t("consents.revokedAt")}</dt><dd>${formatDateTime(store.lang, c.revoked_at)}</dd></div>` : nothing}
      </dl>
      <p><a href="/services/${c.service}">${t("consents.service", { service: title })}</a></p>
      ${c.active
        ? html`<button class="button" type="button" aria-describedby="consent-${c.service}" @click=${() => void this.onRevoke(c)}>${t("consents.revoke")}</button>
            ${this.renderBusy(c.service)}`
        : nothing}
    </li>`;
  }

  protected renderPage(): TemplateResult {
    const active = this.consents.filter((c) => c.active);
    const revoked = this.consents.filter((c) => !c.active);
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("consents.title") }])}
      <h1 tabindex="-1">${t("consents.title")}</h1>
      <p class="lead">${t("consents.intro")}</p>
      ${errorSummary(this.errors)}
      <section class="section" aria-labelledby="consents-active">
        <h2 id="consents-active">${t("consents.activeTitle", { count: active.length })}</h2>
        ${active.length ? html`<ul class="device-list" role="list">${active.map((c) => this.renderItem(c))}</ul>` : html`<p>${t("consents.noneActive")}</p>`}
      </section>
      ${revoked.length
        ? html`<section class="section" aria-labelledby="consents-revoked">
            <h2 id="consents-revoked">${t("consents.revokedTitle", { count: revoked.length })}</h2>
            <ul class="device-list" role="list">${revoked.map((c) => this.renderItem(c))}</ul>
          </section>`
        : nothing}
      <p><a href=${ACCOUNT_PATHS.profile}>${t("profile.title")}</a> · <a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-consents": PageConsents;
  }
}
