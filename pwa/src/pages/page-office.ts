import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Office, ServiceSummary } from "../api/types.ts";
import { icon } from "../components/icons.ts";
import { breadcrumbs, officeAddress, officeContactLinks, openingHoursTable, serviceList } from "../components/parts.ts";
import { getOffice, listServices } from "../data/repository.ts";
import { t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-office")
export class PageOffice extends PageBase {
  @property() slug = "";
  @state() private office: Office | null = null;
  @state() private services: ServiceSummary[] = [];
  @state() private total = 0;

  protected loadKey(): string {
    return this.slug;
  }

  protected pageTitle(): string {
    return this.office?.name ?? "";
  }

  protected async load(signal: AbortSignal): Promise<void> {
    const office = await getOffice(this.language, this.slug, signal);
    const list = await listServices(this.language, { office: this.slug, limit: 100 }, signal);
    this.office = office;
    this.services = list.items ?? [];
    this.total = list.total;
  }

  protected renderPage(): TemplateResult {
    const o = this.office!;
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { href: "/offices", label: t("offices.title") }, { label: o.name }])}
      <div class="page-head">
        <span class="page-icon">${icon("building")}</span>
        <h1 tabindex="-1">${o.name}</h1>
      </div>
      ${o.description ? html`<p class="lead">${o.description}</p>` : nothing}
      <div class="office-grid">
        <section class="section office-box" aria-labelledby="contact-heading">
          <h2 id="contact-heading">${t("service.contacts")}</h2>
          ${officeAddress(o)} ${officeContactLinks(o)}
        </section>
        <section class="section office-box">${openingHoursTable(o, 2)}</section>
      </div>
      <section class="section" aria-labelledby="services-heading">
        <h2 id="services-heading">${t("office.services")} <span class="count">(${this.total})</span></h2>
        ${serviceList(this.services)}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-office": PageOffice;
  }
}
