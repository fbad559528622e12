// Changing the account's e-mail address: a link goes to the new address
// (confirmed on /account/email#token); until it is used the old address
// stays. It needs a recent login, so the server may answer with a step-up
// problem first; the person comes back to this form afterwards.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { breadcrumbs } from "../../components/parts.ts";
import { errorSummary, formValues, requireFields, textField } from "../../components/forms.ts";
import { changeEmail } from "../../data/account.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

@customElement("page-change-email")
export class PageChangeEmail extends AccountPage {
  protected override requiresLogin = true;
  @state() private sentTo = "";

  protected pageTitle(): string {
    return t("emailChange.title");
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { email: "form.email.missing" })))) return;
    const email = v.email!.trim();
    const ok = await this.step(t("forgot.busy"), ["email"], () => changeEmail(email), (e) => (this.leaveFor(e) ? [] : null));
    if (!ok) return;
    this.sentTo = email;
    await this.focusHeading("h2");
  }

  protected renderPage(): TemplateResult {
    const crumbs = breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("emailChange.title") }]);
    if (this.sentTo) {
      return html`${crumbs}
        <h1>${t("emailChange.title")}</h1>
        <h2 tabindex="-1">${t("emailChange.sentTitle")}</h2>
        <p class="lead">${t("emailChange.sent", { email: this.sentTo })}</p>
        <p>${t("inbox.spam")}</p>
        <p><a class="button" href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`;
    }
    return html`${crumbs}
      <h1 tabindex="-1">${t("emailChange.title")}</h1>
      <p class="lead">${t("emailChange.intro", { email: this.me!.email })}</p>
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("emailChange.new"), type: "email", autocomplete: "email", inputmode: "email", errors: this.errors, maxlength: 254 })}
        <p><button class="button button-primary" type="submit">${t("emailChange.submit")}</button></p>
        ${this.renderBusy()}
      </form>
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-change-email": PageChangeEmail;
  }
}
