// A page with one second-factor step (the login's second step, the step-up
// page): which way the person uses (app, SMS, recovery code), the SMS sent
// for it, sending and checking. One step per page, so the code field's id
// is unique and the error summary links to it.
import { html, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import type { Me, SMSSent } from "../../api/types.ts";
import { formValues, type FormError } from "../../components/forms.ts";
import { announce } from "../../lib/announce.ts";
import { checkCodeOf, normalizeCode, type CodeMode } from "../../lib/account-input.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { codeErrors, codeStep, smsSendErrors } from "./code-form.ts";

export abstract class CodePage extends AccountPage {
  @state() protected codeModes: CodeMode[] = ["otp", "recovery"];
  @state() protected codeMode: CodeMode = "otp";
  @state() protected smsSent: SMSSent | null = null;

  /** Starts a step with these ways (the first one shown). */
  protected setCodeModes(modes: CodeMode[]): void {
    this.codeModes = modes;
    this.codeMode = modes[0] ?? "recovery";
    this.smsSent = null;
  }

  /** The intro of the current way. */
  protected codeIntro(): string {
    return this.codeMode === "sms" ? t("loginCode.introSms") : this.codeMode === "recovery" ? t("loginCode.introRecovery") : t("loginCode.intro");
  }

  private async focusStep(): Promise<void> {
    await this.updateComplete;
    (this.querySelector<HTMLElement>("#acc-code") ?? this.querySelector<HTMLElement>(".code-send"))?.focus();
  }

  private async switchMode(mode: CodeMode): Promise<void> {
    this.codeMode = mode;
    this.errors = [];
    await this.focusStep();
  }

  private async sendSMS(send: () => Promise<SMSSent>, where: string): Promise<void> {
    this.busyWhere = where;
    let sent: SMSSent | undefined;
    const ok = await this.step(t("sms.busy"), [], async () => {
      sent = await send();
    }, (e) => this.lostStep(e) ?? smsSendErrors(e));
    if (!ok || !sent) return;
    this.smsSent = sent;
    announce(t("sms.sentShort", { number: sent.sent_to }));
    await this.focusStep();
  }

  private async submitCode(event: Event, submit: (code: string) => Promise<Me>, done: (me: Me) => void, where: string): Promise<void> {
    this.busyWhere = where;
    const mode = this.codeMode;
    const code = normalizeCode(formValues(event).code ?? "");
    if (!(await this.showErrors(checkCodeOf(code, mode)))) return;
    let me: Me | undefined;
    const ok = await this.step(t("code.busy"), ["code"], async () => {
      me = await submit(code);
    }, (e) => this.lostStep(e) ?? codeErrors(e, mode));
    if (ok && me) done(me);
  }

  /** An answer that ends the whole step (the page explains it), checked before the usual ones. */
  protected lostStep(_e: unknown): FormError[] | null {
    return null;
  }

  /**
   * The step: the current way's field (or the SMS button), and the switches
   * to the other ways. where: the name of its status region (see renderBusy).
   */
  protected renderCodeStep(o: { submitLabel: string; send: () => Promise<SMSSent>; submit: (code: string) => Promise<Me>; done: (me: Me) => void; where?: string }): TemplateResult {
    const where = o.where ?? "";
    return html`${codeStep({
      modes: this.codeModes,
      mode: this.codeMode,
      sent: this.smsSent,
      errors: this.errors,
      submitLabel: o.submitLabel,
      busy: this.renderBusy(where),
      onSubmit: (e) => void this.submitCode(e, o.submit, o.done, where),
      onMode: (m) => void this.switchMode(m),
      onSendSMS: () => void this.sendSMS(o.send, where),
    })}`;
  }
}
