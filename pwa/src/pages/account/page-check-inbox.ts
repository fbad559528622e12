// After registering: the link is in the mail. The address is kept in
// memory only (never in the URL), so after a reload the text is general.
import { html, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

let inbox = "";

/** Remembers the address the mail went to, for the next page. */
export function rememberInbox(email: string): void {
  inbox = email;
}

@customElement("page-check-inbox")
export class PageCheckInbox extends AccountPage {
  protected pageTitle(): string {
    return t("inbox.title");
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("inbox.title")}</h1>
      <p class="lead">${inbox ? t("inbox.sentTo", { email: inbox }) : t("inbox.sent")}</p>
      <p>${t("inbox.valid")}</p>
      <h2>${t("inbox.noMailTitle")}</h2>
      <ul>
        <li>${t("inbox.spam")}</li>
        <li>${t("inbox.known")}</li>
      </ul>
      <p><a class="button" href=${ACCOUNT_PATHS.login}>${t("login.title")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-check-inbox": PageCheckInbox;
  }
}
