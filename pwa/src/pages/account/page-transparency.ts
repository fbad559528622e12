// The Datencockpit: every read or disclosure of the person's data by staff,
// an office, a connector or a form, newest first: who, what, when, why and
// on which legal basis, and whether the entry's tamper seal holds (the log
// is a hash chain the application can only append to). Older entries come
// page by page (next_before). The readable export holds everything else.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { AccessEntry } from "../../api/types.ts";
import { errorSummary } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { accessLog } from "../../data/account.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { downloadExport } from "./export.ts";
import { actorKindName, catalogueNames, type CatalogueNames, SLUG_NAMES } from "./privacy-labels.ts";

@customElement("page-transparency")
export class PageTransparency extends AccountPage {
  protected override requiresLogin = true;
  @state() private entries: AccessEntry[] = [];
  @state() private nextBefore: number | undefined;
  @state() private names: CatalogueNames = SLUG_NAMES;
  @state() private exportStatus = "";

  protected pageTitle(): string {
    return t("transparency.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    const [page, names] = await Promise.all([accessLog(undefined, signal), catalogueNames(store.lang)]);
    this.entries = page.items;
    this.nextBefore = page.next_before;
    this.names = names;
  }

  private async onMore(): Promise<void> {
    const before = this.nextBefore;
    if (!before) return;
    let first: AccessEntry | undefined;
    const ok = await this.step(t("loading"), [], async () => {
      const page = await accessLog(before);
      first = page.items[0];
      this.entries = [...this.entries, ...page.items];
      this.nextBefore = page.next_before;
    }, (e) => (this.leaveFor(e) ? [] : null));
    if (!ok || !first) return;
    announce(t("transparency.more", { count: this.entries.length }));
    // The first of the entries just added: reading goes on from there.
    await this.focusHeading(`#entry-${first.seq}`);
  }

  private async onExport(): Promise<void> {
    this.exportStatus = t("account.exportBusy");
    this.errors = [];
    try {
      this.exportStatus = t("account.exportDone", { file: await downloadExport("html") });
    } catch (e) {
      this.exportStatus = "";
      if (this.leaveFor(e)) return;
      await this.showErrors([{ text: t("account.exportFailed") }]);
    }
  }

  private who(e: AccessEntry): string {
    const kind = actorKindName(e.actor_kind);
    return e.office ? t("transparency.whoOffice", { actor: e.actor, kind, office: this.names.office(e.office) }) : t("transparency.who", { actor: e.actor, kind });
  }

  private renderEntry(e: AccessEntry): TemplateResult {
    return html`<li class="access-entry">
      <h3 id="entry-${e.seq}">${e.action === "disclose" ? t("transparency.disclosed") : t("transparency.read")}: ${e.data.join(", ")}</h3>
      <dl class="facts">
        <div><dt>${t("transparency.whoLabel")}</dt><dd>${this.who(e)}</dd></div>
        <div><dt>${t("transparency.whatLabel")}</dt><dd>${e.data.join(", ")}</dd></div>
        <div><dt>${t("transparency.whenLabel")}</dt><dd>${formatDateTime(store.lang, e.occurred_at)}</dd></div>
        <div><dt>${t("transparency.purposeLabel")}</dt><dd>${e.purpose}</dd></div>
        <div><dt>${t("transparency.legalLabel")}</dt><dd>${e.legal_basis}</dd></div>
        <div>
          <dt>${t("transparency.sealLabel")}</dt>
          <dd class=${e.sealed ? "seal-ok" : "seal-broken"}>
            ${e.sealed ? html`${icon("seal")}${t("transparency.sealed")}` : html`${icon("broken")}<strong>${t("transparency.broken")}</strong> ${t("transparency.brokenHint")}`}
          </dd>
        </div>
      </dl>
    </li>`;
  }

  protected renderPage(): TemplateResult {
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("transparency.title") }])}
      <h1 tabindex="-1">${t("transparency.title")}</h1>
      <p class="lead">${t("transparency.intro")}</p>
      <details class="explain">
        <summary>${t("transparency.sealQuestion")}</summary>
        <p>${t("transparency.sealExplain")}</p>
      </details>
      ${errorSummary(this.errors)}
      <section class="section" aria-labelledby="entries-title">
        <h2 id="entries-title">${t("transparency.entries")}</h2>
        ${this.entries.length
          ? html`<ol class="access-log" role="list">${this.entries.map((e) => this.renderEntry(e))}</ol>`
          : html`<div class="empty-state">
              <p><strong>${t("transparency.emptyTitle")}</strong></p>
              <p>${t("transparency.empty")}</p>
            </div>`}
        ${this.nextBefore ? html`<p><button class="button" type="button" @click=${() => void this.onMore()}>${t("transparency.loadMore")}</button></p>` : nothing}
        ${this.renderBusy()}
      </section>
      <section class="section account-box" aria-labelledby="export-title">
        <h2 id="export-title">${t("transparency.exportTitle")}</h2>
        <p>${t("transparency.exportText")}</p>
        <p><button class="button" type="button" @click=${() => void this.onExport()}>${icon("form")}${t("account.exportDocument")}</button></p>
        <p class="form-status" role="status">${this.exportStatus}</p>
      </section>
      <p><a href=${ACCOUNT_PATHS.consents}>${t("consents.title")}</a> · <a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-transparency": PageTransparency;
  }
}
