// The continue-later link of the mail (/drafts/resume#token): spends the
// token, which gives the draft to this browser (or the account logged in
// here), and opens the form where the person stopped.
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { ApiError } from "../../data/repository.ts";
import { resumeDraft } from "../../data/orders.ts";
import { tokenFromHash } from "../../lib/account-input.ts";
import { navigateTo, orderHref } from "../../lib/router.ts";
import { t } from "../../state/store.ts";
import { AccountPage } from "../account/account-page.ts";

@customElement("page-resume-draft")
export class PageResumeDraft extends AccountPage {
  @state() private failed = false;

  protected pageTitle(): string {
    return this.failed ? t("resume.failedTitle") : t("resume.title");
  }

  protected override async load(): Promise<void> {
    const token = tokenFromHash(location.hash);
    // The token must not stay in the address (history, screenshots).
    history.replaceState(history.state, "", location.pathname);
    if (!token) {
      this.failed = true;
      return;
    }
    try {
      const d = await resumeDraft(token);
      navigateTo(orderHref(d.service, d.id), { replace: true });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 422)) this.failed = true;
      else throw e;
    }
  }

  protected renderPage(): TemplateResult {
    if (!this.failed) return html`<h1 tabindex="-1">${t("resume.title")}</h1><p role="status">${t("loading")}</p>`;
    return html`<h1 tabindex="-1">${t("resume.failedTitle")}</h1>
      <p>${t("resume.failed")}</p>
      <p><a href="/account/drafts">${t("drafts.title")}</a></p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-resume-draft": PageResumeDraft;
  }
}
