// Common behaviour of all pages: load data when the inputs (slug, language,
// query) change, show loading / error / not-found states, and tell the app
// shell when the page is ready (for the document title, focus and announcement).
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import type { Lang } from "../i18n/index.ts";
import { NotFoundError, OfflineError } from "../data/repository.ts";
import { store, StoreController, t } from "../state/store.ts";

export type PageStatus = "loading" | "ready" | "not-found" | "offline" | "error";

export interface PageReadyDetail {
  title: string;
}

export abstract class PageBase extends LitElement {
  @property() language: Lang = store.lang;
  @property({ attribute: false }) query: URLSearchParams = new URLSearchParams();
  @state() protected status: PageStatus = "loading";

  protected readonly storeController = new StoreController(this);
  private loadedKey: string | null = null;
  private abort: AbortController | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Identifies the data shown; a change reloads. */
  protected abstract loadKey(): string;
  protected abstract load(signal: AbortSignal): Promise<void>;
  protected abstract pageTitle(): string;
  protected abstract renderPage(): TemplateResult;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.loadedKey = null;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    const key = `${this.language}|${this.loadKey()}`;
    if (key !== this.loadedKey) {
      this.loadedKey = key;
      void this.reload();
    }
  }

  protected async reload(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.status = "loading";
    try {
      await this.load(abort.signal);
      if (abort.signal.aborted) return;
      this.status = "ready";
    } catch (e) {
      if (abort.signal.aborted) return;
      if (e instanceof NotFoundError) this.status = "not-found";
      else if (e instanceof OfflineError) this.status = "offline";
      else {
        console.error(e);
        this.status = "error";
      }
    }
    await this.updateComplete;
    if (abort.signal.aborted) return;
    this.dispatchEvent(
      new CustomEvent<PageReadyDetail>("page-ready", { bubbles: true, composed: true, detail: { title: this.currentTitle() } }),
    );
  }

  private currentTitle(): string {
    switch (this.status) {
      case "ready":
        return this.pageTitle();
      case "not-found":
        return t("notFound.title");
      default:
        return t("error.title");
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    switch (this.status) {
      case "loading":
        return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${t("loading")}</p>`;
      case "ready":
        return this.renderPage();
      case "not-found":
        return renderNotFound();
      case "offline":
      case "error":
        return html`
          <div class="container page-error">
            <h1 tabindex="-1">${t("error.title")}</h1>
            <p>${this.status === "offline" ? t("error.offline") : t("error.text")}</p>
            <p><button class="button" type="button" @click=${() => void this.reload()}>${t("error.retry")}</button></p>
          </div>
        `;
    }
  }
}

export function renderNotFound(): TemplateResult {
  return html`
    <div class="container page-error">
      <h1 tabindex="-1">${t("notFound.title")}</h1>
      <p>${t("notFound.text")}</p>
      <p><a class="button" href="/">${t("notFound.home")}</a></p>
    </div>
  `;
}
