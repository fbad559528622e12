import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Category } from "../api/types.ts";
import { breadcrumbs, categoryTiles } from "../components/parts.ts";
import { listCategories } from "../data/repository.ts";
import { t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-categories")
export class PageCategories extends PageBase {
  @state() private categories: Category[] = [];

  protected loadKey(): string {
    return "categories";
  }

  protected pageTitle(): string {
    return t("categories.title");
  }

  protected async load(signal: AbortSignal): Promise<void> {
    this.categories = await listCategories(this.language, undefined, signal);
  }

  protected renderPage(): TemplateResult {
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { label: t("categories.title") }])}
      <h1 tabindex="-1">${t("categories.title")}</h1>
      <section class="section" aria-labelledby="topics-heading">
        <h2 id="topics-heading">${t("home.topics")}</h2>
        ${categoryTiles(this.categories.filter((c) => c.kind === "topic"))}
      </section>
      <section class="section" aria-labelledby="life-heading">
        <h2 id="life-heading">${t("home.lifeSituations")}</h2>
        ${categoryTiles(this.categories.filter((c) => c.kind === "life_situation"), "tiles tiles-life")}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-categories": PageCategories;
  }
}
