// Client-side search over the catalogue (until the server has real search):
// every word of the query must occur in the title, keywords or summary.
import type { Service } from "../api/types.ts";
import { byPopularity } from "./offline-query.ts";

/** Lower case, without accents, ä/ae folded to a (and so on), ß to ss. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ae/g, "a")
    .replace(/oe/g, "o")
    .replace(/ue/g, "u");
}

interface Indexed {
  service: Service;
  title: string;
  keywords: string;
  summary: string;
}

export class ServiceSearch {
  private readonly index: Indexed[];

  constructor(services: readonly Service[]) {
    this.index = services.map((service) => ({
      service,
      title: normalize(service.title),
      keywords: normalize([...(service.keywords ?? []), ...(service.synonyms ?? [])].join(" | ")),
      summary: normalize(service.summary),
    }));
  }

  search(query: string, limit = 50): Service[] {
    const words = normalize(query).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
    if (words.length === 0) return [];
    const hits: { service: Service; score: number }[] = [];
    for (const entry of this.index) {
      let score = 0;
      let all = true;
      for (const word of words) {
        let s = 0;
        if (entry.title.includes(word)) s += startsWord(entry.title, word) ? 12 : 8;
        if (entry.keywords.includes(word)) s += startsWord(entry.keywords, word) ? 6 : 4;
        if (entry.summary.includes(word)) s += 2;
        if (s === 0) {
          all = false;
          break;
        }
        score += s;
      }
      if (all) hits.push({ service: entry.service, score });
    }
    hits.sort((a, b) => b.score - a.score || byPopularity(a.service, b.service));
    return hits.slice(0, limit).map((h) => h.service);
  }
}

function startsWord(text: string, word: string): boolean {
  let i = text.indexOf(word);
  while (i !== -1) {
    if (i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1]!)) return true;
    i = text.indexOf(word, i + 1);
  }
  return false;
}
