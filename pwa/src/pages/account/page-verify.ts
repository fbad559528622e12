// The links that confirm an address: /account/verify#<token> (a new
// account) and /account/email#<token> (a new address for an account). The
// token is in the fragment, so it never reaches a server log; the page
// sends it once and then removes it from the address bar and the history.
import { html, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { confirmEmailChange, verifyEmail } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { tokenFromHash } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

/** Removes the token from the address bar and the history entry. */
export function forgetToken(): void {
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
}

@customElement("page-verify")
export class PageVerify extends AccountPage {
  /** registration: the first address of an account; change: a new address. */
  @property() kind: "registration" | "change" = "registration";
  @state() private outcome: "verified" | "invalid" | "missing" | "taken" = "missing";

  protected pageTitle(): string {
    if (this.outcome !== "verified") return t("verify.invalidTitle");
    return this.kind === "change" ? t("emailChange.done") : t("verify.done");
  }

  protected override async load(): Promise<void> {
    const token = tokenFromHash(location.hash);
    if (token.length < 20) {
      this.outcome = "missing";
      return;
    }
    try {
      await (this.kind === "change" ? confirmEmailChange(token) : verifyEmail(token));
      this.outcome = "verified";
      // A logged-in person sees the new address at once.
      if (this.kind === "change" && session.me) await session.refresh(true).catch(() => undefined);
    } catch (e) {
      // Unknown, used or expired (422 naming the token), or the new address
      // got an account in the meantime (409): the page says what to do.
      if (!(e instanceof ApiError) || (e.status !== 422 && e.status !== 409)) throw e;
      this.outcome = e.status === 409 ? "taken" : "invalid";
    }
    forgetToken();
  }

  protected renderPage(): TemplateResult {
    if (this.kind === "change") return this.renderChange();
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

  private renderChange(): TemplateResult {
    if (this.outcome === "verified") {
      return html`
        <h1 tabindex="-1">${t("emailChange.done")}</h1>
        <p class="lead">${t("emailChange.doneText")}</p>
        <p><a class="button button-primary" href=${ACCOUNT_PATHS.overview}>${t("account.title")}</a></p>
      `;
    }
    return html`
      <h1 tabindex="-1">${t("verify.invalidTitle")}</h1>
      <p class="lead">${this.outcome === "taken" ? t("emailChange.taken") : this.outcome === "missing" ? t("verify.missing") : t("verify.invalid")}</p>
      <p>${t("emailChange.again")}</p>
      <p><a class="button" href=${ACCOUNT_PATHS["change-email"]}>${t("emailChange.title")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-verify": PageVerify;
  }
}
