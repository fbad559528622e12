// Search over the offline copy of the catalogue (MiniSearch), answering with
// the same shapes as GET /api/v1/search and /api/v1/search/suggest, and
// following the server's matching rules (search/embedded) as far as they can
// be had in a small browser library:
//
//   - text folded like the server's search.Fold (fold.ts); common words of
//     the language ("wie", "ich", "le", "the") are ignored in queries;
//   - typo tolerance: one edit from 5 letters, two from 9;
//   - prefix matching on the last word while it is being typed (no space after it);
//   - the curated synonym groups (GET /api/v1/search/synonyms) expand query
//     words and phrases;
//   - field weights title > keywords (with the service's own synonyms) >
//     summary > description;
//   - German compounds, both ways: a long catalogue word is also indexed
//     under its parts that occur as words elsewhere ("Hundeabgabe" →
//     "abgabe"); a query word the catalogue does not know is split into
//     known parts ("Hundeanmeldung" → "hund" + "anmeld…"); two query words
//     that the catalogue writes as one also match the compound ("Steuer
//     Erklärung" → "steuererklarung");
//   - services matching every word come first, then those matching some;
//     within each, scores within about 5 % of each other count as equal and
//     popularity decides.
import MiniSearch, { type Query, type SearchResult as MiniResult } from "minisearch";
import type { Catalogue, FacetName, FacetValue, SearchHit, SearchParams, SearchResult, Service, SuggestResult } from "../api/types.ts";
import { matchRanges } from "../search/highlight.ts";
import { foldWords } from "./fold.ts";

const FIELDS = ["title", "keywords", "summary", "description"] as const;
const BOOST = { title: 4, keywords: 3, summary: 1.5, description: 1 };
const MIN_PART = 4;
const MIN_COMPOUND = 8;
/** German linking elements between the parts of a compound ("Betreibung-s-amt", "Hund-e-abgabe"). */
const LINKS = ["s", "e", "n", "en", "es", "er", "ns"];
/** Endings dropped from the last part of a query compound ("anmeldung" → "anmeld…"). */
const TAIL_ENDINGS = ["ungen", "ung", "en", "e", "s", "n"];
export const FACETS: readonly FacetName[] = ["category", "audience", "office", "channel"];

/** Words that carry no meaning for search, folded (fold.ts), per language. */
const STOP_WORDS: Record<string, ReadonlySet<string>> = {
  de: new Set(
    "aber alle als am an auch auf aus bei bin bis bitte da das dass dem den der des die dies du ein eine einem einen einer eines er es etwas fur gibt hat hatte ich ihr im in ist ja jemand kann mein meine meinem meinen meiner mich mir mit muss nach nicht noch nur ob oder sich sie sind so soll um und uns vom von vor war warum was welche wenn wer werde wie wir wo wurde zu zum zur"
      .split(" "),
  ),
  fr: new Set(
    "a au aux avec c ce ces comment d dans de des du elle en est et il j je l la le les leur lui m ma mais me mes mon n ne nous on ou par pas pour qu que qui s sa se ses son sur ta te tes toi ton tu un une vos votre vous y".split(" "),
  ),
  it: new Set(
    "a ad agli ai al alla alle c che chi come con d da dal dalla dei del della delle di e gli ha ho i il in io l la le lo ma mi mia mio nel nella non o per quale se si sono su sua suo tra un una uno".split(" "),
  ),
  en: new Set("a an and are as at be by can do does for from how i in is it me my of on or the to what when where who with you your".split(" ")),
};

/** Maximum edit distance for a query word of this length: 1 from 5 letters, 2 from 9. */
export function typoBudget(term: string): number {
  const n = Array.from(term).length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

interface Doc {
  id: string;
  title: string;
  keywords: string;
  summary: string;
  description: string;
}

interface Ranked {
  service: Service;
  result?: MiniResult;
}

/** A query word (or phrase) with the terms that count as an exact match of it and those that count as a typo. */
interface Group {
  query: Query;
  words: string[];
  exact: Set<string>;
  prefixes: string[];
  typos: Set<string>;
}

/** 2 when the document terms match the group exactly (or as a prefix), 1 with a typo, 0 not at all. */
function groupMatch(g: Group, terms: readonly string[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  for (const t of terms) {
    if (g.exact.has(t) || g.prefixes.some((p) => t.startsWith(p))) return 2;
    if (best === 0 && (g.typos.has(t) || g.words.some((w) => withinEdits(t, w, typoBudget(w))))) best = 1;
  }
  return best;
}

/** Whether a and b differ by at most `max` edits (insertions, deletions, substitutions). */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (max <= 0) return a === b;
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** Plain text of the description (Markdown punctuation is folded away anyway). */
function plain(markdown: string | undefined): string {
  return (markdown ?? "").replace(/\]\([^)]*\)/g, "]");
}

export class OfflineSearch {
  private readonly index: MiniSearch<Doc>;
  private readonly services = new Map<string, Service>();
  /** Folded words of the catalogue (3 letters or more). */
  private readonly vocabulary = new Set<string>();
  private readonly sortedVocabulary: string[];
  /** folded synonym (word or phrase) → the other members of its groups */
  private readonly synonyms = new Map<string, string[]>();
  private readonly stopWords: ReadonlySet<string>;
  private readonly titles: Record<FacetName, Map<string, string>> = {
    category: new Map(),
    audience: new Map(),
    office: new Map(),
    channel: new Map(),
  };

  constructor(
    readonly catalogue: Catalogue,
    synonymGroups: readonly (readonly string[])[] = [],
  ) {
    this.stopWords = STOP_WORDS[catalogue.lang] ?? STOP_WORDS["de"]!;
    const docs: Doc[] = [];
    for (const s of catalogue.services ?? []) {
      this.services.set(s.slug, s);
      const doc: Doc = {
        id: s.slug,
        title: s.title,
        keywords: [...(s.keywords ?? []), ...(s.synonyms ?? [])].join(" ; "),
        summary: s.summary,
        description: plain(s.description),
      };
      docs.push(doc);
      for (const f of FIELDS) for (const w of foldWords(doc[f])) if (w.length >= 3) this.vocabulary.add(w);
      this.titles.office.set(s.office.slug, s.office.name);
    }
    this.sortedVocabulary = [...this.vocabulary].sort();
    for (const c of catalogue.categories ?? []) this.titles.category.set(c.slug, c.title);
    for (const a of catalogue.audiences ?? []) this.titles.audience.set(a.slug, a.title);
    for (const o of catalogue.offices ?? []) this.titles.office.set(o.slug, o.name);
    for (const group of synonymGroups) {
      const members = [...new Set(group.map((g) => foldWords(g).join(" ")).filter(Boolean))];
      for (const m of members) {
        const others = this.synonyms.get(m) ?? [];
        for (const o of members) if (o !== m && !others.includes(o)) others.push(o);
        this.synonyms.set(m, others);
      }
    }
    this.index = new MiniSearch<Doc>({
      fields: [...FIELDS],
      storeFields: [],
      tokenize: (text) => {
        const words = foldWords(text);
        return [...words, ...words.flatMap((w) => this.parts(w))];
      },
      processTerm: (term) => term,
      searchOptions: {
        tokenize: (text) => foldWords(text),
        processTerm: (term) => term,
        boost: BOOST,
        weights: { fuzzy: 0.45, prefix: 0.6 },
      },
    });
    this.index.addAll(docs);
  }

  private known(word: string): boolean {
    return this.vocabulary.has(word) || this.synonyms.has(word);
  }

  /** Whether some catalogue word starts with `prefix`. */
  private knownPrefix(prefix: string): boolean {
    const v = this.sortedVocabulary;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo < v.length && v[lo]!.startsWith(prefix);
  }

  /** The parts of a long catalogue word that are catalogue words themselves (indexed with it). */
  parts(word: string): string[] {
    if (word.length < MIN_COMPOUND) return [];
    const out = new Set<string>();
    for (let i = MIN_PART; i <= word.length - MIN_PART; i++) {
      const head = word.slice(i);
      if (this.vocabulary.has(head)) out.add(head);
      const modifier = word.slice(0, i);
      if (this.vocabulary.has(modifier)) out.add(modifier);
      else {
        for (const link of LINKS) {
          const stem = modifier.slice(0, -link.length);
          if (modifier.endsWith(link) && stem.length >= MIN_PART && this.vocabulary.has(stem)) {
            out.add(stem);
            break;
          }
        }
      }
    }
    out.delete(word);
    return [...out];
  }

  /** Splits a query word the catalogue does not know into a known head and a known (start of a) tail. */
  private split(word: string): { head: string; tail: string; exact: boolean }[] {
    if (word.length < 7 || this.vocabulary.has(word)) return [];
    const out: { head: string; tail: string; exact: boolean }[] = [];
    for (let i = 3; i <= word.length - 3; i++) {
      const head = word.slice(0, i);
      if (!this.known(head)) continue;
      for (const link of ["", ...LINKS]) {
        if (!word.startsWith(link, i)) continue;
        const tail = word.slice(i + link.length);
        if (tail.length < 3) continue;
        const tails = [tail, ...TAIL_ENDINGS.filter((e) => tail.endsWith(e) && tail.length - e.length >= 4).map((e) => tail.slice(0, -e.length))];
        // A crude stem: the longest start of the tail that begins a catalogue word ("reservation" → "reserv…").
        for (let k = tail.length - 1; k >= Math.max(5, tail.length - 5); k--) {
          if (this.knownPrefix(tail.slice(0, k))) {
            tails.push(tail.slice(0, k));
            break;
          }
        }
        for (const t of tails) {
          const exact = this.known(t);
          if (exact || (t.length >= 4 && this.knownPrefix(t))) out.push({ head, tail: t, exact });
        }
      }
    }
    return out.slice(0, 12);
  }

  /** Catalogue words that differ from `word` by two swapped neighbouring letters. */
  private transpositions(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length < 4 || this.vocabulary.has(word)) return [];
    const out: string[] = [];
    for (let i = 0; i + 1 < chars.length; i++) {
      if (chars[i] === chars[i + 1]) continue;
      const swapped = [...chars];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      const t = swapped.join("");
      if (this.vocabulary.has(t)) out.push(t);
    }
    return out;
  }

  /** Catalogue words that end with `word`, for a word the catalogue only has inside compounds ("abgabe" → "hundeabgabe"). */
  private endings(word: string): string[] {
    if (word.length < 5 || this.vocabulary.has(word)) return [];
    const out: string[] = [];
    for (const v of this.sortedVocabulary) if (v.length > word.length && v.endsWith(word) && out.push(v) >= 20) break;
    return out;
  }

  /** One query word or phrase with everything that may stand for it, and how to tell exact from typo matches. */
  private group(words: readonly string[], typed: boolean): Group {
    const phrase = words.join(" ");
    const g: Group = {
      query: {
        queries: [phrase],
        combineWith: "AND",
        fuzzy: (term: string) => typoBudget(term) || false,
        prefix: (_t: string, index: number, terms: string[]) => typed && index === terms.length - 1,
      },
      exact: new Set(words),
      prefixes: typed ? [words.at(-1)!] : [],
      typos: new Set(),
      words: [...words],
    };
    const alternatives: Query[] = [];
    const add = (terms: string[], query: Query, exact = true) => {
      alternatives.push(query);
      for (const t of terms) for (const w of t.split(" ")) (exact ? g.exact : g.typos).add(w);
    };
    for (const a of this.synonyms.get(phrase) ?? []) add([a], { combineWith: "AND", fuzzy: false, prefix: false, queries: [a] });
    if (words.length === 1) {
      const word = words[0]!;
      for (const { head, tail, exact } of this.split(word)) {
        const tails = [tail, ...(this.synonyms.get(tail) ?? [])];
        g.exact.add(head);
        for (const t of tails) (exact ? g.exact.add(t) : g.prefixes.push(t));
        for (const h of [head, ...(this.synonyms.get(head) ?? [])]) {
          g.exact.add(h);
          add([], { combineWith: "OR", fuzzy: false, prefix: false, queries: [h, { combineWith: "OR", queries: tails, prefix: !exact }] });
        }
      }
      const ends = this.endings(word);
      if (ends.length) add(ends, { combineWith: "OR", fuzzy: false, prefix: false, queries: ends });
      // Two neighbouring letters swapped count as one typo ("fundbüor" → "fundbüro").
      for (const t of this.transpositions(word)) add([t], { combineWith: "OR", fuzzy: false, prefix: typed, queries: [t] }, false);
    }
    if (words.length === 2) {
      for (const link of ["", ...LINKS]) {
        const compound = words[0]! + link + words[1]!;
        if (this.vocabulary.has(compound)) add([compound], { combineWith: "OR", fuzzy: false, prefix: false, queries: [compound] });
      }
    }
    if (alternatives.length) g.query = { combineWith: "OR", queries: [g.query, ...alternatives] };
    return g;
  }

  /** Groups the query words (synonym phrases and words the catalogue writes together stay together). */
  private groups(words: readonly string[], typed: boolean): Group[] {
    const out: Group[] = [];
    let i = 0;
    while (i < words.length) {
      let n = Math.min(3, words.length - i);
      for (; n > 1; n--) {
        const slice = words.slice(i, i + n);
        if (this.synonyms.has(slice.join(" "))) break;
        if (n === 2 && ["", ...LINKS].some((l) => this.vocabulary.has(slice[0]! + l + slice[1]!))) break;
      }
      out.push(this.group(words.slice(i, i + n), typed && i + n === words.length));
      i += n;
    }
    return out;
  }

  /** The query's words without stop words (kept when nothing else is left). */
  private words(q: string): string[] {
    const all = foldWords(q);
    const typedLast = all.length > 0 && !/\s$/.test(q);
    const kept = all.filter((w, i) => !this.stopWords.has(w) || (typedLast && i === all.length - 1));
    return kept.length ? kept : all;
  }

  /**
   * Finds the services matching any query word and ranks them like
   * Meilisearch's ranking rules: more query words matched first, then fewer
   * typos, then the score (field weights; within about 5 %), then popularity.
   */
  private run(q: string, fields?: string[]): { ranked: Ranked[]; prefixes: string[] } {
    const words = this.words(q);
    if (words.length === 0) return { ranked: [], prefixes: [] };
    const typed = !/\s$/.test(q);
    const groups = this.groups(words, typed);
    const results = this.index.search({ combineWith: "OR", queries: groups.map((g) => g.query) }, fields ? { fields } : {});
    const ranked = results.map((result) => {
      let matched = 0;
      let typos = 0;
      for (const g of groups) {
        const m = groupMatch(g, result.terms);
        if (m > 0) matched++;
        if (m === 1) typos++;
      }
      return { service: this.services.get(result.id as string)!, result, matched, typos, bucket: bucket(result.score) };
    });
    ranked.sort((a, b) => b.matched - a.matched || a.typos - b.typos || b.bucket - a.bucket || byPopularity(a.service, b.service));
    return { ranked, prefixes: typed ? [words.at(-1)!] : [] };
  }

  private matches(s: Service, p: SearchParams): boolean {
    if (p.category && ![...(s.categories ?? []), ...(s.life_situations ?? [])].some((c) => c.slug === p.category)) return false;
    if (p.audience && !(s.audiences ?? []).some((a) => a.slug === p.audience)) return false;
    if (p.office && s.office.slug !== p.office) return false;
    if (p.channel && !(s.channels ?? []).some((c) => c === p.channel)) return false;
    return true;
  }

  private facetValues(s: Service, facet: FacetName): string[] {
    switch (facet) {
      case "category":
        return [...new Set([...(s.categories ?? []), ...(s.life_situations ?? [])].map((c) => c.slug))];
      case "audience":
        return (s.audiences ?? []).map((a) => a.slug);
      case "office":
        return [s.office.slug];
      case "channel":
        return [...(s.channels ?? [])];
    }
  }

  /** Answers like GET /api/v1/search. */
  search(p: SearchParams): SearchResult {
    const started = now();
    const q = (p.q ?? "").slice(0, 200);
    const limit = Math.min(50, Math.max(1, p.limit ?? 10));
    const offset = Math.min(1000, Math.max(0, p.offset ?? 0));
    let ranked: Ranked[];
    let prefixes: string[] = [];
    if (q.trim() === "") ranked = [...this.services.values()].sort(byPopularity).map((service) => ({ service }));
    else ({ ranked, prefixes } = this.run(q));
    const matching = ranked.filter((x) => this.matches(x.service, p));
    const facets = {} as Record<FacetName, FacetValue[]>;
    for (const facet of FACETS) {
      const counts = new Map<string, number>();
      for (const { service } of matching) for (const v of this.facetValues(service, facet)) counts.set(v, (counts.get(v) ?? 0) + 1);
      facets[facet] = [...counts]
        .map(([value, count]) => ({ value, count, title: this.titles[facet].get(value) ?? value }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    }
    const hits: SearchHit[] = matching.slice(offset, offset + limit).map(({ service: s, result }) => {
      const terms = new Set(result?.terms ?? []);
      return {
        slug: s.slug,
        title: s.title,
        summary: s.summary,
        office: { slug: s.office.slug, name: s.office.name },
        highlights: {
          title: result ? matchRanges(s.title, terms, prefixes) : [],
          summary: result ? matchRanges(s.summary, terms, prefixes) : [],
        },
      };
    });
    return { query: q.trim(), hits, total: matching.length, facets, processing_time_ms: now() - started, engine: "embedded" };
  }

  /** Answers like GET /api/v1/search/suggest: titles and keywords first, then all text. */
  suggest(q: string, limit = 8): SuggestResult {
    const query = q.slice(0, 200);
    const n = Math.min(8, Math.max(1, limit));
    if (!query.trim()) return { query: "", suggestions: [] };
    let { ranked, prefixes } = this.run(query, ["title", "keywords"]);
    if (ranked.length < n) {
      const more = this.run(query);
      const seen = new Set(ranked.map((r) => r.service.slug));
      ranked = [...ranked, ...more.ranked.filter((r) => !seen.has(r.service.slug))];
      prefixes = more.prefixes;
    }
    const suggestions = ranked.slice(0, n).map(({ service: s, result }) => ({
      slug: s.slug,
      title: s.title,
      highlights: matchRanges(s.title, new Set(result?.terms ?? []), prefixes),
    }));
    return { query: query.trim(), suggestions };
  }
}

/** Scores within about 5 % of each other fall into the same bucket; popularity then decides. */
function bucket(score: number): number {
  return score > 0 ? Math.round(Math.log(score) * 20) : -1e9;
}

function byPopularity(a: { popularity: number; slug: string }, b: { popularity: number; slug: string }): number {
  return b.popularity - a.popularity || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}
