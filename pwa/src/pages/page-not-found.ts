import { LitElement, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { StoreController, t } from "../state/store.ts";
import type { PageReadyDetail } from "./page-base.ts";
import { renderNotFound } from "./page-base.ts";

@customElement("page-not-found")
export class PageNotFound extends LitElement {
  protected readonly storeController = new StoreController(this);

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.updateComplete.then(() =>
      this.dispatchEvent(new CustomEvent<PageReadyDetail>("page-ready", { bubbles: true, composed: true, detail: { title: t("notFound.title") } })),
    );
  }

  protected override render(): TemplateResult {
    return renderNotFound();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-not-found": PageNotFound;
  }
}
