package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold normalises text for matching, the same way for documents and
// queries, so that the ways Swiss residents write a word meet:
//
//   - lower case;
//   - ß → ss;
//   - umlauts and their transliterations to the base vowel: ä, ae → a;
//     ö, oe → o; ü, ue → u ("Zügeln", "Zuegeln" and "Zugeln" all become
//     "zugeln");
//   - other accents removed (é → e, à → a, ç → c);
//   - everything that is not a letter or digit becomes a space.
//
// The PWA's offline search (pwa/src/data/fold.ts) implements the same rules
// and is tested against the same table (search/testdata/fold.tsv).
func Fold(s string) string {
	if ascii := foldASCII(s); ascii != "" || s == "" {
		return ascii
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r == 'ß':
			b.WriteString("ss")
		case unicode.Is(unicode.Mn, r):
			// combining marks (the dots of ä after NFD, accents) are dropped
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	out := b.String()
	// Transliterated umlauts: "ae", "oe", "ue" count as umlauts unless they
	// follow a vowel ("Feuer", "Steuer", "neue") or a q ("Quelle"). The
	// rule is applied identically to documents and queries, so a rare wrong
	// fold only merges two spellings, it never loses a match.
	return strings.TrimSpace(foldDigraphs(out))
}

func foldDigraphs(s string) string {
	if !strings.Contains(s, "e") {
		return s
	}
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for i := 0; i < len(r); i++ {
		c := r[i]
		if (c == 'a' || c == 'o' || c == 'u') && i+1 < len(r) && r[i+1] == 'e' && !(i > 0 && (isVowel(r[i-1]) || r[i-1] == 'q')) {
			out = append(out, c)
			i++ // skip the e
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// foldASCII is Fold for the common case of a string without non-ASCII
// letters, without the Unicode normalisation; it returns "" otherwise.
func foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return ""
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		case (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
			b = append(b, c)
		default:
			b = append(b, ' ')
		}
	}
	return strings.TrimSpace(foldDigraphs(string(b)))
}
