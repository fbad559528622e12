// The link in the reset mail: /account/reset#<token>. A new password, with
// the same rules as at registration; the token stays in the address until
// it has been used (a reload must not lose it).
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { errorSummary, formValues, requireFields, showPasswordToggle, textField, type FormError } from "../../components/forms.ts";
import { resetPassword } from "../../data/account.ts";
import { fieldErrors, passwordTooShort, tokenFromHash } from "../../lib/account-input.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { passwordRules } from "./page-register.ts";
import { forgetToken } from "./page-verify.ts";

@customElement("page-reset")
export class PageReset extends AccountPage {
  @state() private outcome: "form" | "done" | "invalid" = "form";
  private token = "";

  protected pageTitle(): string {
    return this.outcome === "done" ? t("reset.done") : t("reset.title");
  }

  protected override async load(): Promise<void> {
    this.token = tokenFromHash(location.hash);
    this.outcome = this.token.length < 20 ? "invalid" : "form";
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    const errors = requireFields(v, { password: "form.password.missing" });
    if (!errors.length && passwordTooShort(v.password ?? "")) errors.push({ field: "password", text: t("form.password.tooShort") });
    if (!(await this.showErrors(errors))) return;
    const ok = await this.step(t("reset.busy"), ["password"], () => resetPassword(this.token, v.password!), (e): FormError[] | null => {
      if (e instanceof ApiError && fieldErrors(e.problem).has("token")) {
        this.outcome = "invalid";
        return [];
      }
      return null;
    });
    if (ok) this.outcome = "done";
    if (this.outcome !== "form") {
      forgetToken();
      await this.focusHeading();
    }
  }

  protected renderPage(): TemplateResult {
    switch (this.outcome) {
      case "done":
        return html`
          <h1 tabindex="-1">${t("reset.done")}</h1>
          <p class="lead">${t("reset.doneText")}</p>
          <p><a class="button button-primary" href=${ACCOUNT_PATHS.login}>${t("login.title")}</a></p>
        `;
      case "invalid":
        return html`
          <h1 tabindex="-1">${t("verify.invalidTitle")}</h1>
          <p class="lead">${t("reset.invalid")}</p>
          <p><a class="button" href=${ACCOUNT_PATHS["forgot-password"]}>${t("reset.again")}</a></p>
        `;
      default:
        return html`
          <h1 tabindex="-1">${t("reset.title")}</h1>
          ${errorSummary(this.errors)}
          <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
            ${textField({ field: "password", label: t("form.newPassword"), type: "password", autocomplete: "new-password", hint: passwordRules(), errors: this.errors })}
            ${showPasswordToggle()}
            <p><button class="button button-primary" type="submit">${t("reset.submit")}</button></p>
            ${this.renderBusy()}
          </form>
        `;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-reset": PageReset;
  }
}
