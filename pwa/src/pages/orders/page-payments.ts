// Meine Zahlungen: every finished payment of the account, newest first,
// with its reference, the case it was for, how it was paid, what was
// refunded, and its receipt (a signed document, like any other).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { PaymentOut } from "../../api/types.ts";
import { apiUrl } from "../../api/client.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { listPayments } from "../../data/orders.ts";
import { formatDateTime, formatFee } from "../../lib/format.ts";
import { ACCOUNT_PATHS, caseHref } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { catalogueNames, type CatalogueNames, SLUG_NAMES } from "../account/privacy-labels.ts";

@customElement("page-payments")
export class PagePayments extends AccountPage {
  protected override requiresLogin = true;
  @state() private payments: PaymentOut[] = [];
  @state() private names: CatalogueNames = SLUG_NAMES;

  protected pageTitle(): string {
    return t("payments.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    [this.payments, this.names] = await Promise.all([listPayments(signal), catalogueNames(this.language)]);
  }

  private item(p: PaymentOut): TemplateResult {
    const lang = store.lang;
    return html`<li class="record">
      <h2 class="record-title">${formatFee(lang, p.amount_rappen)} · ${this.names.service(p.service ?? "")}</h2>
      <dl class="facts">
        <dt>${t("payments.status")}</dt><dd>${t(`payments.state.${p.status}`)}</dd>
        ${p.paid_at ? html`<dt>${t("payments.paidAt")}</dt><dd>${formatDateTime(lang, p.paid_at)}</dd>` : nothing}
        <dt>${t("payments.method")}</dt><dd>${t(`payments.methodName.${p.method}`)}${p.paid_with ? ` (${p.paid_with})` : ""}</dd>
        <dt>${t("pay.reference")}</dt><dd><code>${p.reference}</code></dd>
        ${p.case_number ? html`<dt>${t("cases.number")}</dt><dd><a href=${caseHref(p.case_number)}>${p.case_number}</a></dd>` : nothing}
        ${p.refunded_rappen ? html`<dt>${t("pay.refunded")}</dt><dd>${formatFee(lang, p.refunded_rappen)}</dd>` : nothing}
      </dl>
      ${p.receipt_id
        ? html`<p><a class="button" href=${apiUrl(`/api/v1/me/documents/${p.receipt_id}`)} download>${icon("form")}${t("payments.receipt")}<span class="sr-only">: ${p.reference}</span></a></p>`
        : nothing}
    </li>`;
  }

  protected renderPage(): TemplateResult {
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("payments.title") }])}
      <h1 tabindex="-1">${t("payments.title")}</h1>
      <p class="lead">${t("payments.intro")}</p>
      ${this.payments.length === 0
        ? html`<p>${t("payments.none")}</p>`
        : html`<ul class="record-list" role="list">${this.payments.map((p) => this.item(p))}</ul>`}
      <p><a href=${ACCOUNT_PATHS.documents}>${t("documents.title")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-payments": PagePayments;
  }
}
