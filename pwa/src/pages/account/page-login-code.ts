// The login's second step: the password was right, the server remembers
// that in the session; a code from the authenticator app, a code by SMS
// (sent when the person asks for it) or a recovery code completes the login.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { errorSummary, type FormError } from "../../components/forms.ts";
import { loginSecondFactor, sendLoginSMS } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS, loginHref, safeNext } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { loginCodeModes } from "./code-form.ts";
import { CodePage } from "./code-page.ts";
import { loggedIn } from "./page-login.ts";

@customElement("page-login-code")
export class PageLoginCode extends CodePage {
  @state() private expired = false;

  override connectedCallback(): void {
    this.setCodeModes(loginCodeModes());
    super.connectedCallback();
  }

  protected pageTitle(): string {
    return t("loginCode.title");
  }

  /** No password step in this session (expired, or opened directly): start again. */
  protected override lostStep(e: unknown): FormError[] | null {
    if (e instanceof ApiError && e.status === 401 && /password first/i.test(e.problem?.detail ?? "")) {
      this.expired = true;
      return [{ text: t("loginCode.expired") }];
    }
    return null;
  }

  protected renderPage(): TemplateResult {
    const next = safeNext(this.query.get("next"));
    return html`
      <h1 tabindex="-1">${t("loginCode.title")}</h1>
      <p class="lead">${this.codeIntro()}</p>
      ${errorSummary(this.errors)}
      ${this.expired ? html`<p><a class="button" href=${loginHref(next)}>${t("loginCode.again")}</a></p>` : ""}
      ${this.renderCodeStep({
        submitLabel: t("login.submit"),
        send: sendLoginSMS,
        submit: loginSecondFactor,
        done: (me) => loggedIn(me, next),
      })}
      <p><a href=${ACCOUNT_PATHS.login}>${t("loginCode.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-login-code": PageLoginCode;
  }
}
