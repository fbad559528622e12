// Setting up an authenticator app, in three steps: the QR code (and the key
// to type), a first code to confirm, then the ten recovery codes, shown
// this one time. Confirming also raises this session to two factors, so a
// step-up can send the person here and back (?next=).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { TOTPSetup } from "../../api/types.ts";
import { errorSummary, formValues, textField } from "../../components/forms.ts";
import "../../components/recovery-codes.ts";
import { beginTOTP, confirmTOTP } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS, safeNext } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { checkCode, groupSecret, normalizeCode } from "../../lib/account-input.ts";
import { codeErrors } from "./code-form.ts";

@customElement("page-authenticator")
export class PageAuthenticator extends AccountPage {
  protected override requiresLogin = true;
  @state() private stage: "intro" | "scan" | "codes" | "exists" = "intro";
  @state() private setup: TOTPSetup | null = null;
  @state() private codes: string[] = [];

  protected pageTitle(): string {
    return t("totp.title");
  }

  private get next(): string {
    return safeNext(this.query.get("next")) ?? ACCOUNT_PATHS.overview;
  }

  private async onBegin(): Promise<void> {
    let exists = false;
    const ok = await this.step(t("totp.busyBegin"), [], async () => {
      this.setup = await beginTOTP();
    }, (e) => {
      if (e instanceof ApiError && e.status === 409) {
        exists = true;
        return [];
      }
      return null;
    });
    if (exists) this.stage = "exists";
    else if (ok) this.stage = "scan";
    else return;
    await this.focusHeading("h2");
  }

  private async onConfirm(event: Event): Promise<void> {
    const code = normalizeCode(formValues(event).code ?? "");
    if (!(await this.showErrors(checkCode(code, false)))) return;
    const ok = await this.step(t("code.busy"), ["code"], async () => {
      this.codes = (await confirmTOTP(code)).recovery_codes ?? [];
    }, codeErrors);
    if (!ok) return;
    this.stage = "codes";
    this.setup = null; // the key is not needed (nor kept) any more
    void session.refresh(true).catch(() => undefined); // the session now has two factors
    await this.focusHeading("h2");
  }

  private renderStep(): TemplateResult {
    switch (this.stage) {
      case "intro":
        return html`<h2 tabindex="-1">${t("totp.step1")}</h2>
          <p>${t("totp.intro")}</p>
          <p>${t("totp.apps")}</p>
          <p><button class="button button-primary" type="button" @click=${() => void this.onBegin()}>${t("totp.begin")}</button></p>
          ${this.renderBusy()}`;
      case "exists":
        return html`<h2 tabindex="-1">${t("totp.existsTitle")}</h2>
          <p>${t("totp.exists")}</p>
          <p><a class="button" href=${this.next}>${t("totp.continue")}</a></p>`;
      case "scan": {
        const s = this.setup!;
        return html`<h2 tabindex="-1">${t("totp.step2")}</h2>
          <ol class="steps">
            <li>${t("totp.scan")}</li>
            <li>${t("totp.enterCode")}</li>
          </ol>
          <figure class="qr">
            <img src="data:image/png;base64,${s.qr_png}" width="200" height="200" alt=${t("totp.qrAlt")} />
            <figcaption>
              ${t("totp.typeKey")}
              <code class="secret" aria-hidden="true">${groupSecret(s.secret)}</code>
              <span class="sr-only">${s.secret.split("").join(" ")}</span>
            </figcaption>
          </figure>
          <form class="account-form" novalidate @submit=${(e: Event) => void this.onConfirm(e)}>
            ${textField({ field: "code", label: t("code.appLabel"), hint: t("code.appHint"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, errors: this.errors })}
            <p><button class="button button-primary" type="submit">${t("totp.confirm")}</button></p>
            ${this.renderBusy()}
          </form>`;
      }
      case "codes":
        return html`<h2 tabindex="-1">${t("totp.step3")}</h2>
          <p class="note-box success-note">${t("totp.done")}</p>
          <recovery-codes .codes=${this.codes}></recovery-codes>
          <p class="no-print"><a class="button button-primary" href=${this.next}>${t("totp.saved")}</a></p>`;
    }
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("totp.title")}</h1>
      ${errorSummary(this.errors)} ${this.renderStep()}
      ${this.stage === "codes" ? nothing : html`<p class="no-print"><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-authenticator": PageAuthenticator;
  }
}
