// The ten recovery codes, shown once: the list, copy and print, and a
// status line for the copy. Used after setting up the authenticator app
// and when the codes are replaced.
import { html, LitElement, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { StoreController, t } from "../state/store.ts";

@customElement("recovery-codes")
export class RecoveryCodesList extends LitElement {
  @property({ attribute: false }) codes: readonly string[] = [];
  @state() private copyStatus = "";
  protected readonly storeController = new StoreController(this);

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private async onCopy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.codes.join("\n"));
      this.copyStatus = t("totp.copied");
    } catch {
      this.copyStatus = t("totp.copyFailed");
    }
  }

  protected override render(): TemplateResult {
    return html`<p>${t("totp.codesIntro")}</p>
      <ol class="recovery-codes">
        ${this.codes.map((c) => html`<li><code>${c}</code></li>`)}
      </ol>
      <p>${t("totp.codesHint")}</p>
      <div class="button-row no-print">
        <button class="button" type="button" @click=${() => void this.onCopy()}>${t("totp.copy")}</button>
        <button class="button" type="button" @click=${() => window.print()}>${t("totp.print")}</button>
      </div>
      <p class="form-status" role="status">${this.copyStatus}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "recovery-codes": RecoveryCodesList;
  }
}
