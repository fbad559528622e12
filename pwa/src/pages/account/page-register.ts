// Opening an account: an e-mail address and a password, with the password
// rules explained before the person types (not after a failed attempt).
import { html, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { errorSummary, formValues, requireFields, showPasswordToggle, textField } from "../../components/forms.ts";
import { register } from "../../data/account.ts";
import { passwordTooShort } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS, navigateTo } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { rememberInbox } from "./page-check-inbox.ts";

/** The password rules, as the server applies them (internal/password). */
export function passwordRules(): TemplateResult {
  return html`<p>${t("password.rulesIntro")}</p>
    <ul class="rules">
      <li>${t("password.ruleLength")}</li>
      <li>${t("password.ruleAny")}</li>
      <li>${t("password.ruleCommon")}</li>
    </ul>`;
}

@customElement("page-register")
export class PageRegister extends AccountPage {
  protected pageTitle(): string {
    return t("register.title");
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    const missing = requireFields(v, { email: "form.email.missing", password: "form.password.missing" });
    if (!missing.some((e) => e.field === "password") && passwordTooShort(v.password ?? "")) {
      missing.push({ field: "password", text: t("form.password.tooShort") });
    }
    if (!(await this.showErrors(missing))) return;
    const ok = await this.step(t("register.busy"), ["email", "password"], () => register(v.email!.trim(), v.password!));
    if (ok) {
      rememberInbox(v.email!.trim());
      navigateTo(ACCOUNT_PATHS["check-inbox"]);
    }
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("register.title")}</h1>
      <p class="lead">${t("register.intro")}</p>
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("form.email"), type: "email", autocomplete: "email", inputmode: "email", errors: this.errors, maxlength: 254 })}
        ${textField({ field: "password", label: t("form.newPassword"), type: "password", autocomplete: "new-password", hint: passwordRules(), errors: this.errors })}
        ${showPasswordToggle()}
        <p><button class="button button-primary" type="submit">${t("register.submit")}</button></p>
        ${this.renderBusy()}
      </form>
      <p>${t("register.haveAccount")} <a href=${ACCOUNT_PATHS.login}>${t("login.title")}</a></p>
      <p class="note">${t("register.privacy")}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-register": PageRegister;
  }
}
