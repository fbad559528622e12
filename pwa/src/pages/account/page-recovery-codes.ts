// New recovery codes: replaces the ten codes (the old ones stop working)
// and shows the new ones once. The server wants a two-factor login from
// the last 15 minutes; otherwise it answers with a step-up problem and the
// person comes back here afterwards.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { breadcrumbs } from "../../components/parts.ts";
import { errorSummary } from "../../components/forms.ts";
import "../../components/recovery-codes.ts";
import { newRecoveryCodes } from "../../data/account.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

@customElement("page-recovery-codes")
export class PageRecoveryCodes extends AccountPage {
  protected override requiresLogin = true;
  @state() private codes: string[] = [];

  protected pageTitle(): string {
    return t("recovery.title");
  }

  private async onCreate(): Promise<void> {
    const ok = await this.step(t("recovery.busy"), [], async () => {
      this.codes = (await newRecoveryCodes()).recovery_codes ?? [];
    }, (e) => (this.leaveFor(e) ? [] : null));
    if (ok) await this.focusHeading("h2");
  }

  protected renderPage(): TemplateResult {
    const crumbs = breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("recovery.title") }]);
    if (this.codes.length) {
      return html`${crumbs}
        <h1>${t("recovery.title")}</h1>
        <h2 tabindex="-1">${t("recovery.doneTitle")}</h2>
        <recovery-codes .codes=${this.codes}></recovery-codes>
        <p class="no-print"><a class="button button-primary" href=${ACCOUNT_PATHS.overview}>${t("totp.saved")}</a></p>`;
    }
    return html`${crumbs}
      <h1 tabindex="-1">${t("recovery.title")}</h1>
      <p class="lead">${t("recovery.intro")}</p>
      ${errorSummary(this.errors)}
      <p><button class="button button-primary" type="button" @click=${() => void this.onCreate()}>${t("recovery.create")}</button></p>
      ${this.renderBusy()}
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-recovery-codes": PageRecoveryCodes;
  }
}
