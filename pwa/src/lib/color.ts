// Colour helpers so that brand colours from the server keep WCAG AA contrast.

export type RGB = [number, number, number];

export function parseHex(hex: string): RGB | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  let h = m[1]!;
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as RGB;
}

export function toHex([r, g, b]: RGB): string {
  return "#" + [r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, "0")).join("");
}

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance([r, g, b]: RGB): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: RGB, b: RGB): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (l1 + 0.05) / (l2 + 0.05);
}

const WHITE: RGB = [255, 255, 255];
const INK: RGB = [17, 24, 39];

/** Darkens `color` towards black until it reaches `ratio` against `background`. */
export function darkenUntil(color: RGB, background: RGB, ratio: number): RGB {
  let c = color;
  for (let i = 0; i < 40 && contrast(c, background) < ratio; i++) {
    c = c.map((v) => v * 0.92) as RGB;
  }
  return c;
}

export interface BrandPalette {
  /** Brand colour as given (backgrounds of header and buttons). */
  primary: string;
  /** Text colour on `primary`: white or near-black, whichever reads better (≥ 4.5:1 when possible). */
  onPrimary: string;
  /** Brand colour usable as text or link colour on white (≥ 4.5:1). */
  primaryText: string;
  accent: string;
  onAccent: string;
  /** Accent usable as a non-text indicator on white (≥ 3:1), e.g. focus rings and borders. */
  accentUi: string;
}

export function brandPalette(primaryHex: string, accentHex: string, fallbackPrimary = "#00508c", fallbackAccent = "#e2001a"): BrandPalette {
  const primary = parseHex(primaryHex) ?? parseHex(fallbackPrimary)!;
  const accent = parseHex(accentHex) ?? parseHex(fallbackAccent)!;
  const onColor = (c: RGB) => (contrast(c, WHITE) >= contrast(c, INK) ? WHITE : INK);
  return {
    primary: toHex(primary),
    onPrimary: toHex(onColor(primary)),
    primaryText: toHex(darkenUntil(primary, WHITE, 4.5)),
    accent: toHex(accent),
    onAccent: toHex(onColor(accent)),
    accentUi: toHex(darkenUntil(accent, WHITE, 3)),
  };
}
