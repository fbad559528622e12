import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Office } from "../api/types.ts";
import { icon } from "../components/icons.ts";
import { breadcrumbs } from "../components/parts.ts";
import { listOffices } from "../data/repository.ts";
import { telHref } from "../lib/format.ts";
import { t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-offices")
export class PageOffices extends PageBase {
  @state() private offices: Office[] = [];

  protected loadKey(): string {
    return "offices";
  }

  protected pageTitle(): string {
    return t("offices.title");
  }

  protected async load(signal: AbortSignal): Promise<void> {
    this.offices = await listOffices(this.language, signal);
  }

  protected renderPage(): TemplateResult {
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { label: t("offices.title") }])}
      <h1 tabindex="-1">${t("offices.title")}</h1>
      <p class="lead">${t("offices.intro")}</p>
      <ul class="cards" role="list">
        ${this.offices.map(
          (o) => html`<li class="card">
            <h2 class="card-title"><a class="card-link" href="/offices/${o.slug}">${o.name}</a></h2>
            <p class="card-summary">${o.address.building ? html`${o.address.building}, ` : ""}${o.address.street}, ${o.address.postal_code} ${o.address.city}</p>
            <p class="card-meta">
              <span>${icon("phone")}<a class="raise" href=${telHref(o.phone)}>${o.phone}</a></span>
              <span>${t("category.services", { count: o.service_count })}</span>
            </p>
          </li>`,
        )}
      </ul>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-offices": PageOffices;
  }
}
