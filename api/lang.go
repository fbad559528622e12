package api

import (
	"strings"

	"golang.org/x/text/language"
)

// Swiss variants first: "de" means de-CH, Swiss Standard German.
var (
	supported = []language.Tag{language.MustParse("de-CH"), language.MustParse("fr-CH"), language.MustParse("it-CH"), language.English}
	codes     = []string{"de", "fr", "it", "en"}
	matcher   = language.NewMatcher(supported)
)

// LangParams are the language inputs of every catalogue read.
type LangParams struct {
	Lang           string `query:"lang" enum:"de,fr,it,en" doc:"Language of the texts; overrides Accept-Language. Missing translations fall back to German (de-CH)." example:"de"`
	AcceptLanguage string `header:"Accept-Language" doc:"Preferred languages, used when lang is not given." example:"fr-CH, fr;q=0.9, de;q=0.5"`
}

// resolve picks the response language: ?lang wins, then Accept-Language,
// then German.
func (p LangParams) resolve() string {
	if p.Lang != "" {
		return p.Lang
	}
	if p.AcceptLanguage == "" {
		return "de"
	}
	tags, _, err := language.ParseAcceptLanguage(p.AcceptLanguage)
	if err != nil || len(tags) == 0 {
		return "de"
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return "de"
	}
	return codes[idx]
}

// contentLanguage is the Content-Language header value for a code.
func contentLanguage(lang string) string {
	if lang == "en" {
		return "en"
	}
	return lang + "-CH"
}

// etagMatches implements the weak comparison of If-None-Match (RFC 9110
// 13.1.2): "*" or any listed tag equal to etag once W/ is ignored.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	bare := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == bare {
			return true
		}
	}
	return false
}
