// The public verification page a document's QR code leads to (/verify/ID):
// who issued it, what it is and when, whether the signature holds and
// whether it was revoked; nothing personal. Whoever was handed the PDF can
// check the file itself: a changed byte fails.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Verification } from "../../api/types.ts";
import { icon } from "../../components/icons.ts";
import { NotFoundError } from "../../data/repository.ts";
import { verifyDocument, verifyDocumentFile } from "../../data/orders.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";
import { shortHash } from "./labels.ts";

@customElement("page-verify-document")
export class PageVerifyDocument extends AccountPage {
  @property() documentId = "";
  @state() private result: Verification | null = null;
  @state() private unknown = false;
  @state() private fileResult: boolean | null = null;

  protected pageTitle(): string {
    return t("docverify.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    try {
      this.result = await verifyDocument(this.documentId, signal);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      this.unknown = true;
    }
  }

  private async onFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.fileResult = null;
    const ok = await this.step(t("docverify.checking"), [], async () => {
      const r = await verifyDocumentFile(this.documentId, file);
      this.fileResult = r.file_matches === true;
    });
    if (ok) announce(this.fileResult ? t("docverify.fileMatches") : t("docverify.fileDiffers"));
  }

  protected renderPage(): TemplateResult {
    if (this.unknown) {
      return html`<h1 tabindex="-1">${t("docverify.title")}</h1>
        <p class="note-box error-note">${t("docverify.unknown")}</p>`;
    }
    const r = this.result!;
    const lang = store.lang;
    const valid = r.signature_valid && !r.revoked;
    return html`
      <h1 tabindex="-1">${t("docverify.title")}</h1>
      <p class="note-box ${valid ? "success-note" : "error-note"}">
        ${icon("shield")}<span>${r.revoked ? t("docverify.revoked", { date: r.revoked_at ? formatDateTime(lang, r.revoked_at) : "" }) : r.signature_valid ? t("docverify.valid", { office: r.office_name }) : t("docverify.invalid")}</span>
      </p>
      <dl class="facts">
        <dt>${t("documents.issuer")}</dt><dd>${r.office_name}</dd>
        <dt>${t("documents.kind")}</dt><dd>${r.title}</dd>
        <dt>${t("documents.issued")}</dt><dd>${formatDateTime(lang, r.issued_at)}</dd>
        <dt>${t("docverify.signature")}</dt><dd>${r.signature_valid ? t("docverify.signatureOk") : t("docverify.signatureBad")} (${t("docverify.key")} ${r.key_id})</dd>
        <dt>${t("documents.hash")}</dt><dd><code title=${r.sha256}>${shortHash(r.sha256)}</code></dd>
      </dl>
      <section class="section" aria-labelledby="file-heading">
        <h2 id="file-heading">${t("docverify.fileTitle")}</h2>
        <p>${t("docverify.fileIntro")}</p>
        <div class="form-field">
          <label for="verify-file">${t("docverify.fileLabel")}</label>
          <input id="verify-file" type="file" accept="application/pdf" @change=${(e: Event) => void this.onFile(e)} />
        </div>
        ${this.renderBusy()}
        ${this.errors.length ? html`<p class="field-error">${this.errors[0]!.text}</p>` : nothing}
        ${this.fileResult === null
          ? nothing
          : html`<p class="note-box ${this.fileResult ? "success-note" : "error-note"}" id="verify-file-result">
              ${icon("shield")}<span>${this.fileResult ? t("docverify.fileMatches") : t("docverify.fileDiffers")}</span>
            </p>`}
      </section>
      <p class="note">${t("docverify.privacy")}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-verify-document": PageVerifyDocument;
  }
}
