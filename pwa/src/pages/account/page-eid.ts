// The state eID identities linked to the account: which provider, the
// level its last login gave, when linked and last used; linking one (a
// login with the eID while logged in links it) and unlinking. Unlinking
// needs a login in the last 15 minutes (a step-up problem otherwise), and
// the only way into an account without a password or passkey cannot be
// unlinked (409).
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { LinkedEID } from "../../api/types.ts";
import { errorSummary } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { listEIDs, startEID, unlinkEID } from "../../data/account.ts";
import { ApiError } from "../../data/repository.ts";
import { announce } from "../../lib/announce.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";
import { levelName } from "./labels.ts";

/** The provider as a person recognises it: its host name (identity.agov.admin.ch). */
export function providerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

@customElement("page-eid")
export class PageEID extends AccountPage {
  protected override requiresLogin = true;
  @state() private linked: LinkedEID[] = [];

  protected pageTitle(): string {
    return t("eid.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    this.linked = await listEIDs(signal);
  }

  private async onUnlink(l: LinkedEID): Promise<void> {
    let gone = false;
    const ok = await this.step(t("eid.busyUnlink"), [], () => unlinkEID(l.id), (e) => {
      if (e instanceof ApiError && e.status === 409) return [{ text: t("eid.onlyWay") }];
      gone = e instanceof ApiError && e.status === 404;
      return gone || this.leaveFor(e) ? [] : null;
    });
    if (!ok && !gone) return;
    this.linked = this.linked.filter((x) => x.id !== l.id);
    announce(t("eid.unlinked"));
    await this.focusHeading("#eid-count");
  }

  private renderItem(l: LinkedEID): TemplateResult {
    return html`<li class="device">
      <h3 id="eid-${l.id}">${icon("shield")}${providerName(l.issuer)}</h3>
      <dl class="facts">
        <div><dt>${t("account.level")}</dt><dd>${l.level === "none" ? t("eid.levelNone") : levelName(l.level)}</dd></div>
        <div><dt>${t("eid.linkedAt")}</dt><dd>${formatDateTime(store.lang, l.linked_at)}</dd></div>
        <div><dt>${t("eid.lastUsed")}</dt><dd>${formatDateTime(store.lang, l.last_used_at)}</dd></div>
        <div><dt>${t("eid.acr")}</dt><dd class="note break">${l.acr}</dd></div>
      </dl>
      <button class="button" type="button" aria-describedby="eid-${l.id}" @click=${() => void this.onUnlink(l)}>${t("eid.unlink")}</button>
    </li>`;
  }

  protected renderPage(): TemplateResult {
    const available = store.config.eid === true;
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("eid.title") }])}
      <h1 tabindex="-1">${t("eid.title")}</h1>
      <p class="lead">${t("eid.intro")}</p>
      ${errorSummary(this.errors)}
      <h2 id="eid-count" class="results-count">${t("eid.count", { count: this.linked.length })}</h2>
      ${this.linked.length ? html`<ul class="device-list" role="list">${this.linked.map((l) => this.renderItem(l))}</ul>` : html`<p>${t("eid.none")}</p>`}
      ${this.renderBusy()}
      ${available
        ? html`<section class="section account-box" aria-labelledby="eid-link">
            <h2 id="eid-link">${t("eid.linkTitle")}</h2>
            <p>${t("eid.linkIntro")}</p>
            <p><button class="button button-primary" type="button" @click=${() => startEID(ACCOUNT_PATHS.eid)}>${icon("shield")}${t("eid.link")}</button></p>
          </section>`
        : html`<p class="note-box">${t("eid.unavailable")}</p>`}
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-eid": PageEID;
  }
}
