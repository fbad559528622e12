// Meine amtlichen Dokumente: every document an office delivered into the
// account, with issuer, type, date, case, hash and size; the download is
// the signed PDF itself, and each links to its public verification.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { DocumentOut } from "../../api/types.ts";
import { apiUrl } from "../../api/client.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { listDocuments } from "../../data/orders.ts";
import type { Lang } from "../../i18n/index.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS, caseHref } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { catalogueNames, type CatalogueNames, SLUG_NAMES } from "../account/privacy-labels.ts";
import { fileSize, shortHash } from "./labels.ts";

/** One document as a list item (here and on its case's page). */
export function documentItem(d: DocumentOut, lang: Lang, names: CatalogueNames, level: 2 | 3 = 2): TemplateResult {
  const title = level === 2 ? html`<h2 class="record-title">${d.title}</h2>` : html`<h3 class="record-title">${d.title}</h3>`;
  const verify = new URL(d.verify_url, location.origin);
  return html`<li class="record document">
    ${title}
    ${d.revoked_at ? html`<p class="note-box warning-note">${t("documents.revoked", { date: formatDateTime(lang, d.revoked_at) })}</p>` : nothing}
    <dl class="facts">
      <dt>${t("documents.issuer")}</dt><dd>${names.office(d.office)}</dd>
      <dt>${t("documents.kind")}</dt><dd>${d.kind}</dd>
      <dt>${t("documents.issued")}</dt><dd>${formatDateTime(lang, d.issued_at)}</dd>
      <dt>${t("cases.number")}</dt><dd><a href=${caseHref(d.case_number)}>${d.case_number}</a></dd>
      <dt>${t("documents.size")}</dt><dd>${fileSize(lang, d.size)}</dd>
      <dt>${t("documents.hash")}</dt><dd><code title=${d.sha256}>${shortHash(d.sha256)}</code></dd>
    </dl>
    <p class="button-row">
      <a class="button button-primary" href=${apiUrl(`/api/v1/me/documents/${d.id}`)} download>${icon("form")}${t("documents.download")}<span class="sr-only">: ${d.title}</span></a>
      <a class="button" href=${verify.origin === location.origin ? verify.pathname : d.verify_url}>${icon("shield")}${t("documents.verify")}<span class="sr-only">: ${d.title}</span></a>
    </p>
  </li>`;
}

@customElement("page-documents")
export class PageDocuments extends AccountPage {
  protected override requiresLogin = true;
  @state() private documents: DocumentOut[] = [];
  @state() private names: CatalogueNames = SLUG_NAMES;

  protected pageTitle(): string {
    return t("documents.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    [this.documents, this.names] = await Promise.all([listDocuments(signal), catalogueNames(this.language)]);
  }

  protected renderPage(): TemplateResult {
    const lang = store.lang;
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("documents.title") }])}
      <h1 tabindex="-1">${t("documents.title")}</h1>
      <p class="lead">${t("documents.intro")}</p>
      ${this.documents.length === 0
        ? html`<p>${t("documents.none")}</p>`
        : html`<ul class="record-list" role="list">${this.documents.map((d) => documentItem(d, lang, this.names))}</ul>`}
      <p><a href=${ACCOUNT_PATHS.cases}>${t("cases.title")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-documents": PageDocuments;
  }
}
