// Common behaviour of the Mein Konto pages. They need the network (nothing
// about an account is kept for offline use), so instead of failing they say
// so and try again when the connection is back. Pages about the logged-in
// person ask the server who that is first and send everybody else to the
// login, coming back afterwards. After every step the focus moves to the
// step's heading or to the error summary, and the change is announced.
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import type { Me } from "../../api/types.ts";
import { icon } from "../../components/icons.ts";
import { errorsOf, type FormError } from "../../components/forms.ts";
import { ApiError, OfflineError } from "../../data/repository.ts";
import { stepUpProblem } from "../../data/account.ts";
import type { Lang } from "../../i18n/index.ts";
import { announce } from "../../lib/announce.ts";
import { here, loginHref, navigateTo, stepUpHref } from "../../lib/router.ts";
import { session, SessionController } from "../../state/session.ts";
import { store, StoreController, t } from "../../state/store.ts";
import type { PageReadyDetail } from "../page-base.ts";

export type AccountStatus = "loading" | "ready" | "offline" | "error";

export abstract class AccountPage extends LitElement {
  @property() language: Lang = store.lang;
  @property({ attribute: false }) query: URLSearchParams = new URLSearchParams();
  @state() protected status: AccountStatus = "loading";
  /** Errors of the last submit, shown in the summary and at the fields. */
  @state() protected errors: FormError[] = [];
  /** What is going on right now ("Wird gesendet …"), for the status region. */
  @state() protected busyText = "";
  /** Which status region shows busyText, on pages with several forms (see renderBusy). */
  protected busyWhere = "";
  /** The logged-in person, on pages that need one. */
  @state() protected me: Me | null = null;
  /** Pages about the logged-in person set this: no session → login and back. */
  protected requiresLogin = false;

  protected readonly storeController = new StoreController(this);
  protected readonly sessionController = new SessionController(this);
  private abort: AbortController | null = null;
  private readonly onStoreChange = () => {
    if (this.status === "offline" && store.online) void this.start();
  };

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected abstract pageTitle(): string;
  protected abstract renderPage(): TemplateResult;
  /** Loads what the page shows (after the login check). */
  protected async load(_signal: AbortSignal): Promise<void> {}

  override connectedCallback(): void {
    super.connectedCallback();
    store.addEventListener("change", this.onStoreChange);
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    store.removeEventListener("change", this.onStoreChange);
    this.abort?.abort();
  }

  protected async start(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.status = "loading";
    try {
      if (this.requiresLogin) {
        if (!store.online) throw new OfflineError();
        this.me = await session.refresh(true, abort.signal);
        if (!this.me) {
          navigateTo(loginHref(here()), { replace: true });
          return;
        }
      }
      await this.load(abort.signal);
      if (abort.signal.aborted) return;
      this.status = "ready";
    } catch (e) {
      if (abort.signal.aborted) return;
      if (this.leaveFor(e)) return;
      this.status = e instanceof OfflineError ? "offline" : "error";
      if (this.status === "error") console.error(e);
    }
    await this.updateComplete;
    if (abort.signal.aborted) return;
    this.ready();
  }

  /** Tells the app shell the page is shown (title, focus on the h1, announcement). */
  protected ready(): void {
    this.dispatchEvent(new CustomEvent<PageReadyDetail>("page-ready", { bubbles: true, composed: true, detail: { title: this.currentTitle() } }));
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // A language switch: the title follows (the focus stays where it is).
    if (changed.has("language") && changed.get("language") !== undefined && this.status !== "loading") this.ready();
  }

  private currentTitle(): string {
    return this.status === "ready" ? this.pageTitle() : this.status === "offline" ? t("account.offlineTitle") : t("error.title");
  }

  /**
   * Leaves the page when an answer says the person must log in (401) or
   * prove more (a step-up problem), coming back to next afterwards.
   */
  protected leaveFor(e: unknown, next = here()): boolean {
    const problem = stepUpProblem(e);
    if (problem && problem.status !== 401) {
      navigateTo(stepUpHref({ level: problem.required_level, methods: problem.methods, maxAge: problem.max_age, next }));
      return true;
    }
    if (e instanceof ApiError && e.status === 401) {
      session.set(null);
      navigateTo(loginHref(next), { replace: true });
      return true;
    }
    return false;
  }

  /**
   * Runs one step of a form: shows the busy text, and on failure the errors
   * (focused in the summary). Returns whether the step succeeded.
   */
  protected async step(busy: string, fields: readonly string[], action: () => Promise<void>, onError?: (e: unknown) => FormError[] | null): Promise<boolean> {
    if (this.busyText) return false; // a second click while the first is under way
    this.busyText = busy;
    this.errors = [];
    try {
      await action();
      return true;
    } catch (e) {
      this.errors = onError?.(e) ?? errorsOf(e, fields);
      return false;
    } finally {
      this.busyText = "";
      if (this.errors.length) await this.focusErrors();
    }
  }

  /** Shows errors found before sending anything. */
  protected async showErrors(errors: FormError[]): Promise<boolean> {
    this.errors = errors;
    if (errors.length) await this.focusErrors();
    return errors.length === 0;
  }

  private async focusErrors(): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>(".error-summary")?.focus();
  }

  /** Moves the focus to the heading of a new step and announces it. */
  protected async focusHeading(selector = "h1"): Promise<void> {
    await this.updateComplete;
    const el = this.querySelector<HTMLElement>(selector);
    if (!el) return;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    announce(el.textContent?.trim() ?? "");
  }

  /**
   * The live region of a form: what is going on, read out politely. A page
   * with several forms names each region and sets busyWhere before a step,
   * so the text shows (and is read) once, next to the button that started it.
   */
  protected renderBusy(where = ""): TemplateResult {
    const text = this.busyText && this.busyWhere === where ? this.busyText : "";
    return html`<p class="form-status" role="status">${text ? html`<span class="spinner" aria-hidden="true"></span>${text}` : nothing}</p>`;
  }

  protected override render(): TemplateResult {
    switch (this.status) {
      case "loading":
        return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${t("loading")}</p>`;
      case "offline":
        return html`<div class="container page-error">
          <h1 tabindex="-1">${t("account.offlineTitle")}</h1>
          <p>${t("account.offline")}</p>
          <p><button class="button" type="button" @click=${() => void this.start()}>${t("error.retry")}</button></p>
        </div>`;
      case "error":
        return html`<div class="container page-error">
          <h1 tabindex="-1">${t("error.title")}</h1>
          <p>${t("account.loadFailed")}</p>
          <p><button class="button" type="button" @click=${() => void this.start()}>${t("error.retry")}</button></p>
        </div>`;
      case "ready":
        return html`<div class="container account-page">
          ${store.online ? nothing : html`<p class="note-box offline-note">${icon("offline")}<span>${t("account.offlineSubmit")}</span></p>`}
          ${this.renderPage()}
        </div>`;
    }
  }
}
