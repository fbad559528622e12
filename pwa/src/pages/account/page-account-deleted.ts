// After deleting the account: what happened, and what is left on this device.
import { html, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

@customElement("page-account-deleted")
export class PageAccountDeleted extends AccountPage {
  protected pageTitle(): string {
    return t("deleted.title");
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("deleted.title")}</h1>
      <p class="lead">${t("deleted.text")}</p>
      <p>${t("deleted.device")}</p>
      <ul class="link-list">
        <li><a href="/">${t("notFound.home")}</a></li>
        <li><a href=${ACCOUNT_PATHS.register}>${t("register.title")}</a></li>
      </ul>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-account-deleted": PageAccountDeleted;
  }
}
