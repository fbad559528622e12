// Highlighted matches: the API marks matches as ranges in Unicode code
// points of the returned text; this turns them into plain segments that the
// templates render as text and <mark> elements (never as HTML).
import { fold } from "../data/fold.ts";

export interface Range {
  start: number;
  length: number;
}

export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * Splits `text` into marked and unmarked segments. Ranges are in code points
 * (Array.from(text)), may come in any order, overlap or run past the end;
 * they are clamped and merged.
 */
export function segments(text: string, ranges: readonly Range[] | null | undefined): Segment[] {
  const chars = Array.from(text);
  const spans = (ranges ?? [])
    .map((r) => [Math.max(0, Math.trunc(r.start)), Math.min(chars.length, Math.trunc(r.start) + Math.trunc(r.length))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) out.push({ text: chars.slice(at, s).join(""), mark: false });
    out.push({ text: chars.slice(s, e).join(""), mark: true });
    at = e;
  }
  if (at < chars.length || out.length === 0) out.push({ text: chars.slice(at).join(""), mark: false });
  return out;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/**
 * Ranges (code points) of the words of `text` that match one of `terms`
 * (folded words): a word matches when its folded form equals a term, starts
 * with a term of the query's last word (`prefixes`), or contains a term of at
 * least four letters (a part of a compound). Used by the offline search,
 * which has no highlighting of its own.
 */
export function matchRanges(text: string, terms: ReadonlySet<string>, prefixes: readonly string[] = []): Range[] {
  const ranges: Range[] = [];
  const chars = Array.from(text);
  let i = 0;
  while (i < chars.length) {
    if (!WORD_CHAR.test(chars[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < chars.length && WORD_CHAR.test(chars[i]!)) i++;
    const word = fold(chars.slice(start, i).join(""));
    if (!word) continue;
    let hit = terms.has(word) || prefixes.some((p) => p.length > 0 && word.startsWith(p));
    if (!hit) {
      for (const t of terms) {
        if (t.length >= 4 && word.includes(t)) {
          hit = true;
          break;
        }
      }
    }
    if (hit) ranges.push({ start, length: i - start });
  }
  return ranges;
}
