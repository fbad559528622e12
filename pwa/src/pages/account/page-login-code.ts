// The login's second step: the password was right, the server remembers
// that in the session; a code from the authenticator app (or a recovery
// code) completes the login.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { errorSummary, formValues } from "../../components/forms.ts";
import { loginSecondFactor } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS, loginHref, safeNext } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { checkCode, normalizeCode } from "../../lib/account-input.ts";
import { appCodeWorks, codeErrors, codeForm } from "./code-form.ts";
import { loggedIn } from "./page-login.ts";

@customElement("page-login-code")
export class PageLoginCode extends AccountPage {
  /** Without an authenticator app (SMS only), a recovery code is the way here. */
  private readonly appWorks = appCodeWorks();
  @state() private recovery = !this.appWorks;
  @state() private expired = false;

  protected pageTitle(): string {
    return t("loginCode.title");
  }

  private async onSubmit(event: Event): Promise<void> {
    const code = normalizeCode(formValues(event).code ?? "");
    if (!(await this.showErrors(checkCode(code, this.recovery)))) return;
    let me: Awaited<ReturnType<typeof loginSecondFactor>> | undefined;
    const ok = await this.step(t("code.busy"), ["code"], async () => {
      me = await loginSecondFactor(code);
    }, (e) => {
      // No password step in this session (expired, or opened directly).
      if (e instanceof ApiError && e.status === 401 && /password first/i.test(e.problem?.detail ?? "")) {
        this.expired = true;
        return [{ text: t("loginCode.expired") }];
      }
      return codeErrors(e);
    });
    if (ok && me) loggedIn(me, safeNext(this.query.get("next")));
  }

  private async toggle(): Promise<void> {
    this.recovery = !this.recovery;
    this.errors = [];
    await this.updateComplete;
    this.querySelector<HTMLInputElement>("#acc-code")?.focus();
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("loginCode.title")}</h1>
      <p class="lead">${this.recovery ? t("loginCode.introRecovery") : t("loginCode.intro")}</p>
      ${this.appWorks ? "" : html`<p>${t("loginCode.noApp")}</p>`}
      ${errorSummary(this.errors)}
      ${this.expired ? html`<p><a class="button" href=${loginHref(safeNext(this.query.get("next")))}>${t("loginCode.again")}</a></p>` : ""}
      ${codeForm({
        recovery: this.recovery,
        errors: this.errors,
        submitLabel: t("login.submit"),
        busy: this.renderBusy(),
        onSubmit: (e) => void this.onSubmit(e),
        onToggle: () => void this.toggle(),
        recoveryOnly: !this.appWorks,
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
