// One case: its number, status and timeline (received, in progress,
// waiting, done, rejected, withdrawn, with the office's messages), the
// PDF summary of what was submitted, the documents delivered for it, and
// withdrawal while the office has not started. While the case is open the
// page asks again every 20 seconds, so "done" and the document appear
// without a reload (and are announced).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { BillOut, CaseOut, DocumentOut } from "../../api/types.ts";
import { apiUrl } from "../../api/client.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { getBill, getCase, listDocuments, startCheckout, withdrawCase } from "../../data/orders.ts";
import { announce } from "../../lib/announce.ts";
import { formatDate, formatDateTime, formatFee, formatFrancs } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { catalogueNames, type CatalogueNames, SLUG_NAMES } from "../account/privacy-labels.ts";
import { documentItem } from "./page-documents.ts";
import { statusClass, statusName } from "./labels.ts";

const REFRESH_MS = 20_000;
/** After the provider sent the person back: how often and how long to look for its confirmation. */
const CONFIRM_MS = 2_000;
const CONFIRM_TRIES = 30;

@customElement("page-case")
export class PageCase extends AccountPage {
  protected override requiresLogin = true;
  @property() number = "";
  @state() private item: CaseOut | null = null;
  @state() private documents: DocumentOut[] = [];
  @state() private bill: BillOut | null = null;
  @state() private names: CatalogueNames = SLUG_NAMES;
  /** Waiting for the provider's confirmation after coming back from its page. */
  @state() private confirming = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  protected pageTitle(): string {
    return this.item ? t("case.title", { service: this.item.service_title }) : t("cases.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    await this.fetch(signal);
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    if (this.query.get("outcome") === "done" && this.bill && this.bill.open_rappen > 0) void this.awaitConfirmation();
  }

  /**
   * Coming back from the provider proves nothing: the page looks until the
   * provider's confirmation has reached the server (webhook or backstop).
   */
  private async awaitConfirmation(): Promise<void> {
    this.confirming = true;
    for (let i = 0; i < CONFIRM_TRIES && this.isConnected; i++) {
      await new Promise((r) => setTimeout(r, CONFIRM_MS));
      try {
        await this.fetch();
      } catch {
        continue;
      }
      if (this.bill && this.bill.open_rappen <= 0) {
        this.confirming = false;
        announce(t("pay.confirmed"));
        return;
      }
    }
    this.confirming = false;
  }

  private async pay(provider: string): Promise<void> {
    await this.step(t("pay.starting"), [], async () => {
      const out = await startCheckout(this.number, provider);
      location.assign(out.redirect_url);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async fetch(signal?: AbortSignal): Promise<void> {
    const [c, docs, names, bill] = await Promise.all([
      getCase(this.number, signal),
      listDocuments(signal),
      catalogueNames(this.language),
      getBill(this.number, signal),
    ]);
    this.names = names;
    this.bill = bill;
    this.item = c;
    this.documents = docs.filter((d) => d.case_number === c.number);
  }

  /** Looks again while the case is open; a change is announced. */
  private async refresh(): Promise<void> {
    const before = this.item;
    if (!before || ["done", "rejected", "withdrawn"].includes(before.status) || document.hidden || !store.online) return;
    const docs = this.documents.length;
    try {
      await this.fetch();
    } catch {
      return; // the next round tries again
    }
    if (this.item!.status !== before.status) announce(t("case.changed", { status: statusName(this.item!.status) }));
    if (this.documents.length > docs) announce(t("case.documentArrived"));
  }

  private async withdraw(): Promise<void> {
    if (!confirm(t("case.withdrawConfirm"))) return;
    const ok = await this.step(t("case.withdrawing"), [], async () => {
      this.item = await withdrawCase(this.number);
    });
    if (ok) announce(t("case.withdrawn"));
  }

  protected renderPage(): TemplateResult {
    const c = this.item!;
    const lang = store.lang;
    const fresh = this.query.get("new") === "1";
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { href: ACCOUNT_PATHS.cases, label: t("cases.title") }, { label: c.number }])}
      <h1 tabindex="-1">${c.service_title}</h1>
      ${fresh ? html`<p class="note-box success-note">${icon("shield")}<span>${t("case.received", { number: c.number })}</span></p>` : nothing}
      <dl class="facts">
        <dt>${t("cases.number")}</dt><dd class="case-number">${c.number}</dd>
        <dt>${t("case.officeLabel")}</dt><dd>${this.names.office(c.office)}</dd>
        <dt>${t("case.statusLabel")}</dt><dd><span class=${statusClass(c.status)}>${statusName(c.status)}</span></dd>
        <dt>${t("case.submittedLabel")}</dt><dd>${formatDateTime(lang, c.submitted_at)}</dd>
        <dt>${t("case.deliveryLabel")}</dt><dd>${t(`case.delivery.${c.delivery}`)}</dd>
        <dt>${t("case.notifyLabel")}</dt><dd>${c.notify.map((n) => t(`profile.channel.${n as "email" | "sms"}`)).join(", ") || "–"}</dd>
      </dl>

      ${this.bill ? this.renderBill(this.bill, c) : nothing}

      <section class="section" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">${t("case.timeline")}</h2>
        <ol class="timeline">
          ${c.timeline.map(
            (e) => html`<li>
              <p><strong>${statusName(e.status)}</strong> · <time datetime=${e.at}>${formatDateTime(lang, e.at)}</time> · ${t(`case.by.${e.by}`)}</p>
              ${e.message ? html`<p class="timeline-message">${e.message}</p>` : nothing}
            </li>`,
          )}
        </ol>
      </section>

      <section class="section" aria-labelledby="docs-heading">
        <h2 id="docs-heading">${t("case.documents")}</h2>
        ${this.documents.length
          ? html`<ul class="record-list" role="list">${this.documents.map((d) => documentItem(d, lang, this.names, 3))}</ul>`
          : html`<p>${c.delivery === "post" ? t("case.noDocumentsPost") : t("case.noDocuments")}</p>`}
        <p><a class="button" href=${apiUrl(`/api/v1/me/cases/${encodeURIComponent(c.number)}/summary`)} download>${icon("form")}${t("case.summary")}</a></p>
      </section>

      ${c.can_withdraw
        ? html`<section class="section" aria-labelledby="withdraw-heading">
            <h2 id="withdraw-heading">${t("case.withdrawTitle")}</h2>
            <p>${t("case.withdrawIntro")}</p>
            <p><button class="button button-danger" type="button" @click=${() => void this.withdraw()}>${t("case.withdraw")}</button></p>
            ${this.renderBusy()}
            ${this.errors.length ? html`<p class="field-error">${this.errors[0]!.text}</p>` : nothing}
          </section>`
        : nothing}
      <p><a href=${ACCOUNT_PATHS.cases}>${t("case.back")}</a></p>
    `;
  }

  /** What the case costs, what was paid and refunded, and paying what is open. */
  private renderBill(b: BillOut, c: CaseOut): TemplateResult {
    const lang = store.lang;
    const payable = b.open_rappen > 0 && !["rejected", "withdrawn"].includes(c.status);
    const outcome = this.query.get("outcome");
    return html`<section class="section" aria-labelledby="bill-heading">
      <h2 id="bill-heading">${t("pay.title")}</h2>
      ${outcome === "cancelled" && payable ? html`<p class="note-box warning-note" role="status">${t("pay.cancelled")}</p>` : nothing}
      ${this.confirming ? html`<p class="note-box" role="status">${t("pay.waiting")}</p>` : nothing}
      <table class="bill">
        <caption class="sr-only">${t("pay.caption", { number: c.number })}</caption>
        <thead><tr><th scope="col">${t("pay.item")}</th><th scope="col" class="num">${t("pay.amount")}</th></tr></thead>
        <tbody>
          ${b.fees.map(
            (f) => html`<tr class=${f.cancelled ? "cancelled" : ""}>
              <th scope="row">${f.label}${f.quantity > 1 ? ` × ${f.quantity}` : ""}${f.cancelled ? html` <span class="badge">${t("pay.feeCancelled")}</span>` : nothing}</th>
              <td class="num">${formatFee(lang, f.amount_rappen)}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr><th scope="row">${t("pay.charged")}</th><td class="num">${formatFee(lang, b.charged_rappen)}</td></tr>
          ${b.paid_rappen ? html`<tr><th scope="row">${t("pay.paid")}</th><td class="num">${formatFee(lang, b.paid_rappen)}</td></tr>` : nothing}
          ${b.refunded_rappen ? html`<tr><th scope="row">${t("pay.refunded")}</th><td class="num">${formatFee(lang, b.refunded_rappen)}</td></tr>` : nothing}
          <tr><th scope="row">${t("pay.open")}</th><td class="num"><strong>CHF ${formatFrancs(Math.max(0, b.open_rappen))}</strong></td></tr>
        </tfoot>
      </table>
      <dl class="facts">
        <dt>${t("pay.reference")}</dt><dd><code>${b.reference}</code></dd>
        ${b.due_on ? html`<dt>${t("pay.due")}</dt><dd>${formatDate(lang, b.due_on)}</dd>` : nothing}
      </dl>
      ${c.status === "payment_due" ? html`<p>${t("pay.before")}</p>` : nothing}
      ${payable && b.collect !== "before"
        ? html`<p>${t("pay.qrBillIntro")}</p>
            <p><a class="button" href=${apiUrl(`/api/v1/me/cases/${encodeURIComponent(c.number)}/bill/qr-bill.pdf`)} download>${icon("form")}${t("pay.qrBill")}</a></p>`
        : nothing}
      ${payable && !this.confirming
        ? html`<p class="button-row">
            ${b.providers.map(
              (p) => html`<button class="button button-primary" type="button" @click=${() => void this.pay(p)}>
                ${icon("shield")}${t(p === "stripe" ? "pay.withStripe" : "pay.withDev", { amount: formatFee(lang, b.open_rappen) })}
              </button>`,
            )}
          </p>
          ${this.renderBusy()}
          ${this.errors.length ? html`<p class="field-error">${this.errors[0]!.text}</p>` : nothing}`
        : nothing}
      ${b.payments.some((p) => p.status === "paid") ? html`<p><a href=${ACCOUNT_PATHS.payments}>${t("payments.title")}</a></p>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-case": PageCase;
  }
}
