// Logging in with a password. An account with an authenticator app gets a
// second step (its own page, so Back and a reload behave). Afterwards the
// person goes back to where they came from (?next=).
import { html, nothing, type TemplateResult } from "lit";
import type { Me } from "../../api/types.ts";
import { customElement } from "lit/decorators.js";
import { icon } from "../../components/icons.ts";
import { errorSummary, formValues, requireFields, textField, type FormError } from "../../components/forms.ts";
import { login } from "../../data/account.ts";
import { favourites } from "../../data/favourites.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS, navigateTo, safeNext } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { rememberFactors } from "./code-form.ts";

/** After a completed login: the session, the favourites merged on the server, and back. */
export function loggedIn(me: Me, next: string | null): void {
  session.set(me);
  void favourites.sync(store.lang);
  navigateTo(next ?? ACCOUNT_PATHS.overview, { replace: true });
}

@customElement("page-login")
export class PageLogin extends AccountPage {
  protected pageTitle(): string {
    return t("login.title");
  }

  private get next(): string | null {
    return safeNext(this.query.get("next"));
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { email: "form.email.missing", password: "form.password.missing" })))) return;
    let result: Awaited<ReturnType<typeof login>> | undefined;
    const ok = await this.step(t("login.busy"), ["email", "password"], async () => {
      result = await login(v.email!.trim(), v.password!);
    }, wrongLogin);
    if (!ok || !result) return;
    if ("due" in result) {
      rememberFactors(result.due);
      const next = this.next;
      navigateTo(next ? `${ACCOUNT_PATHS["login-code"]}?next=${encodeURIComponent(next)}` : ACCOUNT_PATHS["login-code"]);
      return;
    }
    loggedIn(result, this.next);
  }

  protected renderPage(): TemplateResult {
    const loggedOut = this.query.get("logged_out") === "1";
    return html`
      <h1 tabindex="-1">${t("login.title")}</h1>
      ${loggedOut ? html`<p class="note-box success-note">${icon("shield")}<span>${t("login.loggedOut")}</span></p>` : nothing}
      ${this.next ? html`<p class="lead">${t("login.needed")}</p>` : html`<p class="lead">${t("login.intro")}</p>`}
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("form.email"), type: "email", autocomplete: "username", inputmode: "email", errors: this.errors, maxlength: 254 })}
        ${textField({ field: "password", label: t("form.password"), type: "password", autocomplete: "current-password", errors: this.errors })}
        <p><button class="button button-primary" type="submit">${t("login.submit")}</button></p>
        ${this.renderBusy()}
      </form>
      <ul class="link-list">
        <li><a href=${ACCOUNT_PATHS["forgot-password"]}>${t("login.forgot")}</a></li>
        <li>${t("login.noAccount")} <a href=${ACCOUNT_PATHS.register}>${t("register.title")}</a></li>
      </ul>
    `;
  }
}

/** A wrong address or password: one answer for both (no enumeration), shown at the password. */
function wrongLogin(e: unknown): FormError[] | null {
  if (e instanceof ApiError && e.status === 401) return [{ field: "password", text: t("login.wrong") }];
  return null;
}

declare global {
  interface HTMLElementTagNameMap {
    "page-login": PageLogin;
  }
}
