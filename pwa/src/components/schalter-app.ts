// The application shell: header with branding, language switcher and
// navigation, the offline indicator, the routed page, and the footer.
import { html, LitElement, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { apiUrl } from "../api/client.ts";
import { isLang, LANG_NAMES, LANGS } from "../i18n/index.ts";
import { formatDateTime } from "../lib/format.ts";
import { ANNOUNCE_EVENT } from "../lib/announce.ts";
import { ACCOUNT_PATHS, canonicalPath, matchRoute, NAVIGATE_EVENT, routableLink, type AccountPage, type NavigateDetail, type Route } from "../lib/router.ts";
import { store, StoreController, t } from "../state/store.ts";
import type { PageReadyDetail } from "../pages/page-base.ts";
import { documentTitle } from "./parts.ts";
import { icon } from "./icons.ts";
import "../pages/page-home.ts";
import "../pages/page-categories.ts";
import "../pages/page-category.ts";
import "../pages/page-service.ts";
import "../pages/page-offices.ts";
import "../pages/page-office.ts";
import "../pages/page-not-found.ts";
import "../pages/page-search.ts";
import "../pages/page-favourites.ts";
import "../pages/account/page-register.ts";
import "../pages/account/page-check-inbox.ts";
import "../pages/account/page-verify.ts";
import "../pages/account/page-change-email.ts";
import "../pages/account/page-login.ts";
import "../pages/account/page-login-code.ts";
import "../pages/account/page-forgot-password.ts";
import "../pages/account/page-reset.ts";
import "../pages/account/page-account.ts";
import "../pages/account/page-authenticator.ts";
import "../pages/account/page-recovery-codes.ts";
import "../pages/account/page-sessions.ts";
import "../pages/account/page-step-up.ts";
import "../pages/account/page-account-deleted.ts";
import "../pages/account/page-passkeys.ts";
import "../pages/account/page-sms.ts";
import "../pages/account/page-eid.ts";
import "../pages/account/page-profile.ts";
import "../pages/account/page-consents.ts";
import "../pages/account/page-transparency.ts";
import "../pages/orders/page-order.ts";
import "../pages/orders/page-drafts.ts";
import "../pages/orders/page-resume-draft.ts";
import "../pages/orders/page-cases.ts";
import "../pages/orders/page-case.ts";
import "../pages/orders/page-documents.ts";
import "../pages/orders/page-payments.ts";
import "../pages/orders/page-verify-document.ts";
import { logoutAndLeave } from "../pages/account/page-account.ts";
import { SessionController, session } from "../state/session.ts";
import "./search-box.ts";

@customElement("schalter-app")
export class SchalterApp extends LitElement {
  @state() private route: Route = matchRoute(location.pathname);
  @state() private query = new URLSearchParams(location.search);
  @state() private announcement = "";
  @state() private logoFailed = false;
  private focusOnReady = false;
  protected readonly storeController = new StoreController(this);
  protected readonly sessionController = new SessionController(this);

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.canonicalize();
    window.addEventListener("popstate", this.onPopState);
    document.addEventListener("click", this.onDocumentClick);
    this.addEventListener("page-ready", this.onPageReady as EventListener);
    window.addEventListener(NAVIGATE_EVENT, this.onNavigateEvent as EventListener);
    window.addEventListener(ANNOUNCE_EVENT, this.onAnnounce as EventListener);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("popstate", this.onPopState);
    document.removeEventListener("click", this.onDocumentClick);
    this.removeEventListener("page-ready", this.onPageReady as EventListener);
    window.removeEventListener(NAVIGATE_EVENT, this.onNavigateEvent as EventListener);
    window.removeEventListener(ANNOUNCE_EVENT, this.onAnnounce as EventListener);
  }

  /** Navigates within the app (History API). */
  navigate(url: URL, replace = false, keepFocus = false): void {
    if (url.href === location.href) {
      if (!keepFocus) this.focusHeading();
      return;
    }
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    this.applyLocation(!keepFocus);
    if (!keepFocus) window.scrollTo(0, 0);
  }

  /** Shows an alias (/konto/anmelden, where the server's eID callback leads) under the app's own path. */
  private canonicalize(): void {
    const path = canonicalPath(location.pathname);
    if (path) history.replaceState(history.state, "", path + location.search + location.hash);
  }

  private applyLocation(moveFocus = true): void {
    this.canonicalize();
    this.route = matchRoute(location.pathname);
    this.query = new URLSearchParams(location.search);
    this.focusOnReady = moveFocus;
  }

  private readonly onNavigateEvent = (event: CustomEvent<NavigateDetail>): void => {
    this.navigate(new URL(event.detail.url, location.href), event.detail.replace ?? false, event.detail.keepFocus ?? false);
  };

  private readonly onAnnounce = (event: CustomEvent<string>): void => {
    this.announcement = "";
    requestAnimationFrame(() => (this.announcement = event.detail));
  };

  private readonly onPopState = (): void => this.applyLocation();

  private readonly onDocumentClick = (event: MouseEvent): void => {
    const url = routableLink(event);
    if (!url) return;
    event.preventDefault();
    this.navigate(url);
  };

  private readonly onPageReady = (event: CustomEvent<PageReadyDetail>): void => {
    document.title = documentTitle(event.detail.title);
    if (this.focusOnReady) {
      this.focusOnReady = false;
      this.focusHeading();
      // Clear first, so the same title twice is still announced.
      this.announcement = "";
      requestAnimationFrame(() => (this.announcement = event.detail.title));
    }
  };

  private focusHeading(): void {
    const heading = this.querySelector<HTMLElement>("main h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  private onLangChange(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (isLang(value)) store.setLang(value);
  }

  private renderPage(): TemplateResult {
    const r = this.route;
    const lang = store.lang;
    switch (r.name) {
      case "home":
        return html`<page-home .language=${lang} .query=${this.query}></page-home>`;
      case "categories":
        return html`<page-categories .language=${lang}></page-categories>`;
      case "category":
        return html`<page-category .language=${lang} .slug=${r.slug} .query=${this.query}></page-category>`;
      case "service":
        return html`<page-service .language=${lang} .slug=${r.slug} .query=${this.query}></page-service>`;
      case "offices":
        return html`<page-offices .language=${lang}></page-offices>`;
      case "office":
        return html`<page-office .language=${lang} .slug=${r.slug}></page-office>`;
      case "search":
        return html`<page-search .language=${lang} .query=${this.query}></page-search>`;
      case "favourites":
        return html`<page-favourites .language=${lang}></page-favourites>`;
      case "account":
        return this.renderAccountPage(r.page);
      case "order":
        return html`<page-order .language=${lang} .slug=${r.slug} .query=${this.query}></page-order>`;
      case "case":
        return html`<page-case .language=${lang} .number=${r.number} .query=${this.query}></page-case>`;
      case "resume-draft":
        return html`<page-resume-draft .language=${lang} .query=${this.query}></page-resume-draft>`;
      case "verify-document":
        return html`<page-verify-document .language=${lang} .documentId=${r.id} .query=${this.query}></page-verify-document>`;
      default:
        return html`<page-not-found></page-not-found>`;
    }
  }

  private renderAccountPage(page: AccountPage): TemplateResult {
    const lang = store.lang;
    const q = this.query;
    switch (page) {
      case "overview":
        return html`<page-account .language=${lang} .query=${q}></page-account>`;
      case "register":
        return html`<page-register .language=${lang} .query=${q}></page-register>`;
      case "check-inbox":
        return html`<page-check-inbox .language=${lang} .query=${q}></page-check-inbox>`;
      case "verify":
        return html`<page-verify .language=${lang} .query=${q}></page-verify>`;
      case "email":
        return html`<page-verify kind="change" .language=${lang} .query=${q}></page-verify>`;
      case "change-email":
        return html`<page-change-email .language=${lang} .query=${q}></page-change-email>`;
      case "login":
        return html`<page-login .language=${lang} .query=${q}></page-login>`;
      case "login-code":
        return html`<page-login-code .language=${lang} .query=${q}></page-login-code>`;
      case "forgot-password":
        return html`<page-forgot-password .language=${lang} .query=${q}></page-forgot-password>`;
      case "reset":
        return html`<page-reset .language=${lang} .query=${q}></page-reset>`;
      case "authenticator":
        return html`<page-authenticator .language=${lang} .query=${q}></page-authenticator>`;
      case "recovery-codes":
        return html`<page-recovery-codes .language=${lang} .query=${q}></page-recovery-codes>`;
      case "sessions":
        return html`<page-sessions .language=${lang} .query=${q}></page-sessions>`;
      case "step-up":
        return html`<page-step-up .language=${lang} .query=${q}></page-step-up>`;
      case "deleted":
        return html`<page-account-deleted .language=${lang}></page-account-deleted>`;
      case "passkeys":
        return html`<page-passkeys .language=${lang} .query=${q}></page-passkeys>`;
      case "sms":
        return html`<page-sms .language=${lang} .query=${q}></page-sms>`;
      case "eid":
        return html`<page-eid .language=${lang} .query=${q}></page-eid>`;
      case "profile":
        return html`<page-profile .language=${lang} .query=${q}></page-profile>`;
      case "consents":
        return html`<page-consents .language=${lang} .query=${q}></page-consents>`;
      case "transparency":
        return html`<page-transparency .language=${lang} .query=${q}></page-transparency>`;
      case "drafts":
        return html`<page-drafts .language=${lang} .query=${q}></page-drafts>`;
      case "cases":
        return html`<page-cases .language=${lang} .query=${q}></page-cases>`;
      case "documents":
        return html`<page-documents .language=${lang} .query=${q}></page-documents>`;
      case "payments":
        return html`<page-payments .language=${lang} .query=${q}></page-payments>`;
    }
  }

  /** The header's account entry: log in, or Mein Konto and log out, as the session is. */
  private renderAccountNav(): TemplateResult {
    const r = this.route;
    const inAccount = r.name === "account";
    if (!session.me) {
      return html`<li class="nav-account">
        <a href=${ACCOUNT_PATHS.login} aria-current=${inAccount && r.page === "login" ? "page" : nothing}>${icon("user")}${t("nav.login")}</a>
      </li>`;
    }
    return html`<li class="nav-account">
        <a href=${ACCOUNT_PATHS.overview} aria-current=${inAccount && r.page === "overview" ? "page" : nothing}>${icon("user")}${t("nav.account")}</a>
      </li>
      <li><button class="nav-button" type="button" @click=${() => void logoutAndLeave()}>${t("account.logout")}</button></li>`;
  }

  private renderLogo(): TemplateResult {
    const logo = store.config.city.logo_url;
    if (logo && !this.logoFailed) {
      return html`<img class="brand-logo" src=${apiUrl(logo)} alt="" width="40" height="40" @error=${() => (this.logoFailed = true)} />`;
    }
    return html`<img class="brand-logo" src="/icons/mark.svg" alt="" width="40" height="40" />`;
  }

  private navLink(href: string, label: string, active: boolean): TemplateResult {
    return html`<li><a href=${href} aria-current=${active ? "page" : nothing}>${label}</a></li>`;
  }

  private renderOffline(): TemplateResult | typeof nothing {
    if (!store.showOffline) return nothing;
    const at = store.offlineSnapshotAt;
    return html`<div class="offline-banner-inner container">
      ${icon("offline")}
      <span>${at ? t("offline.bannerDated", { date: formatDateTime(store.lang, at) }) : t("offline.banner")}</span>
    </div>`;
  }

  protected override render(): TemplateResult {
    const city = store.config.city;
    const r = this.route.name;
    return html`
      <a class="skip-link" href="#main">${t("app.skipLink")}</a>
      <header class="site-header">
        <div class="brand-bar">
          <div class="container brand-row">
            <a class="brand" href="/">
              ${this.renderLogo()}
              <span class="brand-text">
                <span class="brand-city">${city.name}</span>
                <span class="brand-app">${t("app.tagline")}</span>
              </span>
            </a>
            <div class="lang-switch">
              <label for="lang-select">${icon("globe")}<span class="sr-only">${t("lang.label")}</span></label>
              <select id="lang-select" @change=${this.onLangChange}>
                ${LANGS.filter((l) => (store.config.languages ?? LANGS).includes(l)).map(
                  (l) => html`<option value=${l} lang=${l} ?selected=${l === store.lang}>${LANG_NAMES[l]}</option>`,
                )}
              </select>
            </div>
          </div>
        </div>
        <nav class="main-nav" aria-label=${t("nav.label")}>
          <ul class="container" role="list">
            ${this.navLink("/", t("nav.home"), r === "home")}
            ${this.navLink("/categories", t("nav.categories"), r === "categories" || r === "category")}
            ${this.navLink("/offices", t("nav.offices"), r === "offices" || r === "office")}
            ${this.navLink("/favourites", t("nav.favourites"), r === "favourites")}
            ${this.renderAccountNav()}
          </ul>
        </nav>
        ${r === "home" || r === "search"
          ? nothing
          : html`<div class="header-search"><div class="container"><search-box box-id="header-search" variant="header"></search-box></div></div>`}
        <div class="offline-banner" role="status" data-offline=${store.showOffline ? "true" : "false"}>${this.renderOffline()}</div>
      </header>
      <main id="main" tabindex="-1">${this.renderPage()}</main>
      <p class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</p>
      <footer class="site-footer">
        <div class="container">
          <p class="footer-operator">${t("footer.operator", { city: city.name })}</p>
          <ul class="footer-links" role="list">
            ${city.website ? html`<li><a href=${city.website}>${t("footer.website", { city: city.name })}</a></li>` : nothing}
            <li><a href=${apiUrl("/api/docs")}>${t("footer.apiDocs")}</a></li>
          </ul>
          <p class="footer-note">${t("footer.software")}</p>
          ${store.snapshotReadyAt
            ? html`<p class="footer-note offline-ready" data-lang=${store.lang}>${t("offline.ready", { date: formatDateTime(store.lang, store.snapshotReadyAt) })}</p>`
            : nothing}
        </div>
      </footer>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "schalter-app": SchalterApp;
  }
}
