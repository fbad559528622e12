// "Forgot password": asks for the address and mails a reset link. The
// answer is the same whether or not the address has an account, and so is
// the page.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { errorSummary, formValues, requireFields, textField } from "../../components/forms.ts";
import { requestPasswordReset } from "../../data/account.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

@customElement("page-forgot-password")
export class PageForgotPassword extends AccountPage {
  @state() private sentTo = "";

  protected pageTitle(): string {
    return t("forgot.title");
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { email: "form.email.missing" })))) return;
    const email = v.email!.trim();
    if (await this.step(t("forgot.busy"), ["email"], () => requestPasswordReset(email))) {
      this.sentTo = email;
      await this.focusHeading("h2");
    }
  }

  protected renderPage(): TemplateResult {
    if (this.sentTo) {
      return html`
        <h1>${t("forgot.title")}</h1>
        <h2 tabindex="-1">${t("inbox.title")}</h2>
        <p class="lead">${t("forgot.sent", { email: this.sentTo })}</p>
        <p>${t("inbox.spam")}</p>
        <p><a class="button" href=${ACCOUNT_PATHS.login}>${t("login.title")}</a></p>
      `;
    }
    return html`
      <h1 tabindex="-1">${t("forgot.title")}</h1>
      <p class="lead">${t("forgot.intro")}</p>
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("form.email"), type: "email", autocomplete: "email", inputmode: "email", errors: this.errors, maxlength: 254 })}
        <p><button class="button button-primary" type="submit">${t("forgot.submit")}</button></p>
        ${this.renderBusy()}
      </form>
      <p><a href=${ACCOUNT_PATHS.login}>${t("loginCode.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-forgot-password": PageForgotPassword;
  }
}
