// The widget's texts in the four languages (German is the reference; Swiss
// Standard German writes "ss", never the sharp s).
export const WIDGET_LANGS = ["de", "fr", "it", "en"] as const;
export type WidgetLang = (typeof WIDGET_LANGS)[number];

export interface WidgetStrings {
  label: string;
  submit: string;
  results: string;
  count: (n: number) => string;
  none: string;
  showAll: (query: string) => string;
  unavailable: string;
}

export const STRINGS: Record<WidgetLang, WidgetStrings> = {
  de: {
    label: "Dienstleistung suchen",
    submit: "Suchen",
    results: "Suchergebnisse",
    count: (n) => (n === 1 ? "1 Treffer. Mit den Pfeiltasten auswählen." : `${n} Treffer. Mit den Pfeiltasten auswählen.`),
    none: "Keine Treffer. Mit der Eingabetaste suchen Sie im ganzen Katalog.",
    showAll: (q) => `Alle Treffer für «${q}» anzeigen`,
    unavailable: "Die Suche ist im Moment nicht erreichbar.",
  },
  fr: {
    label: "Rechercher une prestation",
    submit: "Rechercher",
    results: "Résultats de recherche",
    count: (n) => (n === 1 ? "1 résultat. Choisissez avec les touches fléchées." : `${n} résultats. Choisissez avec les touches fléchées.`),
    none: "Aucun résultat. Appuyez sur Entrée pour chercher dans tout le catalogue.",
    showAll: (q) => `Afficher tous les résultats pour « ${q} »`,
    unavailable: "La recherche n'est pas joignable pour le moment.",
  },
  it: {
    label: "Cerca una prestazione",
    submit: "Cerca",
    results: "Risultati della ricerca",
    count: (n) => (n === 1 ? "1 risultato. Scegliete con i tasti freccia." : `${n} risultati. Scegliete con i tasti freccia.`),
    none: "Nessun risultato. Premete Invio per cercare in tutto il catalogo.",
    showAll: (q) => `Mostra tutti i risultati per «${q}»`,
    unavailable: "La ricerca al momento non è raggiungibile.",
  },
  en: {
    label: "Search for a service",
    submit: "Search",
    results: "Search results",
    count: (n) => (n === 1 ? "1 result. Use the arrow keys to choose." : `${n} results. Use the arrow keys to choose.`),
    none: "No results. Press Enter to search the whole catalogue.",
    showAll: (q) => `Show all results for “${q}”`,
    unavailable: "Search cannot be reached right now.",
  },
};

/** The widget language for a BCP 47 tag ("fr-CH" → fr); German otherwise. */
export function widgetLang(tag: string | null | undefined): WidgetLang {
  const base = (tag ?? "").toLowerCase().split("-")[0];
  return (WIDGET_LANGS as readonly string[]).includes(base ?? "") ? (base as WidgetLang) : "de";
}
