// Codes by SMS as a second factor: a mobile number, a code sent to it to
// confirm it (which also raises this session to two factors, so a step-up
// can send the person here and back, ?next=), then new recovery codes for
// a lost phone. With SMS codes on, the page switches them off; that needs a
// two-factor login in the last 15 minutes (a step-up problem otherwise, and
// back here with ?off=1).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { SMSSent } from "../../api/types.ts";
import { errorSummary, formValues, requireFields, textField } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import "../../components/recovery-codes.ts";
import { beginSMS, confirmSMS, newRecoveryCodes, removeSMS } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { checkCodeOf, normalizeCode } from "../../lib/account-input.ts";
import { ACCOUNT_PATHS, safeNext } from "../../lib/router.ts";
import { session } from "../../state/session.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { codeErrors, smsSendErrors, smsSentNote } from "./code-form.ts";

type Stage = "on" | "phone" | "code" | "done" | "codes" | "off";

@customElement("page-sms")
export class PageSMS extends AccountPage {
  protected override requiresLogin = true;
  @state() private stage: Stage = "phone";
  @state() private phone = "";
  @state() private sent: SMSSent | null = null;
  @state() private codes: string[] = [];

  protected pageTitle(): string {
    return t("sms.title");
  }

  private get next(): string {
    return safeNext(this.query.get("next")) ?? ACCOUNT_PATHS.overview;
  }

  protected override async load(): Promise<void> {
    this.stage = this.me!.factors.sms ? "on" : "phone";
  }

  protected override ready(): void {
    super.ready();
    // Back from confirming it is the person: switching off is the next click.
    if (this.status === "ready" && this.stage === "on" && this.query.get("off") === "1") void this.updateComplete.then(() => this.querySelector<HTMLElement>("#sms-off")?.focus());
  }

  private async goTo(stage: Stage): Promise<void> {
    this.stage = stage;
    await this.focusHeading("h2");
  }

  private async send(phone: string): Promise<void> {
    let sent: SMSSent | undefined;
    const ok = await this.step(t("sms.busy"), ["phone"], async () => {
      sent = await beginSMS(phone);
    }, (e) => smsSendErrors(e) ?? (e instanceof ApiError && e.status === 409 ? [{ text: t("sms.already") }] : null));
    if (!ok || !sent) return;
    this.phone = phone;
    this.sent = sent;
    if (this.stage === "code") {
      this.querySelector<HTMLInputElement>("#acc-code")?.focus();
      return;
    }
    await this.goTo("code");
  }

  private async onPhone(event: Event): Promise<void> {
    const v = formValues(event);
    if (!(await this.showErrors(requireFields(v, { phone: "form.phone.missing" })))) return;
    await this.send(v.phone!.trim());
  }

  private async onCode(event: Event): Promise<void> {
    const code = normalizeCode(formValues(event).code ?? "");
    if (!(await this.showErrors(checkCodeOf(code, "sms")))) return;
    const ok = await this.step(t("code.busy"), ["code"], async () => {
      const me = await confirmSMS(code);
      session.set(me);
      this.me = me;
    }, (e) => codeErrors(e, "sms"));
    if (ok) await this.goTo("done");
  }

  private async onRecoveryCodes(): Promise<void> {
    const ok = await this.step(t("recovery.busy"), [], async () => {
      this.codes = (await newRecoveryCodes()).recovery_codes ?? [];
    }, (e) => (this.leaveFor(e, this.next) ? [] : null));
    if (ok) await this.goTo("codes");
  }

  private async onOff(): Promise<void> {
    const ok = await this.step(t("sms.busyOff"), [], async () => {
      await removeSMS();
      this.me = await session.refresh(true);
    }, (e) => (this.leaveFor(e, `${ACCOUNT_PATHS.sms}?off=1`) ? [] : null));
    if (ok) await this.goTo("off");
  }

  private renderStage(): TemplateResult {
    switch (this.stage) {
      case "on":
        return html`<h2 tabindex="-1">${t("sms.onTitle")}</h2>
          ${this.query.get("off") === "1" ? html`<p class="note-box success-note">${icon("shield")}<span>${t("sms.offConfirmed")}</span></p>` : nothing}
          <p>${t("sms.on", { number: this.me!.factors.sms })}</p>
          <p>${t("sms.offIntro")}</p>
          <p><button id="sms-off" class="button button-danger" type="button" @click=${() => void this.onOff()}>${t("sms.off")}</button></p>
          ${this.renderBusy()}`;
      case "phone":
        return html`<h2 tabindex="-1">${t("sms.step1")}</h2>
          <p>${t("sms.intro")}</p>
          <form class="account-form" novalidate @submit=${(e: Event) => void this.onPhone(e)}>
            ${textField({ field: "phone", label: t("sms.phone"), hint: t("sms.phoneHint"), type: "tel", autocomplete: "tel", inputmode: "tel", maxlength: 32, value: this.phone, errors: this.errors })}
            <p><button class="button button-primary" type="submit">${t("sms.sendSetup")}</button></p>
            ${this.renderBusy()}
          </form>`;
      case "code":
        return html`<h2 tabindex="-1">${t("sms.step2")}</h2>
          ${smsSentNote(this.sent!)}
          <form class="account-form" novalidate @submit=${(e: Event) => void this.onCode(e)}>
            ${textField({ field: "code", label: t("sms.codeLabel"), hint: t("sms.codeHint"), autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, errors: this.errors })}
            <p><button class="button button-primary" type="submit">${t("sms.confirm")}</button></p>
            ${this.renderBusy()}
          </form>
          <ul class="link-list">
            <li><button class="button button-quiet" type="button" @click=${() => void this.send(this.phone)}>${t("sms.resend")}</button></li>
            <li><button class="button button-quiet" type="button" @click=${() => void this.goTo("phone")}>${t("sms.otherNumber")}</button></li>
          </ul>`;
      case "done":
        return html`<h2 tabindex="-1">${t("sms.step3")}</h2>
          <p class="note-box success-note">${icon("shield")}<span>${t("sms.done", { number: this.me!.factors.sms })}</span></p>
          <p>${this.me!.factors.totp ? t("sms.recoveryReplace") : t("sms.recoveryIntro")}</p>
          <p><button class="button button-primary" type="button" @click=${() => void this.onRecoveryCodes()}>${t("recovery.create")}</button></p>
          ${this.renderBusy()}
          <p><a href=${this.next}>${this.me!.factors.totp ? t("totp.continue") : t("sms.later")}</a></p>`;
      case "codes":
        return html`<h2 tabindex="-1">${t("recovery.doneTitle")}</h2>
          <recovery-codes .codes=${this.codes}></recovery-codes>
          <p class="no-print"><a class="button button-primary" href=${this.next}>${t("totp.saved")}</a></p>`;
      case "off":
        return html`<h2 tabindex="-1">${t("sms.offTitle")}</h2>
          <p class="note-box success-note">${icon("shield")}<span>${t("sms.offDone")}</span></p>
          <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`;
    }
  }

  protected renderPage(): TemplateResult {
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("sms.title") }])}
      <h1 tabindex="-1">${t("sms.title")}</h1>
      ${errorSummary(this.errors)} ${this.renderStage()}
      ${this.stage === "codes" || this.stage === "off" ? nothing : html`<p class="no-print"><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-sms": PageSMS;
  }
}
