// The results page, /search?q=…&category=…&audience=…&office=…&channel=…:
// the query and filters live in the address (deep links, back button), the
// facets narrow the results and show how many each value has, "more" pages
// on with offset, and an empty result gives tips. Results from the offline
// copy (offline, or the server's search unavailable) say so.
import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { Channel, FacetName, FacetValue, SearchHit, SearchParams, SearchResult } from "../api/types.ts";
import { icon } from "../components/icons.ts";
import { breadcrumbs, serviceList } from "../components/parts.ts";
import "../components/search-box.ts";
import { ApiError, OfflineError } from "../data/repository.ts";
import { search, type Answer } from "../data/search-repository.ts";
import { formatDateTime } from "../lib/format.ts";
import { navigateTo, searchHref } from "../lib/router.ts";
import type { MessageKey } from "../i18n/index.ts";
import { store, t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

const PAGE_SIZE = 10;
const FILTERS: readonly FacetName[] = ["category", "audience", "office", "channel"];
const CHANNELS: readonly Channel[] = ["online", "counter", "post"];

type Filters = Partial<Record<FacetName, string>>;

function readQuery(params: URLSearchParams): { q: string; filters: Filters } {
  const filters: Filters = {};
  for (const f of FILTERS) {
    const v = params.get(f)?.trim();
    if (v && /^[a-z0-9-]{1,80}$/.test(v)) filters[f] = v;
  }
  if (filters.channel && !(CHANNELS as readonly string[]).includes(filters.channel)) delete filters.channel;
  return { q: (params.get("q") ?? "").slice(0, 200), filters };
}

@customElement("page-search")
export class PageSearch extends PageBase {
  @state() private q = "";
  @state() private filters: Filters = {};
  @state() private result: Answer<SearchResult> | null = null;
  @state() private hits: SearchHit[] = [];
  @state() private listState: "loading" | "ready" | "more" | "error" | "too-long" | "offline" = "loading";
  /** The filters box: open on wide screens, closed on phones until opened (or a filter is set). */
  @state() private facetsOpen = typeof matchMedia === "function" && matchMedia("(min-width: 48rem)").matches;
  private listKey = "";
  private listAbort: AbortController | null = null;

  protected loadKey(): string {
    return "search";
  }

  protected pageTitle(): string {
    return this.q ? t("search.docTitle", { query: this.q }) : t("search.title");
  }

  protected async load(signal: AbortSignal): Promise<void> {
    this.listKey = "";
    ({ q: this.q, filters: this.filters } = readQuery(this.query));
    await this.loadResults(signal);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // A new query or filter (or back/forward) on this page: only the results change.
    if (changed.has("query") && this.status === "ready") {
      ({ q: this.q, filters: this.filters } = readQuery(this.query));
      if (this.key() !== this.listKey) {
        void this.loadResults();
        document.title = t("app.docTitle", { page: this.pageTitle(), city: store.config.city.short_name });
      }
    }
  }

  private key(): string {
    return `${this.language}|${this.q}|${FILTERS.map((f) => this.filters[f] ?? "").join("|")}`;
  }

  private params(offset: number): SearchParams {
    return { q: this.q, ...this.filters, channel: this.filters.channel as Channel | undefined, limit: PAGE_SIZE, offset };
  }

  private async loadResults(outer?: AbortSignal, append = false): Promise<void> {
    this.listAbort?.abort();
    const abort = new AbortController();
    this.listAbort = abort;
    outer?.addEventListener("abort", () => abort.abort());
    this.listKey = this.key();
    this.listState = append ? "more" : "loading";
    try {
      const answer = await search(this.language, this.params(append ? this.hits.length : 0), abort.signal);
      if (abort.signal.aborted) return;
      this.result = answer;
      this.hits = append ? [...this.hits, ...(answer.data.hits ?? [])] : (answer.data.hits ?? []);
      this.listState = "ready";
    } catch (e) {
      if (abort.signal.aborted) return;
      if (e instanceof ApiError && e.status === 422) this.listState = "too-long";
      else if (e instanceof OfflineError) this.listState = "offline";
      else {
        if (!append && !(e instanceof ApiError)) console.error(e);
        this.listState = "error";
      }
      if (!append) {
        this.result = null;
        this.hits = [];
      }
    }
  }

  private setFilter(name: FacetName, value: string): void {
    const filters = { ...this.filters, [name]: value || undefined };
    navigateTo(searchHref(this.q, filters), { keepFocus: true });
  }

  private resetFilters(): void {
    navigateTo(searchHref(this.q), { keepFocus: true });
    this.renderRoot.querySelector<HTMLElement>("#results-heading")?.focus();
  }

  private async loadMore(): Promise<void> {
    const before = this.hits.length;
    await this.loadResults(undefined, true);
    await this.updateComplete;
    this.renderRoot.querySelectorAll<HTMLAnchorElement>(".results .card-link")[before]?.focus();
  }

  /** The facet's values, with the selected one kept even when it has no hits. */
  private values(name: FacetName): FacetValue[] {
    const values = [...(this.result?.data.facets?.[name] ?? [])];
    const selected = this.filters[name];
    if (selected && !values.some((v) => v.value === selected)) values.unshift({ value: selected, title: selected, count: 0 });
    return values;
  }

  private valueTitle(name: FacetName, v: FacetValue): string {
    return name === "channel" && (CHANNELS as readonly string[]).includes(v.value) ? t(`channel.${v.value as Channel}`) : v.title;
  }

  private renderSelect(name: Exclude<FacetName, "channel">, label: MessageKey, all: MessageKey): TemplateResult | typeof nothing {
    const values = this.values(name);
    if (values.length === 0 && !this.filters[name]) return nothing;
    const selected = this.filters[name] ?? "";
    return html`<div class="field">
      <label for="facet-${name}">${t(label)}</label>
      <select id="facet-${name}" name=${name} @change=${(e: Event) => this.setFilter(name, (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${selected === ""}>${t(all)}</option>
        ${values.map(
          (v) => html`<option value=${v.value} ?selected=${selected === v.value}>${t("facet.value", { title: this.valueTitle(name, v), count: v.count })}</option>`,
        )}
      </select>
    </div>`;
  }

  private renderChannels(): TemplateResult | typeof nothing {
    const values = this.values("channel");
    if (values.length === 0 && !this.filters.channel) return nothing;
    const selected = this.filters.channel ?? "";
    return html`<fieldset class="field channel-filter">
      <legend>${t("filters.channel")}</legend>
      <div class="segmented">
        <label class="segment">
          <input type="radio" name="channel" value="" .checked=${selected === ""} @change=${() => this.setFilter("channel", "")} />
          <span>${t("filters.channelAll")}</span>
        </label>
        ${values.map(
          (v) => html`<label class="segment">
            <input type="radio" name="channel" value=${v.value} .checked=${selected === v.value} @change=${() => this.setFilter("channel", v.value)} />
            <span>${t("facet.value", { title: this.valueTitle("channel", v), count: v.count })}</span>
          </label>`,
        )}
      </div>
    </fieldset>`;
  }

  private renderNotice(): TemplateResult | typeof nothing {
    const r = this.result;
    if (!r || r.source === "server" || this.listState === "loading") return nothing;
    const date = r.snapshotAt ? formatDateTime(store.lang, r.snapshotAt) : "";
    return html`${icon("offline")}<span>${t(r.source === "offline" ? "search.offline" : "search.unavailableCopy", { date })}</span>`;
  }

  private renderCount(): string {
    switch (this.listState) {
      case "loading":
        return t("loading");
      case "too-long":
        return t("search.tooLong");
      case "offline":
        return t("error.offline");
      case "error":
        return t("error.text");
      default: {
        const total = this.result?.data.total ?? 0;
        if (!this.q) return t("search.popular", { count: total });
        return total === 0 ? t("search.none", { query: this.q }) : t("search.results", { count: total, query: this.q });
      }
    }
  }

  private renderTips(): TemplateResult {
    const filtered = FILTERS.some((f) => this.filters[f]);
    return html`<div class="search-tips">
      <h3>${t("search.tipsTitle")}</h3>
      <ul>
        <li>${t("search.tipSpelling")}</li>
        <li>${t("search.tipFewer")}</li>
        ${filtered
          ? html`<li>${t("search.tipFilters")} <button type="button" class="button button-quiet" @click=${this.resetFilters}>${t("filters.reset")}</button></li>`
          : nothing}
        <li><a href="/categories">${t("search.tipBrowse")}</a></li>
      </ul>
    </div>`;
  }

  protected renderPage(): TemplateResult {
    const total = this.result?.data.total ?? 0;
    const active = FILTERS.filter((f) => this.filters[f]).length;
    const filtered = active > 0;
    const busy = this.listState === "loading";
    const showFacets = this.result !== null && (total > 0 || filtered);
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { label: t("search.title") }])}
      <h1 tabindex="-1">${t("search.title")}</h1>
      <search-box box-id="page-search" variant="page" .value=${this.q}></search-box>
      <p class="search-notice" role="status">${this.renderNotice()}</p>

      ${showFacets
        ? html`<details class="facets-box" ?open=${this.facetsOpen || active > 0} @toggle=${(e: Event) => (this.facetsOpen = (e.target as HTMLDetailsElement).open)}>
            <summary>${t("search.filters")}${active > 0 ? html` <span class="facets-active">(${t("search.activeFilters", { count: active })})</span>` : nothing}</summary>
            <form class="filters facets" aria-label=${t("search.filters")} @submit=${(e: Event) => e.preventDefault()}>
              ${this.renderSelect("category", "facet.category", "facet.all")} ${this.renderSelect("audience", "filters.audience", "filters.audienceAll")}
              ${this.renderSelect("office", "facet.office", "facet.all")} ${this.renderChannels()}
              ${filtered ? html`<button type="button" class="button button-quiet" @click=${this.resetFilters}>${t("filters.reset")}</button>` : nothing}
            </form>
          </details>`
        : nothing}

      <section class="section" aria-labelledby="results-heading" aria-busy=${busy ? "true" : "false"}>
        <h2 id="results-heading" class="results-count" tabindex="-1"><span role="status">${this.renderCount()}</span></h2>
        ${this.listState === "ready" && total === 0 ? this.renderTips() : nothing}
        ${serviceList(this.hits, {
          idPrefix: "result",
          highlights: (s) => (s as SearchHit).highlights,
        }, "cards results")}
        ${this.hits.length > 0 && total > this.hits.length
          ? html`<p class="list-progress">${t("search.showing", { shown: this.hits.length, total })}</p>
              <p><button type="button" class="button button-secondary" ?disabled=${this.listState === "more"} @click=${this.loadMore}>${t("search.loadMore")}</button></p>`
          : nothing}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-search": PageSearch;
  }
}
