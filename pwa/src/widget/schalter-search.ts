// <schalter-search>: Schalter's service search for any website, with one
// script tag and one element (docs/widget.md):
//
//   <script type="module" src="https://schalter.example/widget/schalter-search.js"></script>
//   <schalter-search api-base="https://schalter.example" lang="de"
//     placeholder="Dienstleistung suchen" results="5"></schalter-search>
//
// A search field with results as you type (ARIA 1.2 combobox) in a shadow
// root, themed with CSS custom properties (--schalter-*) and ::part().
// It only reads GET /api/v1/search (CORS, no cookies); results link to the
// PWA (<pwa-base>/services/<slug>, all results: <pwa-base>/search?q=…).
import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import type { SearchHit, SearchResult } from "../api/types.ts";
import { Combobox } from "../search/combobox.ts";
import { highlighted } from "../search/render.ts";
import { STRINGS, widgetLang, type WidgetLang, type WidgetStrings } from "./strings.ts";

/** Origin the widget script was loaded from: the default API and PWA base. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

type Option = { kind: "hit"; hit: SearchHit } | { kind: "all"; query: string; total: number };

let instances = 0;

function trimBase(value: string | null | undefined, fallback: string): string {
  const v = (value ?? "").trim();
  if (!v) return fallback;
  try {
    const url = new URL(v, document.baseURI);
    return (url.origin + url.pathname).replace(/\/+$/, "");
  } catch {
    return fallback;
  }
}

export class SchalterSearch extends LitElement {
  static override properties = {
    apiBase: { attribute: "api-base" },
    pwaBase: { attribute: "pwa-base" },
    language: { attribute: "lang" },
    placeholder: {},
    label: {},
    results: { type: Number },
    unavailable: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      font-family: var(--schalter-font, inherit);
      font-size: var(--schalter-font-size, 1rem);
      line-height: 1.4;
      color: var(--schalter-text, #1a1f24);
      --_primary: var(--schalter-primary, #00508c);
      --_on-primary: var(--schalter-on-primary, #ffffff);
      --_radius: var(--schalter-radius, 0.5rem);
      --_border: var(--schalter-border, #6b7785);
      --_background: var(--schalter-background, #ffffff);
      --_focus: var(--schalter-focus, var(--_primary));
    }
    :host([hidden]),
    [hidden] {
      display: none !important;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
      border: 0;
    }
    form {
      margin: 0;
    }
    .row {
      display: flex;
      gap: 0.4rem;
    }
    input {
      flex: 1 1 auto;
      min-width: 0;
      min-height: 2.75rem;
      box-sizing: border-box;
      margin: 0;
      padding: 0.55rem 0.8rem;
      font: inherit;
      color: inherit;
      background: var(--_background);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
    }
    input::placeholder {
      color: var(--schalter-muted, #4d5965);
      opacity: 1;
    }
    button {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      min-width: 2.75rem;
      min-height: 2.75rem;
      margin: 0;
      padding: 0 0.75rem;
      font: inherit;
      font-weight: 700;
      color: var(--_on-primary);
      background: var(--_primary);
      border: 1px solid var(--_primary);
      border-radius: var(--_radius);
      cursor: pointer;
    }
    input:focus-visible,
    button:focus-visible {
      outline: 3px solid var(--_focus);
      outline-offset: 2px;
    }
    svg {
      width: 1.25em;
      height: 1.25em;
    }
    .popup {
      position: absolute;
      z-index: var(--schalter-z-index, 1000);
      left: 0;
      right: 0;
      top: calc(100% + 0.25rem);
      overflow: hidden;
      background: var(--_background);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      box-shadow: var(--schalter-shadow, 0 8px 24px rgb(0 0 0 / 0.18));
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0.25rem 0;
      max-height: var(--schalter-max-height, 24rem);
      overflow-y: auto;
    }
    li {
      display: block;
      padding: 0.55rem 0.8rem;
      cursor: pointer;
    }
    li:hover {
      background: var(--schalter-hover, #f3f5f7);
    }
    li[aria-selected="true"] {
      color: var(--_on-primary);
      background: var(--_primary);
      outline: 2px solid var(--schalter-text, #1a1f24);
      outline-offset: -2px;
    }
    .title {
      display: block;
      font-weight: 600;
    }
    .meta {
      display: block;
      font-size: 0.875em;
      color: var(--schalter-muted, #4d5965);
    }
    li[aria-selected="true"] .meta {
      color: inherit;
    }
    .all {
      border-top: 1px solid var(--schalter-divider, #e3e8ed);
      font-weight: 600;
      color: var(--schalter-link, var(--_primary));
    }
    mark {
      color: inherit;
      background: var(--schalter-highlight, #fff1a8);
      font-weight: 700;
    }
    li[aria-selected="true"] mark {
      background: transparent;
      text-decoration: underline;
    }
    .note {
      margin: 0;
      padding: 0.55rem 0.8rem;
      font-weight: 600;
    }
    @media (forced-colors: active) {
      li[aria-selected="true"] {
        outline: 3px solid Highlight;
      }
    }
  `;

  /** Origin (and path) of the Schalter API; default: where this script came from. */
  apiBase = "";
  /** Where result links go (the PWA); default: apiBase. */
  pwaBase = "";
  /** de, fr, it or en (also fr-CH …); default: the page's language. */
  language = "";
  placeholder = "";
  /** Accessible name of the field; default: "Dienstleistung suchen" in the language. */
  label = "";
  /** Number of results shown while typing (1–10). */
  results = 5;
  protected unavailable = false;
  private readonly uid = `schalter-search-${++instances}`;

  private readonly combo = new Combobox<Option>(this, {
    fetch: async (text, signal) => {
      const data = await this.search(text, signal);
      this.unavailable = false;
      const hits: Option[] = (data.hits ?? []).map((hit) => ({ kind: "hit", hit }));
      return [...hits, { kind: "all", query: text, total: data.total }];
    },
    choose: (option) => {
      if (option.kind === "hit") this.go(`/services/${encodeURIComponent(option.hit.slug)}`);
      else this.go(this.searchPath(option.query));
    },
    submit: (text) => this.go(this.searchPath(text)),
    describe: (options) => {
      if (this.unavailable) return this.strings.unavailable;
      const n = options.filter((o) => o.kind === "hit").length;
      return n === 0 ? this.strings.none : this.strings.count(n);
    },
    failed: () => {
      this.unavailable = true;
    },
  });

  /** The language in use: the lang attribute, else the page's. */
  private get widgetLanguage(): WidgetLang {
    return widgetLang(this.language || this.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang);
  }

  private get strings(): WidgetStrings {
    return STRINGS[this.widgetLanguage];
  }

  private get api(): string {
    return trimBase(this.apiBase, SCRIPT_ORIGIN);
  }

  private get pwa(): string {
    return trimBase(this.pwaBase, this.api);
  }

  private searchPath(q: string): string {
    return q ? `/search?q=${encodeURIComponent(q)}` : "/search";
  }

  private go(path: string): void {
    const url = this.pwa + path;
    const event = new CustomEvent("schalter-navigate", { detail: { url }, cancelable: true, bubbles: true, composed: true });
    if (this.dispatchEvent(event)) window.location.assign(url);
  }

  private async search(q: string, signal: AbortSignal): Promise<SearchResult> {
    const limit = Math.min(10, Math.max(1, Math.trunc(Number(this.results)) || 5));
    const params = new URLSearchParams({ q, lang: this.widgetLanguage, limit: String(limit) });
    const response = await fetch(`${this.api}/api/v1/search?${params}`, {
      signal,
      mode: "cors",
      credentials: "omit",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`search: HTTP ${response.status}`);
    return (await response.json()) as SearchResult;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const active = this.combo.active;
    if (active >= 0) this.renderRoot.querySelector(`#${this.uid}-option-${active}`)?.scrollIntoView({ block: "nearest" });
  }

  private onFocusOut(event: FocusEvent): void {
    if (!this.renderRoot.contains(event.relatedTarget as Node | null)) this.combo.close();
  }

  private renderOption(option: Option, index: number): TemplateResult {
    const active = index === this.combo.active;
    return html`<li
      id="${this.uid}-option-${index}"
      role="option"
      part="option${active ? " option-active" : ""}"
      class=${option.kind === "all" ? "all" : ""}
      aria-selected=${active ? "true" : "false"}
      @mousedown=${(e: Event) => e.preventDefault()}
      @click=${() => this.combo.choose(index)}
    >
      ${option.kind === "hit"
        ? html`<span class="title">${highlighted(option.hit.title, option.hit.highlights.title)}</span
            ><span class="meta">${option.hit.office.name}</span>`
        : this.strings.showAll(option.query)}
    </li>`;
  }

  protected override render(): TemplateResult {
    const s = this.strings;
    const c = this.combo;
    const id = this.uid;
    const open = c.expanded || this.unavailable;
    return html`<form
      role="search"
      part="form"
      @submit=${(e: Event) => {
        e.preventDefault();
        this.go(this.searchPath(c.value.trim()));
      }}
      @focusout=${this.onFocusOut}
    >
      <label class="sr-only" for="${id}-input">${this.label || s.label}</label>
      <div class="row">
        <input
          id="${id}-input"
          part="input"
          type="search"
          role="combobox"
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
          enterkeyhint="search"
          maxlength="200"
          lang=${this.widgetLanguage}
          placeholder=${this.placeholder || nothing}
          aria-autocomplete="list"
          aria-expanded=${c.expanded ? "true" : "false"}
          aria-controls="${id}-listbox"
          aria-activedescendant=${c.expanded && c.active >= 0 ? `${id}-option-${c.active}` : nothing}
          .value=${c.value}
          @input=${(e: InputEvent) => {
            const value = (e.target as HTMLInputElement).value;
            if (value.trim().length < c.minLength) this.unavailable = false;
            c.input(value);
          }}
          @keydown=${(e: KeyboardEvent) => c.keydown(e)}
          @click=${() => c.open()}
        />
        <button type="submit" part="button">
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20.5 20.5 16 16"></path>
          </svg>
          <span class="sr-only">${s.submit}</span>
        </button>
      </div>
      <div class="popup" part="popup" ?hidden=${!open}>
        ${this.unavailable ? html`<p class="note">${s.unavailable}</p>` : nothing}
        <ul id="${id}-listbox" role="listbox" part="listbox" aria-label=${s.results} lang=${this.widgetLanguage} ?hidden=${!c.expanded}>
          ${c.expanded ? c.options.map((o, i) => this.renderOption(o, i)) : nothing}
        </ul>
      </div>
      <p class="sr-only" role="status" aria-atomic="true">${c.announcement}</p>
    </form>`;
  }
}

if (!customElements.get("schalter-search")) customElements.define("schalter-search", SchalterSearch);

declare global {
  interface HTMLElementTagNameMap {
    "schalter-search": SchalterSearch;
  }
}
