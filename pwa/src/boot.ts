// Start-up: language, branding from the server configuration, the service
// worker, and the offline copy of the catalogue.
import type { AppConfig } from "./api/types.ts";
import { refreshSnapshot, refreshSynonyms } from "./data/catalogue-store.ts";
import { favourites } from "./data/favourites.ts";
import { getConfig } from "./data/repository.ts";
import { isLang, LOCALES } from "./i18n/index.ts";
import { brandPalette } from "./lib/color.ts";
import { session } from "./state/session.ts";
import { DEFAULT_CONFIG, store } from "./state/store.ts";

const CONFIG_KEY = "schalter.config";

export function applyBranding(config: AppConfig): void {
  const p = brandPalette(config.city.primary_color, config.city.accent_color);
  const root = document.documentElement.style;
  root.setProperty("--brand", p.primary);
  root.setProperty("--on-brand", p.onPrimary);
  root.setProperty("--brand-text", p.primaryText);
  root.setProperty("--accent", p.accent);
  root.setProperty("--on-accent", p.onAccent);
  root.setProperty("--accent-ui", p.accentUi);
  document.querySelector('meta[name="theme-color"]')?.setAttribute("content", p.primary);
}

function cachedConfig(): AppConfig | null {
  try {
    const raw = localStorage.getItem(CONFIG_KEY);
    return raw ? (JSON.parse(raw) as AppConfig) : null;
  } catch {
    return null;
  }
}

function setConfig(config: AppConfig): void {
  const merged: AppConfig = {
    ...DEFAULT_CONFIG,
    ...config,
    city: { ...DEFAULT_CONFIG.city, ...config.city },
    languages: config.languages?.length ? config.languages : DEFAULT_CONFIG.languages,
  };
  store.update({ config: merged });
  applyBranding(merged);
}

async function loadConfig(): Promise<void> {
  try {
    const config = await getConfig();
    setConfig(config);
    try {
      localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    } catch {
      /* not persisted */
    }
    if (!store.langChosen && isLang(config.default_language) && config.default_language !== store.lang) {
      store.update({ lang: config.default_language });
    }
  } catch {
    /* offline and never loaded: keep the cached or built-in branding */
  }
}

let snapshotTimer: number | undefined;

/** Stores the catalogue of the current language for offline use, a moment after the page is shown. */
function scheduleSnapshot(delay = 1500): void {
  clearTimeout(snapshotTimer);
  snapshotTimer = window.setTimeout(async () => {
    const lang = store.lang;
    const [snapshot] = await Promise.all([refreshSnapshot(lang), refreshSynonyms()]);
    if (snapshot && lang === store.lang) {
      store.update({ snapshotReadyAt: snapshot.generated_at });
      document.documentElement.dataset.offlineReady = lang;
    }
  }, delay);
}

function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || !import.meta.env.PROD) return;
  const register = () =>
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((e: unknown) => console.warn("service worker not registered", e));
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}

export function boot(): void {
  const cached = cachedConfig();
  setConfig(cached ?? DEFAULT_CONFIG);
  document.documentElement.lang = LOCALES[store.lang];

  let lastLang = store.lang;
  store.addEventListener("change", () => {
    if (store.lang !== lastLang) {
      lastLang = store.lang;
      document.documentElement.lang = LOCALES[store.lang];
      delete document.documentElement.dataset.offlineReady;
      scheduleSnapshot(500);
      void favourites.sync(store.lang);
    }
  });

  window.addEventListener("online", () => {
    store.update({ online: true });
    void session.refresh().catch(() => undefined);
    scheduleSnapshot(500);
    // Replay favourites changed while offline.
    void favourites.sync(store.lang);
  });
  window.addEventListener("offline", () => store.update({ online: false }));

  void loadConfig();
  // The header's account entry (asks the server only when this device logged in before).
  void session.refresh().catch(() => undefined);
  registerServiceWorker();
  scheduleSnapshot();
  // Favourites: the device list at once, then merged with the server's.
  void favourites.load().then(() => favourites.sync(store.lang));
}
