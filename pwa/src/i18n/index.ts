// The i18n layer: message catalogues per language and a small `t` function with
// {placeholder} substitution and plural forms (Intl.PluralRules).
import { de, type MessageKey, type Messages } from "./de.ts";
import { en } from "./en.ts";
import { fr } from "./fr.ts";
import { it } from "./it.ts";

export const LANGS = ["de", "fr", "it", "en"] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = "de";

/** Each language's own name, for the language switcher. */
export const LANG_NAMES: Record<Lang, string> = {
  de: "Deutsch",
  fr: "Français",
  it: "Italiano",
  en: "English",
};

/** BCP 47 tag used for <html lang> and Intl formatting (Swiss variants). */
export const LOCALES: Record<Lang, string> = { de: "de-CH", fr: "fr-CH", it: "it-CH", en: "en" };

const catalogues: Record<Lang, Messages> = { de, fr, it, en };

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

export type Params = Record<string, string | number>;

function interpolate(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Translates `key` into `lang`; falls back to German for a missing message. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const value = catalogues[lang][key] ?? de[key];
  if (typeof value === "string") return interpolate(value, params);
  const count = Number(params?.count ?? 0);
  const form = new Intl.PluralRules(LOCALES[lang]).select(count) === "one" ? "one" : "other";
  return interpolate(value[form], params);
}

export type { MessageKey };
