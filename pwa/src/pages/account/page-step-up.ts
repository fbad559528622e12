// Step-up: a service or an action needs more proof than this session has
// (a higher level, or a more recent login). The page says in plain words
// what is needed, offers the ways the server listed that this app
// implements, and then returns the person to where they were (?next=).
// Each way is one entry in `methods` below; the server may list ways
// (passkey, sms, eid) that come later: those are simply not shown.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Me } from "../../api/types.ts";
import { errorSummary, formValues, requireFields, textField } from "../../components/forms.ts";
import { login, loginSecondFactor, stepUpWithCode, type SecondFactorDue } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { ACCOUNT_PATHS, navigateTo, parseStepUp, type StepUpRequest } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { checkCode, normalizeCode, reaches } from "../../lib/account-input.ts";
import { appCodeWorks, codeErrors, codeForm } from "./code-form.ts";
import { levelName } from "./labels.ts";

@customElement("page-step-up")
export class PageStepUp extends AccountPage {
  protected override requiresLogin = true;
  @state() private recovery = false;
  /** The password was right and the account wants its second factor too (which ones). */
  @state() private passwordThenCode: SecondFactorDue | null = null;

  /** The ways to step up this page implements, by the server's method names. */
  private readonly methods: Record<string, () => TemplateResult> = {
    otp: () => this.renderCode(),
    pwd: () => this.renderPassword(),
  };

  private get request(): StepUpRequest {
    return parseStepUp(this.query);
  }

  private get next(): string {
    return this.request.next ?? ACCOUNT_PATHS.overview;
  }

  private get offered(): string[] {
    return this.request.methods.filter((m) => m in this.methods);
  }

  protected pageTitle(): string {
    return this.request.maxAge ? t("stepUp.recentTitle") : t("stepUp.title");
  }

  /** The session has what was asked for: back to where the person was. */
  private done(me: Me): void {
    session.set(me);
    navigateTo(this.next, { replace: true });
  }

  private async toggleRecovery(): Promise<void> {
    this.recovery = !this.recovery;
    this.errors = [];
    await this.updateComplete;
    this.querySelector<HTMLInputElement>("#acc-code")?.focus();
  }

  private async onCode(event: Event, send: (code: string) => Promise<Me>): Promise<void> {
    const code = normalizeCode(formValues(event).code ?? "");
    if (!(await this.showErrors(checkCode(code, this.recovery)))) return;
    let me: Me | undefined;
    const ok = await this.step(t("code.busy"), ["code"], async () => {
      me = await send(code);
    }, codeErrors);
    if (ok && me) this.done(me);
  }

  private async onPassword(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { password: "form.password.missing" })))) return;
    let result: Me | SecondFactorDue | undefined;
    const ok = await this.step(t("login.busy"), ["password"], async () => {
      result = await login(this.me!.email, v.password!);
    }, (e) => (e instanceof ApiError && e.status === 401 ? [{ field: "password", text: t("stepUp.wrongPassword") }] : null));
    if (!ok || !result) return;
    if (!("due" in result)) return this.done(result);
    // The login starts over with its second step; the session waits for the code.
    this.passwordThenCode = result;
    this.recovery = !appCodeWorks(result.due);
    await this.focusHeading("#step-password h2");
  }

  private renderCode(): TemplateResult {
    if (!this.me!.factors.totp) {
      return html`<section class="section account-box" aria-labelledby="step-otp">
        <h2 id="step-otp">${t("method.otp")}</h2>
        <p>${t("stepUp.noApp")}</p>
        <p><a class="button button-primary" href="${ACCOUNT_PATHS.authenticator}?next=${encodeURIComponent(this.next)}">${t("totp.title")}</a></p>
      </section>`;
    }
    return html`<section class="section account-box" aria-labelledby="step-otp">
      <h2 id="step-otp">${t("method.otp")}</h2>
      <p>${this.recovery ? t("loginCode.introRecovery") : t("stepUp.codeIntro")}</p>
      ${codeForm({
        recovery: this.recovery,
        errors: this.errors,
        submitLabel: t("stepUp.confirm"),
        busy: this.renderBusy(),
        onSubmit: (e) => void this.onCode(e, stepUpWithCode),
        onToggle: () => void this.toggleRecovery(),
      })}
    </section>`;
  }

  private renderPassword(): TemplateResult {
    return html`<section id="step-password" class="section account-box" aria-labelledby="step-pwd">
      ${this.passwordThenCode
        ? html`<h2 id="step-pwd" tabindex="-1">${t("loginCode.title")}</h2>
            <p>${this.recovery ? t("loginCode.introRecovery") : t("loginCode.intro")}</p>
            ${appCodeWorks(this.passwordThenCode.due) ? "" : html`<p>${t("loginCode.noApp")}</p>`}
            ${codeForm({
              recoveryOnly: !appCodeWorks(this.passwordThenCode.due),
              recovery: this.recovery,
              errors: this.errors,
              submitLabel: t("stepUp.confirm"),
              busy: this.renderBusy(),
              onSubmit: (e) => void this.onCode(e, loginSecondFactor),
              onToggle: () => void this.toggleRecovery(),
            })}`
        : html`<h2 id="step-pwd">${t("method.pwd")}</h2>
            <p>${t("stepUp.passwordIntro", { email: this.me!.email })}</p>
            <form class="account-form" novalidate @submit=${(e: Event) => void this.onPassword(e)}>
              ${textField({ field: "password", label: t("form.password"), type: "password", autocomplete: "current-password", errors: this.errors })}
              <p><button class="button button-primary" type="submit">${t("stepUp.confirm")}</button></p>
              ${this.renderBusy()}
            </form>`}
    </section>`;
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
    const offered = this.offered;
    return html`
      <h1 tabindex="-1">${this.pageTitle()}</h1>
      ${req.maxAge
        ? html`<p class="lead">${t("stepUp.recent", { minutes: Math.max(1, Math.round(req.maxAge / 60)) })}</p>`
        : html`<p class="lead">${t("stepUp.needs", { level: levelName(req.level) })}</p>
            <p>${t(`stepUp.explain.${req.level === "eid" ? "eid" : req.level === "two_factor" ? "two_factor" : "account"}`)}</p>
            <p>${t("stepUp.current", { level: levelName(me.auth.level) })}</p>`}
      ${errorSummary(this.errors)}
      ${offered.length
        ? offered.map((m) => this.methods[m]!())
        : html`<p class="note-box">${t("stepUp.noMethod")}</p>`}
      <p><a href=${this.next}>${offered.length ? t("stepUp.cancel") : t("stepUp.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-step-up": PageStepUp;
  }
}
