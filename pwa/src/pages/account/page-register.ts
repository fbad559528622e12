// Opening an account: an e-mail address and a password, with the password
// rules explained before the person types (not after a failed attempt), or
// an e-mail address and a passkey instead of a password (where the browser
// can make one). Either way the address is confirmed by a link in a mail.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { errorSummary, formValues, requireFields, showPasswordToggle, textField } from "../../components/forms.ts";
import { register, registerWithPasskey } from "../../data/account.ts";
import { passwordTooShort } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS, navigateTo } from "../../lib/router.ts";
import { passkeysSupported } from "../../lib/webauthn.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { passkeyErrors } from "./passkey-errors.ts";
import { rememberInbox } from "./page-check-inbox.ts";
import { suggestedPasskeyName } from "./labels.ts";

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
  /** How the person will log in: a password, or a passkey of this device. */
  @state() private way: "password" | "passkey" = "password";

  protected pageTitle(): string {
    return t("register.title");
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    if (this.way === "passkey") return this.onPasskey(v.email ?? "");
    const missing = requireFields(v, { email: "form.email.missing", password: "form.password.missing" });
    if (!missing.some((e) => e.field === "password") && passwordTooShort(v.password ?? "")) {
      missing.push({ field: "password", text: t("form.password.tooShort") });
    }
    if (!(await this.showErrors(missing))) return;
    const ok = await this.step(t("register.busy"), ["email", "password"], () => register(v.email!.trim(), v.password!));
    if (ok) this.checkInbox(v.email!.trim());
  }

  private async onPasskey(email: string): Promise<void> {
    if (!(await this.showErrors(requireFields({ email }, { email: "form.email.missing" })))) return;
    const ok = await this.step(t("register.busyPasskey"), ["email"], () => registerWithPasskey(email.trim(), suggestedPasskeyName()), passkeyErrors);
    if (ok) this.checkInbox(email.trim());
  }

  private checkInbox(email: string): void {
    rememberInbox(email);
    navigateTo(ACCOUNT_PATHS["check-inbox"]);
  }

  private setWay(event: Event): void {
    this.way = (event.target as HTMLInputElement).value === "passkey" ? "passkey" : "password";
    this.errors = [];
  }

  private renderWay(): TemplateResult | typeof nothing {
    if (!passkeysSupported()) return nothing;
    const option = (value: "password" | "passkey", label: string) =>
      html`<div class="form-check">
        <input id="acc-way-${value}" type="radio" name="way" value=${value} ?checked=${this.way === value} @change=${(e: Event) => this.setWay(e)} />
        <label for="acc-way-${value}">${label}</label>
      </div>`;
    return html`<fieldset class="form-field form-group">
      <legend>${t("register.way")}</legend>
      ${option("password", t("register.wayPassword"))} ${option("passkey", t("register.wayPasskey"))}
    </fieldset>`;
  }

  protected renderPage(): TemplateResult {
    return html`
      <h1 tabindex="-1">${t("register.title")}</h1>
      <p class="lead">${t("register.intro")}</p>
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("form.email"), type: "email", autocomplete: "email", inputmode: "email", errors: this.errors, maxlength: 254 })}
        ${this.renderWay()}
        ${this.way === "password"
          ? html`${textField({ field: "password", label: t("form.newPassword"), type: "password", autocomplete: "new-password", hint: passwordRules(), errors: this.errors })}
              ${showPasswordToggle()}
              <p><button class="button button-primary" type="submit">${t("register.submit")}</button></p>`
          : html`<p class="field-hint">${t("register.passkeyHint")}</p>
              <p><button class="button button-primary" type="submit">${t("register.submitPasskey")}</button></p>`}
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
