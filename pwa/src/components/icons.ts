// A small set of line icons (24×24, drawn for Schalter), keyed by the icon names
// the catalogue uses for categories, plus a few for the interface.
import { html, type TemplateResult } from "lit";

const paths: Record<string, string> = {
  home: "M3 11.5 12 4l9 7.5M5.5 10v10h13V10M10 20v-5.5h4V20",
  "id-card": "M3 5.5h18v13H3zM6 16c.6-1.6 1.7-2.3 3-2.3s2.4.7 3 2.3M14.5 10h4M14.5 13.5h3M9 12.2a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  rings: "M9 20a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM15 20a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM10 5.5 12 3l2 2.5-2 2z",
  passport: "M5.5 3h13v18h-13zM12 13a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM9 17h6",
  coins: "M9 9.5c2.8 0 5-1.1 5-2.5S11.8 4.5 9 4.5 4 5.6 4 7s2.2 2.5 5 2.5zM4 7v4c0 1.4 2.2 2.5 5 2.5M15 16.5c2.8 0 5-1.1 5-2.5s-2.2-2.5-5-2.5-5 1.1-5 2.5 2.2 2.5 5 2.5zM10 14v4c0 1.4 2.2 2.5 5 2.5s5-1.1 5-2.5v-4",
  ballot: "M4 13h16v8H4zM8 13V3.5h8V13M10 7h4M10 10h4M8.5 17h7",
  family: "M8 8.5a2.3 2.3 0 1 0 0-4.6 2.3 2.3 0 0 0 0 4.6zM16 8.5a2.3 2.3 0 1 0 0-4.6 2.3 2.3 0 0 0 0 4.6zM4 20v-5.5A3.5 3.5 0 0 1 7.5 11h1A3.5 3.5 0 0 1 11 13M20 20v-5.5a3.5 3.5 0 0 0-3.5-3.5h-1A3.5 3.5 0 0 0 13 13M12 16a1.8 1.8 0 1 0 0-3.6 1.8 1.8 0 0 0 0 3.6zM9.5 20.5a2.5 2.5 0 0 1 5 0",
  school: "M2 9l10-5 10 5-10 5zM6 11v5c0 1.4 2.7 3 6 3s6-1.6 6-3v-5M22 9v6",
  hands: "M12 11.5S8 9 8 6.3a2 2 0 0 1 4-.8 2 2 0 0 1 4 .8c0 2.7-4 5.2-4 5.2zM2.5 15H6l3.5 2.5H14a1.5 1.5 0 0 0 0-3h-3M14.5 16l4.2-2a1.6 1.6 0 0 1 1.8 2.6L15 20.5H6.5L5 19.5",
  ball: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 8l3.3 2.4-1.3 3.9h-4l-1.3-3.9zM12 8V3.5M15.3 10.4l4.5-1.5M14 14.3l2.7 4M10 14.3l-2.7 4M8.7 10.4 4.2 8.9",
  paw: "M8 9.5a1.8 1.8 0 1 0 0-3.6 1.8 1.8 0 0 0 0 3.6zM16 9.5a1.8 1.8 0 1 0 0-3.6 1.8 1.8 0 0 0 0 3.6zM5 14a1.6 1.6 0 1 0 0-3.2A1.6 1.6 0 0 0 5 14zM19 14a1.6 1.6 0 1 0 0-3.2 1.6 1.6 0 0 0 0 3.2zM12 12c-3 0-5 3.5-5 5.5 0 1.5 1.2 2.5 2.7 2.5.9 0 1.5-.5 2.3-.5s1.4.5 2.3.5c1.5 0 2.7-1 2.7-2.5 0-2-2-5.5-5-5.5z",
  recycle: "M7.5 19.5H5a1.6 1.6 0 0 1-1.4-2.4L7 11M5 11h2.2l.8 2.2M10.5 19.5h8.6a1.6 1.6 0 0 0 1.4-2.4l-2.2-3.8M12.5 17.5l-2 2 2 2M9.5 6.5l1.2-2a1.5 1.5 0 0 1 2.6 0l3.3 5.7M17.3 8.2l-.7 2.9-2.9-.8",
  crane: "M6 21V3.5M2.5 21h8M6 4h14M6 8.5 10.5 4M18 4v6M16 10h4v3.5h-4z",
  shield: "M12 3l8 3v6c0 4.8-3.4 8-8 9-4.6-1-8-4.2-8-9V6zM9 12l2.2 2.2L15.5 10",
  car: "M4 16.5v-4l2.2-5h11.6l2.2 5v4zM4 12.5h16M7.5 19a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM16.5 19a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z",
  briefcase: "M3 7.5h18v12.5H3zM9 7.5V5h6v2.5M3 13h18M11 13v2h2v-2",
  drop: "M12 3c3.5 4.5 6 8 6 11a6 6 0 0 1-12 0c0-3 2.5-6.5 6-11zM9.5 14.5a2.5 2.5 0 0 0 2.5 2.5",
  truck: "M2.5 6h11v10h-11zM13.5 9.5h4l3.5 3.5v3h-7.5M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  sign: "M12 3v18M9 21h6M5 5.5h11l3 2.5-3 2.5H5zM19 13H8.5l-3 2.5 3 2.5H19z",
  baby: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM10.3 8h.01M13.7 8h.01M11 10.2c.6.4 1.4.4 2 0M7 21c0-4 2.2-6.5 5-6.5s5 2.5 5 6.5",
  backpack: "M6 9.5a6 6 0 0 1 12 0V21H6zM9 21v-5.5h6V21M10 3.5h4M6 13h12",
  candle: "M9 10.5h6V21H9zM12 3c1.5 1.8 2 3 2 4a2 2 0 0 1-4 0c0-1 .5-2.2 2-4zM7 21h10",
  bench: "M5 10V7h14v3M3.5 10h17M3.5 13.5h17M6 13.5V19M18 13.5V19",
  lifebuoy: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM5.6 5.6l3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6",
  hammer: "M13.5 3.5 20.5 10.5 18 13l-7-7zM12.2 8.8 3.8 17.2a1.9 1.9 0 0 0 2.7 2.7l8.4-8.4",
  rocket: "M12 3c3 2 5 5.5 5 9l-2 4H9l-2-4c0-3.5 2-7 5-9zM12 11.5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM9 16l-3 3.5h4.5M15 16l3 3.5h-4.5M12 16v5",
  tent: "M2.5 20.5 12 4l9.5 16.5zM9 20.5l3-6 3 6M1.5 20.5h21",
  dog: "M5 11 6 5.5l3 2.5h6l3-2.5 1 5.5c0 4.5-3 8.5-7 8.5s-7-4-7-8.5zM10 12h.01M14 12h.01M11 15.5h2l-1 1z",
  building: "M4 21V6l8-3 8 3v15M2 21h20M9.5 21v-4.5h5V21M8 9h.01M12 9h.01M16 9h.01M8 12.5h.01M12 12.5h.01M16 12.5h.01",
  generic: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20.5 20.5 16 16",
  "arrow-right": "M5 12h14M13 6l6 6-6 6",
  external: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  phone: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z",
  mail: "M3 5.5h18v13H3zM3 6l9 7 9-7",
  "map-pin": "M12 21s7-6.2 7-11.5a7 7 0 0 0-14 0C5 14.8 12 21 12 21zM12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z",
  clock: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2",
  globe: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z",
  offline: "M3 3l18 18M8.5 8.7A5 5 0 0 0 6 18h11M17.8 17.7A4 4 0 0 0 17 10h-.3A6 6 0 0 0 10.3 6",
  online: "M12 3v18M3 12h18",
  counter: "M3 20.5h18M5 20.5v-7h14v7M3 13.5h18M7 13.5V6a5 5 0 0 1 10 0v7.5",
  post: "M3 5.5h18v13H3zM3 6l9 7 9-7",
  form: "M6 3h9l4 4v14H6zM14.5 3v4.5H19M9 12h7M9 15.5h7",
  web: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z",
  laptop: "M5 5h14v10H5zM2.5 18.5h19l-1.5-3.5H4z",
};

/** An inline, decorative icon; unknown names fall back to a generic symbol. */
export function icon(name: string, cls = "icon"): TemplateResult {
  const d = paths[name] ?? paths["generic"]!;
  return html`<svg class=${cls} viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d=${d}></path></svg>`;
}

export function channelIcon(channel: string): TemplateResult {
  return icon(channel === "online" ? "laptop" : channel);
}
