// The guest's favourites: from the device at once, then merged with the
// server (titles in the current language). Offline, titles come from the
// stored catalogue of the current language when it has the service.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { icon } from "../components/icons.ts";
import { breadcrumbs, serviceList } from "../components/parts.ts";
import { readSnapshot } from "../data/catalogue-store.ts";
import { favourites, type FavouriteRecord } from "../data/favourites.ts";
import { t } from "../state/store.ts";
import { PageBase } from "./page-base.ts";

@customElement("page-favourites")
export class PageFavourites extends PageBase {
  /** slug → title and summary in the current language, from the stored catalogue. */
  @state() private local = new Map<string, { title: string; summary: string }>();
  /** What the page shows; a favourite removed here stays until the page is left, so the focus does not get lost. */
  @state() private shown: FavouriteRecord[] = [];
  private readonly onChange = () => this.refresh();

  protected loadKey(): string {
    return "favourites";
  }

  protected pageTitle(): string {
    return t("favourites.title");
  }

  override connectedCallback(): void {
    super.connectedCallback();
    favourites.addEventListener("change", this.onChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    favourites.removeEventListener("change", this.onChange);
  }

  protected async load(): Promise<void> {
    await favourites.load();
    this.shown = [];
    this.refresh();
    const snapshot = await readSnapshot(this.language);
    this.local = new Map((snapshot?.services ?? []).map((s) => [s.slug, { title: s.title, summary: s.summary }]));
    // Merge with the server in the background; the list updates when it answers.
    void favourites.sync(this.language);
  }

  /** New favourites appear; removed ones stay in place (unstarred) until the page is shown again. */
  private refresh(): void {
    const current = new Map(favourites.items.map((f) => [f.slug, f]));
    const kept = this.shown.map((f) => current.get(f.slug) ?? f);
    const seen = new Set(kept.map((f) => f.slug));
    this.shown = [...favourites.items.filter((f) => !seen.has(f.slug)), ...kept];
  }

  protected renderPage(): TemplateResult {
    const items = this.shown.map((f) => {
      const l = this.local.get(f.slug);
      return { slug: f.slug, title: l?.title ?? f.title, summary: l?.summary ?? f.summary };
    });
    const count = favourites.items.length;
    return html`<div class="container">
      ${breadcrumbs([{ href: "/", label: t("nav.home") }, { label: t("favourites.title") }])}
      <h1 tabindex="-1">${t("favourites.title")}</h1>
      <p class="lead">${t("favourites.intro")}</p>
      ${favourites.pending ? html`<p class="note-box" role="note">${icon("offline")}<span>${t("favourites.pending")}</span></p>` : nothing}
      <section class="section" aria-labelledby="favourites-heading">
        <h2 id="favourites-heading" class="results-count"><span role="status">${t("favourites.count", { count })}</span></h2>
        ${items.length === 0
          ? html`<div class="empty-state">
              <p><strong>${t("favourites.empty")}</strong></p>
              <p>${t("favourites.emptyHint")}</p>
              <p><a class="button" href="/">${t("notFound.home")}</a></p>
            </div>`
          : serviceList(items, { idPrefix: "favourite" })}
      </section>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-favourites": PageFavourites;
  }
}
