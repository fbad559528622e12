// Sessions and devices: every live session of the account, with the
// browser it runs in, and a button to end each one (this one: log out).
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Device } from "../../api/types.ts";
import { errorSummary } from "../../components/forms.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { endSession, listSessions } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { deviceName, methodList } from "./labels.ts";
import { logoutAndLeave } from "./page-account.ts";

@customElement("page-sessions")
export class PageSessions extends AccountPage {
  protected override requiresLogin = true;
  @state() private devices: Device[] = [];

  protected pageTitle(): string {
    return t("sessions.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    this.devices = await listSessions(signal);
  }

  private async onEnd(d: Device): Promise<void> {
    if (d.current) {
      await this.showErrors(await logoutAndLeave());
      return;
    }
    const ok = await this.step(t("sessions.busy"), [], () => endSession(d.id), (e) => {
      // Ended elsewhere in the meantime: it is gone either way.
      if (e instanceof ApiError && e.status === 404) return [];
      return this.leaveFor(e) ? [] : null;
    });
    if (ok || this.errors.length === 0) {
      this.devices = this.devices.filter((x) => x.id !== d.id);
      announce(t("sessions.ended"));
      await this.focusHeading("#sessions-count");
    }
  }

  private label(d: Device): string {
    const n = deviceName(d.device);
    return n ? t("sessions.device", n) : t("sessions.unknownDevice");
  }

  protected renderPage(): TemplateResult {
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("sessions.title") }])}
      <h1 tabindex="-1">${t("sessions.title")}</h1>
      <p class="lead">${t("sessions.intro")}</p>
      ${errorSummary(this.errors)}
      <h2 id="sessions-count" class="results-count">${t("sessions.count", { count: this.devices.length })}</h2>
      <ul class="device-list" role="list">
        ${this.devices.map(
          (d) => html`<li class="device">
            <h3 id="device-${d.id}">
              ${this.label(d)}${d.current ? html` <span class="badge badge-current">${t("sessions.current")}</span>` : nothing}
            </h3>
            <dl class="facts">
              <div><dt>${t("account.methods")}</dt><dd>${methodList(d.methods ?? [])}</dd></div>
              <div><dt>${t("sessions.started")}</dt><dd>${formatDateTime(store.lang, d.created_at)}</dd></div>
              <div><dt>${t("sessions.expires")}</dt><dd>${formatDateTime(store.lang, d.expires_at)}</dd></div>
              <div><dt>${t("sessions.browser")}</dt><dd class="note break">${d.device || "–"}</dd></div>
            </dl>
            <button class="button" type="button" aria-describedby="device-${d.id}" @click=${() => void this.onEnd(d)}>
              ${d.current ? t("sessions.logoutHere") : t("sessions.end")}
            </button>
          </li>`,
        )}
      </ul>
      ${this.renderBusy()}
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-sessions": PageSessions;
  }
}
