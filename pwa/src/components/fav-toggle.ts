// The star that keeps a service among the favourites: a toggle button
// (aria-pressed) on service cards (icon only, described by the card's title)
// and on the service page (icon and text).
import { html, LitElement, nothing, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { favourites } from "../data/favourites.ts";
import { announce } from "../lib/announce.ts";
import { StoreController, t } from "../state/store.ts";

const STAR = "M12 3.2l2.7 5.5 6 .9-4.35 4.25 1.03 6L12 17.02 6.62 19.85l1.03-6L3.3 9.6l6-.9z";

@customElement("fav-toggle")
export class FavToggle extends LitElement {
  @property({ attribute: false }) service: { slug: string; title: string; summary: string } | null = null;
  /** "icon" on cards, "text" on the service page. */
  @property() variant: "icon" | "text" = "icon";
  /** id of the element naming the service (cards: the title), for aria-describedby. */
  @property({ attribute: "described-by" }) describedBy = "";

  protected readonly storeController = new StoreController(this);
  private readonly onChange = () => this.requestUpdate();

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    favourites.addEventListener("change", this.onChange);
    void favourites.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    favourites.removeEventListener("change", this.onChange);
  }

  private async toggle(): Promise<void> {
    const s = this.service;
    if (!s) return;
    const on = !favourites.has(s.slug);
    const done = favourites.set(s, on);
    announce(t(on ? "fav.added" : "fav.removed", { title: s.title }));
    await done;
  }

  protected override render(): TemplateResult {
    const on = this.service ? favourites.has(this.service.slug) : false;
    const label = on ? t("fav.remove") : t("fav.add");
    const star = html`<svg class="icon fav-star" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path d=${STAR}></path></svg>`;
    return this.variant === "text"
      ? html`<button type="button" class="button fav-toggle fav-text" aria-pressed=${on ? "true" : "false"} @click=${this.toggle}>
          ${star}<span>${label}</span>
        </button>`
      : html`<button
          type="button"
          class="fav-toggle fav-icon"
          aria-pressed=${on ? "true" : "false"}
          aria-label=${label}
          aria-describedby=${this.describedBy || nothing}
          title=${label}
          @click=${this.toggle}
        >
          ${star}
        </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "fav-toggle": FavToggle;
  }
}
