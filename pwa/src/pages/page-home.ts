import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Category, ServiceSummary } from "../api/types.ts";
import { categoryTiles, serviceList } from "../components/parts.ts";
import "../components/search-box.ts";
import { listCategories, listServices } from "../data/repository.ts";
import { navigateTo, searchHref } from "../lib/router.ts";
import { store, t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-home")
export class PageHome extends PageBase {
  @state() private popular: ServiceSummary[] = [];
  @state() private topics: Category[] = [];
  @state() private lifeSituations: Category[] = [];

  protected loadKey(): string {
    return "home";
  }

  protected pageTitle(): string {
    return t("home.title", { city: store.config.city.name });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Links from before the results page existed: /?q=… → /search?q=…
    const q = new URLSearchParams(location.search).get("q");
    if (q) navigateTo(searchHref(q), { replace: true });
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
  }

  protected renderPage(): TemplateResult {
    const city = store.config.city.name;
    return html`
      <section class="hero">
        <div class="container">
          <h1 tabindex="-1">${t("home.title", { city })}</h1>
          <p class="lead">${t("home.intro")}</p>
          <search-box box-id="home-search" variant="hero" hint=${t("search.hint")}></search-box>
        </div>
      </section>
      <div class="container">
        <section class="section" aria-labelledby="popular-heading">
          <h2 id="popular-heading">${t("home.popular")}</h2>
          ${serviceList(this.popular, { idPrefix: "popular" })}
        </section>
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
