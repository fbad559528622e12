// Step-up: a service or an action needs more proof than this session has
// (a higher level, or a more recent login). The page says in plain words
// what is needed, offers the ways the server listed that this account can
// use, and then returns the person to where they were (?next=):
// - otp, sms: a code from the app or by SMS (or a recovery code), in one
//   step; an account with neither is offered to set one up (confirming it
//   raises the session too, and comes back here);
// - passkey: when this browser can use passkeys and the account has one;
// - eid: the state eID (the browser goes to the provider and comes back);
// - pwd: the password again (then the login's second step, if the account has one).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Me } from "../../api/types.ts";
import { errorSummary, formValues, requireFields, textField } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { login, loginSecondFactor, loginWithPasskey, sendLoginSMS, sendStepUpSMS, startEID, stepUpWithCode, type SecondFactorDue } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { reaches, type CodeMode } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS, navigateTo, parseStepUp, type StepUpRequest } from "../../lib/router.ts";
import { passkeysSupported } from "../../lib/webauthn.ts";
import { session } from "../../state/session.ts";
import { t } from "../../state/store.ts";
import { loginCodeModes } from "./code-form.ts";
import { CodePage } from "./code-page.ts";
import { levelName } from "./labels.ts";
import { passkeyErrors } from "./passkey-errors.ts";

/** A way to step up as the page shows it: the code step, setting a factor up, or one of the methods. */
type Way = "code" | "setup" | "passkey" | "eid" | "pwd";

@customElement("page-step-up")
export class PageStepUp extends CodePage {
  protected override requiresLogin = true;
  /** The password was right and the account wants its second factor too (which ones). */
  @state() private passwordThenCode: SecondFactorDue | null = null;
  @state() private passkeyCount = 0;

  private get request(): StepUpRequest {
    return parseStepUp(this.query);
  }

  private get next(): string {
    return this.request.next ?? ACCOUNT_PATHS.overview;
  }

  /** The code factors the server listed that the account has, as code steps. */
  private codeModesOfAccount(): CodeMode[] {
    const f = this.me!.factors;
    const listed = this.request.methods;
    const modes: CodeMode[] = [];
    if (listed.includes("otp") && f.totp) modes.push("otp");
    if (listed.includes("sms") && f.sms) modes.push("sms");
    return modes;
  }

  /** The ways to show, in the server's order; setting a factor up comes last. */
  private ways(): Way[] {
    const out: Way[] = [];
    const add = (w: Way) => out.includes(w) || out.push(w);
    const code = this.codeModesOfAccount().length > 0;
    for (const m of this.request.methods) {
      if (m === "otp" || m === "sms") add(code ? "code" : "setup");
      else if (m === "passkey" && this.passkeyCount > 0) add("passkey");
      else if (m === "pwd" && this.me!.factors.password) add(m);
      else if (m === "eid") add(m);
    }
    return [...out.filter((w) => w !== "setup"), ...out.filter((w) => w === "setup")];
  }

  protected override async load(_signal: AbortSignal): Promise<void> {
    const modes = this.codeModesOfAccount();
    this.setCodeModes([...modes, "recovery"]);
    // A passkey is only offered when this browser can use one and the account has one.
    this.passkeyCount = this.request.methods.includes("passkey") && passkeysSupported() ? this.me!.factors.passkeys : 0;
  }

  protected pageTitle(): string {
    return this.request.maxAge ? t("stepUp.recentTitle") : t("stepUp.title");
  }

  /** The session has what was asked for: back to where the person was. */
  private done(me: Me): void {
    session.set(me);
    navigateTo(this.next, { replace: true });
  }

  private async onPassword(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { password: "form.password.missing" })))) return;
    this.busyWhere = "password";
    let result: Me | SecondFactorDue | undefined;
    const ok = await this.step(t("login.busy"), ["password"], async () => {
      result = await login(this.me!.email, v.password!);
    }, (e) => (e instanceof ApiError && e.status === 401 ? [{ field: "password", text: t("stepUp.wrongPassword") }] : null));
    if (!ok || !result) return;
    if (!("due" in result)) return this.done(result);
    // The login starts over with its second step; the session waits for the code.
    this.passwordThenCode = result;
    this.setCodeModes(loginCodeModes(result.due));
    await this.focusHeading("#step-password h2");
  }

  private async onPasskey(): Promise<void> {
    this.busyWhere = "passkey";
    let me: Me | undefined;
    const ok = await this.step(t("passkey.busyLogin"), [], async () => {
      me = await loginWithPasskey();
    }, (e) => passkeyErrors(e) ?? (e instanceof ApiError && e.status === 401 ? [{ text: t("passkey.loginFailed") }] : null));
    if (ok && me) this.done(me);
  }

  private section(id: string, title: string, body: TemplateResult): TemplateResult {
    return html`<section id="step-${id}" class="section account-box" aria-labelledby="step-${id}-title">
      <h2 id="step-${id}-title" tabindex="-1">${title}</h2>
      ${body}
    </section>`;
  }

  private renderWay(way: Way): TemplateResult {
    const next = encodeURIComponent(this.next);
    switch (way) {
      case "code":
        return this.section(
          "code",
          t("stepUp.codeTitle"),
          html`<p>${this.codeMode === "otp" ? t("stepUp.codeIntro") : this.codeIntro()}</p>
            ${this.renderCodeStep({ submitLabel: t("stepUp.confirm"), send: sendStepUpSMS, submit: stepUpWithCode, done: (me) => this.done(me), where: "code" })}`,
        );
      case "setup": {
        const listed = this.request.methods;
        return this.section(
          "setup",
          t("stepUp.setupTitle"),
          html`<p>${t("stepUp.noFactor")}</p>
            <ul class="link-list">
              ${listed.includes("otp") ? html`<li><a class="button button-primary" href="${ACCOUNT_PATHS.authenticator}?next=${next}">${t("totp.title")}</a></li>` : nothing}
              ${listed.includes("sms") ? html`<li><a class="button" href="${ACCOUNT_PATHS.sms}?next=${next}">${t("sms.setup")}</a></li>` : nothing}
            </ul>`,
        );
      }
      case "passkey":
        return this.section(
          "passkey",
          t("method.passkey"),
          html`<p>${t("stepUp.passkeyIntro")}</p>
            <p><button class="button button-primary" type="button" @click=${() => void this.onPasskey()}>${icon("key")}${t("stepUp.withPasskey")}</button></p>
            ${this.renderBusy("passkey")}`,
        );
      case "eid":
        return this.section(
          "eid",
          t("method.eid"),
          html`<p>${t("stepUp.eidIntro")}</p>
            <p><button class="button button-primary" type="button" @click=${() => startEID(this.next, this.request.level)}>${icon("shield")}${t("stepUp.withEID")}</button></p>`,
        );
      case "pwd":
        return this.renderPassword();
    }
  }

  private renderPassword(): TemplateResult {
    if (this.passwordThenCode) {
      return this.section(
        "password",
        t("loginCode.title"),
        html`<p>${this.codeIntro()}</p>
          ${this.renderCodeStep({ submitLabel: t("stepUp.confirm"), send: sendLoginSMS, submit: loginSecondFactor, done: (me) => this.done(me), where: "password" })}`,
      );
    }
    return this.section(
      "password",
      t("method.pwd"),
      html`<p>${t("stepUp.passwordIntro", { email: this.me!.email })}</p>
        <form class="account-form" novalidate @submit=${(e: Event) => void this.onPassword(e)}>
          ${textField({ field: "password", label: t("form.password"), type: "password", autocomplete: "current-password", errors: this.errors })}
          <p><button class="button button-primary" type="submit">${t("stepUp.confirm")}</button></p>
          ${this.renderBusy("password")}
        </form>`,
    );
  }

  protected renderPage(): TemplateResult {
    const req = this.request;
    const me = this.me!;
    const satisfied = !req.maxAge && reaches(me.auth.level, req.level);
    if (satisfied) {
      return html`<h1 tabindex="-1">${t("stepUp.title")}</h1>
        <p class="lead">${t("stepUp.already", { level: levelName(me.auth.level) })}</p>
        <p><a class="button button-primary" href=${this.next}>${t("stepUp.continue")}</a></p>`;
    }
    // Once the password was right, only its second step is left on the page.
    const ways: Way[] = this.passwordThenCode ? ["pwd"] : this.ways();
    return html`
      <h1 tabindex="-1">${this.pageTitle()}</h1>
      ${req.maxAge
        ? html`<p class="lead">${t("stepUp.recent", { minutes: Math.max(1, Math.round(req.maxAge / 60)) })}</p>`
        : html`<p class="lead">${t("stepUp.needs", { level: levelName(req.level) })}</p>
            <p>${t(`stepUp.explain.${req.level === "eid" ? "eid" : req.level === "two_factor" ? "two_factor" : "account"}`)}</p>
            <p>${t("stepUp.current", { level: levelName(me.auth.level) })}</p>`}
      ${errorSummary(this.errors)}
      ${ways.length ? ways.map((w) => this.renderWay(w)) : html`<p class="note-box">${t("stepUp.noMethod")}</p>`}
      <p><a href=${this.next}>${ways.length ? t("stepUp.cancel") : t("stepUp.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-step-up": PageStepUp;
  }
}
