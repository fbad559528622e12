// Logging in: with a password (an account with a second factor gets a
// second step, its own page, so Back and a reload behave), with a passkey
// (no address asked: the browser offers the passkeys it holds for this
// site), or with the state eID when the server offers it (the browser goes
// to the provider and comes back; a failure comes back here with ?fehler=).
// Afterwards the person goes back to where they came from (?next=).
import { html, nothing, type TemplateResult } from "lit";
import type { Me } from "../../api/types.ts";
import { customElement } from "lit/decorators.js";
import { icon } from "../../components/icons.ts";
import { errorSummary, formValues, requireFields, textField, type FormError } from "../../components/forms.ts";
import { login, loginWithPasskey, startEID } from "../../data/account.ts";
import { favourites } from "../../data/favourites.ts";
import { ApiError } from "../../data/repository.ts";
import { eidErrorText } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS, navigateTo, safeNext } from "../../lib/router.ts";
import { passkeysSupported } from "../../lib/webauthn.ts";
import { session } from "../../state/session.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { rememberFactors } from "./code-form.ts";
import { passkeyErrors } from "./passkey-errors.ts";

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

  /** Where to continue: ?next=, or the return_to the eID callback brings back with an error. */
  private get next(): string | null {
    return safeNext(this.query.get("next")) ?? safeNext(this.query.get("return_to"));
  }

  /** The eID callback's error code (?fehler=), if the page was reached that way. */
  private get eidError(): string | null {
    return this.query.get("fehler");
  }

  protected override ready(): void {
    super.ready();
    // Back from a failed eID login (a full page load): the explanation is
    // the first thing read, so it takes the focus.
    if (this.status === "ready" && this.eidError) void this.updateComplete.then(() => this.querySelector<HTMLElement>("#eid-error")?.focus());
  }

  private async onSubmit(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { email: "form.email.missing", password: "form.password.missing" })))) return;
    this.busyWhere = "";
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

  private async onPasskey(): Promise<void> {
    this.busyWhere = "passkey";
    let me: Me | undefined;
    const ok = await this.step(t("passkey.busyLogin"), [], async () => {
      me = await loginWithPasskey();
    }, (e) => passkeyErrors(e) ?? (e instanceof ApiError && e.status === 401 ? [{ text: t("passkey.loginFailed") }] : null));
    if (ok && me) loggedIn(me, this.next);
  }

  private onEID(): void {
    // The provider's pages replace the app; the session hint makes the app
    // ask who is logged in when it comes back.
    session.expect();
    startEID(this.next ?? ACCOUNT_PATHS.overview);
  }

  private renderEIDError(): TemplateResult | typeof nothing {
    const code = this.eidError;
    if (!code) return nothing;
    // Not an .error-summary: that one takes the focus after a failed submit of the form.
    return html`<div id="eid-error" class="alert-box" tabindex="-1" aria-labelledby="eid-error-title">
      <h2 id="eid-error-title">${t("eidError.title")}</h2>
      <p>${eidErrorText(code)}</p>
      ${session.me && this.next ? html`<p><a href=${this.next}>${t("eidError.back")}</a></p>` : nothing}
    </div>`;
  }

  private renderOtherWays(): TemplateResult | typeof nothing {
    const passkey = passkeysSupported();
    const eid = store.config.eid === true;
    if (!passkey && !eid) return nothing;
    return html`<section class="section other-ways" aria-labelledby="other-ways">
      <h2 id="other-ways">${t("login.otherWays")}</h2>
      <div class="button-row">
        ${passkey ? html`<button class="button" type="button" @click=${() => void this.onPasskey()}>${icon("key")}${t("passkey.login")}</button>` : nothing}
        ${eid ? html`<button class="button" type="button" @click=${() => this.onEID()}>${icon("shield")}${t("eid.login")}</button>` : nothing}
      </div>
      ${passkey ? html`<p class="hint">${t("passkey.loginHint")}</p>` : nothing}
      ${this.renderBusy("passkey")}
    </section>`;
  }

  protected renderPage(): TemplateResult {
    const loggedOut = this.query.get("logged_out") === "1";
    return html`
      <h1 tabindex="-1">${t("login.title")}</h1>
      ${this.renderEIDError()}
      ${loggedOut ? html`<p class="note-box success-note">${icon("shield")}<span>${t("login.loggedOut")}</span></p>` : nothing}
      ${this.next ? html`<p class="lead">${t("login.needed")}</p>` : html`<p class="lead">${t("login.intro")}</p>`}
      ${errorSummary(this.errors)}
      <form class="account-form" novalidate @submit=${(e: Event) => void this.onSubmit(e)}>
        ${textField({ field: "email", label: t("form.email"), type: "email", autocomplete: "username", inputmode: "email", errors: this.errors, maxlength: 254 })}
        ${textField({ field: "password", label: t("form.password"), type: "password", autocomplete: "current-password", errors: this.errors })}
        <p><button class="button button-primary" type="submit">${t("login.submit")}</button></p>
        ${this.renderBusy()}
      </form>
      ${this.renderOtherWays()}
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
