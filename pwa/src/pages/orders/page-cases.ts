// Meine Anträge: the cases the person submitted, newest first, with status.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { CaseSummary } from "../../api/types.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { listCases } from "../../data/orders.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS, caseHref } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { statusClass, statusName } from "./labels.ts";

@customElement("page-cases")
export class PageCases extends AccountPage {
  protected override requiresLogin = true;
  @state() private cases: CaseSummary[] = [];

  protected pageTitle(): string {
    return t("cases.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    this.cases = await listCases(signal);
  }

  protected renderPage(): TemplateResult {
    const lang = store.lang;
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("cases.title") }])}
      <h1 tabindex="-1">${t("cases.title")}</h1>
      <p class="lead">${t("cases.intro")}</p>
      ${this.cases.length === 0
        ? html`<p>${t("cases.none")}</p>`
        : html`<ul class="record-list" role="list">
            ${this.cases.map(
              (c) => html`<li class="record">
                <h2 class="record-title"><a href=${caseHref(c.number)}>${c.service_title}</a></h2>
                <p><span class=${statusClass(c.status)}>${statusName(c.status)}</span></p>
                <p>${t("cases.number")}: <span class="case-number">${c.number}</span></p>
                <p class="note">${t("cases.submitted", { date: formatDateTime(lang, c.submitted_at) })}</p>
              </li>`,
            )}
          </ul>`}
      <p><a href=${ACCOUNT_PATHS.documents}>${t("documents.title")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-cases": PageCases;
  }
}
