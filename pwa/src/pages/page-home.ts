import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Category, ServiceSummary } from "../api/types.ts";
import { categoryTiles, serviceList } from "../components/parts.ts";
import { icon } from "../components/icons.ts";
import { getCatalogue } from "../data/catalogue-store.ts";
import { listCategories, listServices } from "../data/repository.ts";
import { ServiceSearch } from "../data/search.ts";
import { toSummary } from "../data/offline-query.ts";
import { store, t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-home")
export class PageHome extends PageBase {
  @state() private popular: ServiceSummary[] = [];
  @state() private topics: Category[] = [];
  @state() private lifeSituations: Category[] = [];
  @state() private q = "";
  @state() private results: ServiceSummary[] | null = null;
  @state() private searchState: "idle" | "preparing" | "ready" | "unavailable" = "idle";
  private searcher: { lang: string; search: ServiceSearch } | null = null;
  private debounce: number | undefined;

  protected loadKey(): string {
    return "home";
  }

  protected pageTitle(): string {
    return t("home.title", { city: store.config.city.name });
  }

  protected async load(signal: AbortSignal): Promise<void> {
    const [popular, topics, lifeSituations] = await Promise.all([
      listServices(this.language, { limit: 6 }, signal),
      listCategories(this.language, "topic", signal),
      listCategories(this.language, "life_situation", signal),
    ]);
    this.popular = popular.items ?? [];
    this.topics = topics;
    this.lifeSituations = lifeSituations;
    this.searcher = null;
    this.q = new URLSearchParams(location.search).get("q") ?? "";
    if (this.q) void this.runSearch();
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // A link to "/" (or back/forward) while a search is shown.
    if (changed.has("query") && this.status === "ready") {
      this.q = this.query.get("q") ?? "";
      void this.runSearch();
    }
  }

  private async ensureSearcher(): Promise<ServiceSearch | null> {
    const lang = this.language;
    if (this.searcher?.lang === lang) return this.searcher.search;
    this.searchState = "preparing";
    const catalogue = await getCatalogue(lang);
    if (!catalogue) {
      this.searchState = "unavailable";
      return null;
    }
    this.searcher = { lang, search: new ServiceSearch(catalogue.services ?? []) };
    this.searchState = "ready";
    return this.searcher.search;
  }

  private async runSearch(): Promise<void> {
    const q = this.q.trim();
    if (!q) {
      this.results = null;
      return;
    }
    const search = await this.ensureSearcher();
    if (!search || q !== this.q.trim()) return;
    this.results = search.search(q).map(toSummary);
  }

  private onInput(e: InputEvent): void {
    this.q = (e.target as HTMLInputElement).value;
    const url = new URL(location.href);
    if (this.q.trim()) url.searchParams.set("q", this.q.trim());
    else url.searchParams.delete("q");
    history.replaceState(history.state, "", url);
    clearTimeout(this.debounce);
    this.debounce = window.setTimeout(() => void this.runSearch(), 120);
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    clearTimeout(this.debounce);
    void this.runSearch().then(() => {
      this.renderRoot.querySelector<HTMLElement>("#search-results-heading")?.focus();
    });
  }

  private renderSearchStatus(): TemplateResult | typeof nothing {
    const q = this.q.trim();
    if (!q) return nothing;
    if (this.searchState === "preparing" && !this.results) return html`${t("search.preparing")}`;
    if (this.searchState === "unavailable") return html`${t("search.unavailable")}`;
    if (!this.results) return nothing;
    return this.results.length === 0
      ? html`${t("search.none", { query: q })}`
      : html`${t("search.results", { count: this.results.length, query: q })}`;
  }

  protected renderPage(): TemplateResult {
    const city = store.config.city.name;
    const showResults = this.q.trim() !== "" && this.results !== null;
    return html`
      <section class="hero">
        <div class="container">
          <h1 tabindex="-1">${t("home.title", { city })}</h1>
          <p class="lead">${t("home.intro")}</p>
          <form class="search" role="search" @submit=${this.onSubmit}>
            <label for="search-input">${t("search.label")}</label>
            <div class="search-row">
              <input
                id="search-input"
                type="search"
                name="q"
                autocomplete="off"
                enterkeyhint="search"
                aria-describedby="search-hint"
                .value=${this.q}
                @input=${this.onInput}
                @focus=${() => void this.ensureSearcher()}
              />
              <button class="button button-search" type="submit">${icon("search")}<span>${t("search.submit")}</span></button>
            </div>
            <p id="search-hint" class="hint">${t("search.hint")}</p>
          </form>
        </div>
      </section>
      <div class="container">
        <p class="search-status" role="status" aria-live="polite">${this.renderSearchStatus()}</p>
        ${showResults
          ? html`<section class="section" aria-labelledby="search-results-heading">
              <h2 id="search-results-heading" tabindex="-1" class="sr-only">${t("search.results", { count: this.results!.length, query: this.q.trim() })}</h2>
              ${serviceList(this.results!)}
            </section>`
          : html`<section class="section" aria-labelledby="popular-heading">
              <h2 id="popular-heading">${t("home.popular")}</h2>
              ${serviceList(this.popular)}
            </section>`}
        <section class="section" aria-labelledby="topics-heading">
          <h2 id="topics-heading">${t("home.topics")}</h2>
          ${categoryTiles(this.topics)}
        </section>
        <section class="section" aria-labelledby="life-heading">
          <h2 id="life-heading">${t("home.lifeSituations")}</h2>
          <p>${t("home.lifeSituationsIntro")}</p>
          ${categoryTiles(this.lifeSituations, "tiles tiles-life")}
        </section>
        <p class="more-links">
          <a href="/categories">${t("home.allCategories")}</a>
          <a href="/offices">${t("home.allOffices")}</a>
        </p>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-home": PageHome;
  }
}
