// Polite announcements for screen readers through the app shell's live region.
export const ANNOUNCE_EVENT = "schalter-announce";

export function announce(text: string): void {
  window.dispatchEvent(new CustomEvent<string>(ANNOUNCE_EVENT, { detail: text }));
}
