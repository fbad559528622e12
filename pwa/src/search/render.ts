// Highlighted text for Lit templates: marked ranges become <mark> elements;
// the text itself is always bound as text, never parsed as HTML.
import { html, type TemplateResult } from "lit";
import { segments, type Range } from "./highlight.ts";

export function highlighted(text: string, ranges: readonly Range[] | null | undefined): TemplateResult {
  return html`${segments(text, ranges).map((s) => (s.mark ? html`<mark>${s.text}</mark>` : s.text))}`;
}
