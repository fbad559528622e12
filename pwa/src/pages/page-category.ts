import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Audience, Category, Channel, ServiceSummary } from "../api/types.ts";
import { icon } from "../components/icons.ts";
import { breadcrumbs, serviceList } from "../components/parts.ts";
import { ApiError, listAudiences, listCategories, listServices, NotFoundError } from "../data/repository.ts";
import { t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

const CHANNELS: Channel[] = ["online", "counter", "post"];
const PAGE_SIZE = 20;

@customElement("page-category")
export class PageCategory extends PageBase {
  @property() slug = "";
  @state() private category: Category | null = null;
  @state() private audiences: Audience[] = [];
  @state() private items: ServiceSummary[] = [];
  @state() private total = 0;
  @state() private nextCursor: string | undefined;
  @state() private listState: "loading" | "ready" | "more" | "error" = "loading";
  @state() private audience = "";
  @state() private channel = "";
  private listKey = "";
  private listAbort: AbortController | null = null;

  protected loadKey(): string {
    return this.slug;
  }

  protected pageTitle(): string {
    return this.category?.title ?? "";
  }

  protected async load(signal: AbortSignal): Promise<void> {
    const [categories, audiences] = await Promise.all([
      listCategories(this.language, undefined, signal),
      listAudiences(this.language, signal),
    ]);
    const category = categories.find((c) => c.slug === this.slug);
    if (!category) throw new NotFoundError();
    this.category = category;
    this.audiences = audiences;
    this.listKey = "";
    this.syncFilters();
    await this.loadList(signal);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // Back/forward between filter states of the same category.
    if (changed.has("query") && this.status === "ready") {
      this.syncFilters();
      if (this.filterKey() !== this.listKey) void this.loadList();
    }
  }

  /** Reads the filters from the address bar (the page keeps them there with replaceState). */
  private syncFilters(): void {
    const params = new URLSearchParams(location.search);
    const audience = params.get("audience") ?? "";
    const channel = params.get("channel") ?? "";
    this.audience = this.audiences.some((a) => a.slug === audience) ? audience : "";
    this.channel = (CHANNELS as string[]).includes(channel) ? channel : "";
  }

  private filterKey(): string {
    return `${this.language}|${this.slug}|${this.audience}|${this.channel}`;
  }

  private async loadList(outer?: AbortSignal, append = false): Promise<void> {
    this.listAbort?.abort();
    const abort = new AbortController();
    this.listAbort = abort;
    outer?.addEventListener("abort", () => abort.abort());
    this.listKey = this.filterKey();
    this.listState = append ? "more" : "loading";
    try {
      const list = await listServices(
        this.language,
        {
          category: this.slug,
          audience: this.audience || undefined,
          channel: (this.channel || undefined) as Channel | undefined,
          limit: PAGE_SIZE,
          cursor: append ? this.nextCursor : undefined,
        },
        abort.signal,
      );
      if (abort.signal.aborted) return;
      this.items = append ? [...this.items, ...(list.items ?? [])] : (list.items ?? []);
      this.total = list.total;
      this.nextCursor = list.next_cursor || undefined;
      this.listState = "ready";
    } catch (e) {
      if (abort.signal.aborted) return;
      if (!append && !(e instanceof ApiError)) throw e;
      this.listState = "error";
    }
  }

  private setFilter(name: "audience" | "channel", value: string): void {
    this[name] = value;
    const url = new URL(location.href);
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
    history.replaceState(history.state, "", url);
    void this.loadList();
  }

  private resetFilters(): void {
    this.audience = "";
    this.channel = "";
    history.replaceState(history.state, "", location.pathname);
    void this.loadList();
  }

  private async loadMore(): Promise<void> {
    const before = this.items.length;
    await this.loadList(undefined, true);
    await this.updateComplete;
    this.renderRoot.querySelectorAll<HTMLAnchorElement>(".cards .card-link")[before]?.focus();
  }

  protected renderPage(): TemplateResult {
    const c = this.category!;
    const kindLabel = c.kind === "topic" ? t("category.topic") : t("category.lifeSituation");
    const filtered = this.audience !== "" || this.channel !== "";
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { href: "/categories", label: t("categories.title") }, { label: c.title }])}
      <div class="page-head">
        <span class="page-icon">${icon(c.icon)}</span>
        <div>
          <p class="eyebrow">${kindLabel}</p>
          <h1 tabindex="-1">${c.title}</h1>
        </div>
      </div>

      <form class="filters" @submit=${(e: Event) => e.preventDefault()}>
        <h2 class="sr-only">${t("filters.legend")}</h2>
        <div class="field">
          <label for="filter-audience">${t("filters.audience")}</label>
          <select id="filter-audience" name="audience" .value=${this.audience} @change=${(e: Event) => this.setFilter("audience", (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.audience === ""}>${t("filters.audienceAll")}</option>
            ${this.audiences.map((a) => html`<option value=${a.slug} ?selected=${this.audience === a.slug}>${a.title}</option>`)}
          </select>
        </div>
        <fieldset class="field channel-filter">
          <legend>${t("filters.channel")}</legend>
          <div class="segmented">
            ${["", ...CHANNELS].map(
              (ch) => html`<label class="segment">
                <input
                  type="radio"
                  name="channel"
                  value=${ch}
                  .checked=${this.channel === ch}
                  @change=${() => this.setFilter("channel", ch)}
                />
                <span>${ch ? t(`channel.${ch as Channel}`) : t("filters.channelAll")}</span>
              </label>`,
            )}
          </div>
        </fieldset>
        ${filtered ? html`<button type="button" class="button button-quiet" @click=${this.resetFilters}>${t("filters.reset")}</button>` : nothing}
      </form>

      <section class="section" aria-labelledby="results-heading" aria-busy=${this.listState === "loading" ? "true" : "false"}>
        <h2 id="results-heading" class="results-count">
          <span role="status">${this.listState === "loading" ? t("loading") : t("category.services", { count: this.total })}</span>
        </h2>
        ${this.listState === "error" ? html`<p>${t("error.text")}</p>` : nothing}
        ${this.listState !== "loading" && this.items.length === 0 ? html`<p>${t("list.empty")}</p>` : nothing}
        ${serviceList(this.items)}
        ${this.items.length > 0 ? html`<p class="list-progress">${t("list.showing", { shown: this.items.length, total: this.total })}</p>` : nothing}
        ${this.nextCursor
          ? html`<p><button type="button" class="button button-secondary" ?disabled=${this.listState === "more"} @click=${this.loadMore}>${t("list.loadMore")}</button></p>`
          : nothing}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-category": PageCategory;
  }
}
