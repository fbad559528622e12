// Application state shared by all components: language, city configuration
// (branding), and whether what is shown comes from the offline copy.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { AppConfig } from "../api/types.ts";
import { DEFAULT_LANG, isLang, LANGS, translate, type Lang, type MessageKey, type Params } from "../i18n/index.ts";

/** Built-in branding, used until (or when) the server's configuration cannot be loaded. */
export const DEFAULT_CONFIG: AppConfig = {
  city: {
    name: "Stadt Uster",
    short_name: "Uster",
    primary_color: "#00508c",
    accent_color: "#d4a017",
    logo_url: "",
    website: "https://www.uster.ch",
  },
  languages: [...LANGS],
  default_language: DEFAULT_LANG,
};

const LANG_KEY = "schalter.lang";

function storedLang(): Lang | null {
  try {
    const value = localStorage.getItem(LANG_KEY);
    return isLang(value) ? value : null;
  } catch {
    return null;
  }
}

class Store extends EventTarget {
  lang: Lang = storedLang() ?? DEFAULT_LANG;
  /** Whether the user chose the language (otherwise the server's default applies). */
  langChosen = storedLang() !== null;
  config: AppConfig = DEFAULT_CONFIG;
  /** navigator.onLine as last reported. */
  online = typeof navigator === "undefined" ? true : navigator.onLine;
  /** The last data shown came from a cache or the offline snapshot instead of the network. */
  servedOffline = false;
  /** generated_at of the snapshot data was last served from, if any. */
  offlineSnapshotAt: string | null = null;
  /** generated_at of the snapshot stored for the current language, once stored. */
  snapshotReadyAt: string | null = null;

  get showOffline(): boolean {
    return !this.online || this.servedOffline;
  }

  update(patch: Partial<Pick<Store, "lang" | "config" | "online" | "servedOffline" | "offlineSnapshotAt" | "snapshotReadyAt" | "langChosen">>): void {
    let changed = false;
    for (const [key, value] of Object.entries(patch)) {
      if ((this as Record<string, unknown>)[key] !== value) {
        (this as Record<string, unknown>)[key] = value;
        changed = true;
      }
    }
    if (changed) this.dispatchEvent(new Event("change"));
  }

  setLang(lang: Lang): void {
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      /* private mode: not persisted */
    }
    this.update({ lang, langChosen: true, snapshotReadyAt: null });
  }
}

export const store = new Store();

/** Translates into the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(store.lang, key, params);
}

/** Re-renders a Lit host whenever the store changes. */
export class StoreController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  private readonly onChange = () => this.host.requestUpdate();
  hostConnected(): void {
    store.addEventListener("change", this.onChange);
  }
  hostDisconnected(): void {
    store.removeEventListener("change", this.onChange);
  }
}
