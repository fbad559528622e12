// How the account pages name levels, login methods, roles and devices.
import type { Role } from "../../api/types.ts";
import type { MessageKey } from "../../i18n/index.ts";
import { t } from "../../state/store.ts";

const METHOD_KEYS: Record<string, MessageKey> = {
  pwd: "method.pwd",
  otp: "method.otp",
  sms: "method.sms",
  passkey: "method.passkey",
  eid: "method.eid",
};

export function methodName(method: string): string {
  const key = METHOD_KEYS[method];
  return key ? t(key) : method;
}

export function methodList(methods: readonly string[]): string {
  return methods.map(methodName).join(", ");
}

const LEVEL_KEYS: Record<string, MessageKey> = {
  none: "level.none",
  account: "level.account",
  two_factor: "level.two_factor",
  eid: "level.eid",
};

export function levelName(level: string): string {
  const key = LEVEL_KEYS[level];
  return key ? t(key) : level;
}

export function roleName(role: Role): string {
  switch (role.role) {
    case "staff":
      return role.office ? t("role.staffOf", { office: role.office }) : t("role.staff");
    case "editor":
      return t("role.editor");
    default:
      return t("role.admin");
  }
}

/**
 * A short name for a browser from its User-Agent ("Firefox on Android"),
 * enough to recognise one's own devices; null when it is not recognised.
 */
export function deviceName(userAgent: string): { browser: string; os: string } | null {
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /SamsungBrowser\//.test(ua)
          ? "Samsung Internet"
          : /Chrom(e|ium)\//.test(ua)
            ? "Chrome"
            : /Safari\//.test(ua)
              ? "Safari"
              : "";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad|iPod/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X|Macintosh/.test(ua)
          ? "macOS"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : "";
  return browser && os ? { browser, os } : null;
}

/** A name for a new passkey that says which device holds it ("Chrome auf Android"), else "Passkey". */
export function suggestedPasskeyName(userAgent = typeof navigator === "undefined" ? "" : navigator.userAgent): string {
  const n = deviceName(userAgent);
  return n ? t("sessions.device", n) : t("passkey.defaultName");
}
