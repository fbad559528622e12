// Folding of text for matching, the same rules as the server's search.Fold
// (search/fold.go) so that offline search finds what the server finds:
//
//   - lower case;
//   - ß → ss;
//   - umlauts and their transliterations to the base vowel: ä, ae → a;
//     ö, oe → o; ü, ue → u ("Zügeln", "Zuegeln" and "Zugeln" all become
//     "zugeln"), except after a vowel ("Feuer", "neue") or a q ("Quelle");
//   - other accents removed (é → e, à → a, ç → c);
//   - everything that is not a letter or digit becomes a space; leading and
//     trailing spaces are trimmed.
//
// Both implementations are tested against the same table,
// search/testdata/fold.tsv (tests/unit/fold.test.ts).

const MARK = /\p{Mn}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

export function fold(text: string): string {
  // Lower-case code point by code point, like Go's strings.ToLower (no
  // context-dependent rules such as the Greek final sigma).
  let lower = "";
  for (const c of text) lower += c.toLowerCase();
  const out: string[] = [];
  for (const c of lower.normalize("NFD")) {
    if (c === "ß") out.push("s", "s");
    else if (MARK.test(c)) continue;
    else if (LETTER_OR_DIGIT.test(c)) out.push(c);
    else out.push(" ");
  }
  return foldDigraphs(out).join("").replace(/^ +| +$/g, "");
}

function isVowel(c: string | undefined): boolean {
  return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";
}

/** "ae", "oe", "ue" → "a", "o", "u", unless after a vowel or a q (search.foldDigraphs). */
function foldDigraphs(r: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if ((c === "a" || c === "o" || c === "u") && r[i + 1] === "e" && !(i > 0 && (isVowel(r[i - 1]) || r[i - 1] === "q"))) {
      out.push(c);
      i++; // skip the e
      continue;
    }
    out.push(c);
  }
  return out;
}

/** The folded words of `text` (fold, then split at spaces). */
export function foldWords(text: string): string[] {
  const folded = fold(text);
  return folded ? folded.split(/ +/) : [];
}
