// The search field with suggestions (ARIA 1.2 combobox): in the header of
// every page, larger on the home page, and at the top of the results page.
// Suggestions come from GET /api/v1/search/suggest, or from the offline
// search over the stored catalogue (and then say so).
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { SearchSuggestion } from "../api/types.ts";
import { ApiError } from "../data/repository.ts";
import { suggest, type Source } from "../data/search-repository.ts";
import { navigateTo, searchHref } from "../lib/router.ts";
import { Combobox } from "../search/combobox.ts";
import { highlighted } from "../search/render.ts";
import { store, StoreController, t } from "../state/store.ts";
import { icon } from "./icons.ts";

type Option = { kind: "service"; suggestion: SearchSuggestion } | { kind: "all"; query: string };

const MAX_LENGTH = 200;

@customElement("search-box")
export class SearchBox extends LitElement {
  /** Prefix of the ids inside (unique per page). */
  @property({ attribute: "box-id" }) boxId = "search";
  /** header, hero (home page) or page (results page). */
  @property() variant: "header" | "hero" | "page" = "header";
  /** The text shown initially (the results page passes its query). */
  @property() value = "";
  /** Extra description below the field (the hero's examples). */
  @property() hint = "";
  @state() private source: Source = "server";
  @state() private problem = "";

  protected readonly storeController = new StoreController(this);
  private readonly combo = new Combobox<Option>(this, {
    fetch: async (text, signal) => {
      this.problem = "";
      const answer = await suggest(store.lang, text, 8, signal);
      this.source = answer.source;
      return [...(answer.data.suggestions ?? []).map((suggestion) => ({ kind: "service" as const, suggestion })), { kind: "all", query: text }];
    },
    choose: (option) => {
      if (option.kind === "service") {
        this.afterNavigate();
        navigateTo(`/services/${option.suggestion.slug}`);
      } else this.submit(option.query);
    },
    submit: (text) => this.submit(text),
    describe: (options) => {
      const n = options.filter((o) => o.kind === "service").length;
      return n === 0 ? t("search.noSuggestions") : t("search.suggestionCount", { count: n });
    },
    failed: (e) => {
      this.source = "server";
      this.problem = e instanceof ApiError && e.status === 422 ? t("search.tooLong") : "";
    },
  });

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("value")) this.combo.setValue(this.value);
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const active = this.combo.active;
    if (active >= 0) this.querySelector(`#${this.boxId}-option-${active}`)?.scrollIntoView({ block: "nearest" });
  }

  private submit(text: string): void {
    this.afterNavigate();
    navigateTo(searchHref(text));
  }

  /** The header field empties after use; the results page keeps its text. */
  private afterNavigate(): void {
    if (this.variant === "header") this.combo.setValue("");
  }

  private onFocusOut(event: FocusEvent): void {
    if (!this.contains(event.relatedTarget as Node | null)) this.combo.close();
  }

  private renderOption(option: Option, index: number): TemplateResult {
    const id = `${this.boxId}-option-${index}`;
    const active = index === this.combo.active;
    return html`<li
      id=${id}
      role="option"
      class="combo-option ${option.kind === "all" ? "combo-all" : ""}"
      aria-selected=${active ? "true" : "false"}
      @mousedown=${(e: Event) => e.preventDefault()}
      @click=${() => this.combo.choose(index)}
    >
      ${option.kind === "service"
        ? html`<span>${highlighted(option.suggestion.title, option.suggestion.highlights)}</span>`
        : html`${icon("search")}<span>${t("search.showAll", { query: option.query })}</span>`}
    </li>`;
  }

  protected override render(): TemplateResult {
    const id = this.boxId;
    const c = this.combo;
    const listId = `${id}-listbox`;
    const describedBy = [this.hint ? `${id}-hint` : "", this.problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
    const offline = c.expanded && this.source !== "server";
    return html`<form
      class="search search-${this.variant}"
      role="search"
      action="/search"
      @submit=${(e: Event) => {
        e.preventDefault();
        this.submit(c.value.trim());
      }}
      @focusout=${this.onFocusOut}
    >
      <label for=${id} class=${this.variant === "header" ? "sr-only" : ""}>${t("search.label")}</label>
      <div class="combo">
        <div class="search-row">
          <input
            id=${id}
            type="search"
            name="q"
            role="combobox"
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            enterkeyhint="search"
            maxlength=${MAX_LENGTH}
            placeholder=${this.variant === "header" ? t("search.label") : nothing}
            aria-autocomplete="list"
            aria-expanded=${c.expanded ? "true" : "false"}
            aria-controls=${listId}
            aria-activedescendant=${c.expanded && c.active >= 0 ? `${id}-option-${c.active}` : nothing}
            aria-describedby=${describedBy || nothing}
            .value=${c.value}
            @input=${(e: InputEvent) => c.input((e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => c.keydown(e)}
            @click=${() => c.open()}
          />
          <button class="button button-search" type="submit">
            ${icon("search")}<span class=${this.variant === "header" ? "sr-only" : ""}>${t("search.submit")}</span>
          </button>
        </div>
        <div class="combo-popup ${c.expanded ? "open" : ""}">
          <p class="combo-note" role="status">${offline ? html`${icon("offline")}<span>${t("search.offlineSuggestions")}</span>` : nothing}</p>
          <ul id=${listId} role="listbox" aria-label=${t("search.suggestions")} ?hidden=${!c.expanded}>
            ${c.expanded ? c.options.map((o, i) => this.renderOption(o, i)) : nothing}
          </ul>
        </div>
        <p class="sr-only" role="status" aria-atomic="true">${c.announcement}</p>
      </div>
      ${this.problem ? html`<p id="${id}-problem" class="combo-problem">${this.problem}</p>` : nothing}
      ${this.hint ? html`<p id="${id}-hint" class="hint">${this.hint}</p>` : nothing}
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "search-box": SearchBox;
  }
}
