// The link in the verification mail: /account/verify#<token>. The token is
// in the fragment, so it never reaches a server log; the page sends it once
// and then removes it from the address bar and the history.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { verifyEmail } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { tokenFromHash } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

/** Removes the token from the address bar and the history entry. */
export function forgetToken(): void {
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
}

@customElement("page-verify")
export class PageVerify extends AccountPage {
  @state() private outcome: "verified" | "invalid" | "missing" = "missing";

  protected pageTitle(): string {
    return this.outcome === "verified" ? t("verify.done") : t("verify.invalidTitle");
  }

  protected override async load(): Promise<void> {
    const token = tokenFromHash(location.hash);
    if (token.length < 20) {
      this.outcome = "missing";
      return;
    }
    try {
      await verifyEmail(token);
      this.outcome = "verified";
    } catch (e) {
      // Unknown, used or expired (422 naming the token): the page says what to do.
      if (!(e instanceof ApiError) || e.status !== 422) throw e;
      this.outcome = "invalid";
    }
    forgetToken();
  }

  protected renderPage(): TemplateResult {
    if (this.outcome === "verified") {
      return html`
        <h1 tabindex="-1">${t("verify.done")}</h1>
        <p class="lead">${t("verify.doneText")}</p>
        <p><a class="button button-primary" href=${ACCOUNT_PATHS.login}>${t("verify.login")}</a></p>
      `;
    }
    return html`
      <h1 tabindex="-1">${t("verify.invalidTitle")}</h1>
      <p class="lead">${this.outcome === "missing" ? t("verify.missing") : t("verify.invalid")}</p>
      <p>${t("verify.invalidHelp")}</p>
      <ul class="link-list">
        <li><a href=${ACCOUNT_PATHS.login}>${t("login.title")}</a></li>
        <li><a href=${ACCOUNT_PATHS.register}>${t("register.title")}</a></li>
      </ul>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-verify": PageVerify;
  }
}
