// The profile form's values as the API's profile (PUT /api/v1/me/profile
// replaces the whole profile, so an empty field is left out and removed).
import type { NotifyChannel, Profile } from "../api/types.ts";
import { isLang } from "../i18n/index.ts";

const TEXT_FIELDS = ["given_name", "family_name", "street", "postal_code", "locality", "phone"] as const;

/** The channels in the order the form shows them. */
export const NOTIFY_CHANNELS: readonly NotifyChannel[] = ["email", "sms", "push"];

/** values: the form's fields; channels: the checked notification channels. */
export function profileFromForm(values: Record<string, string>, channels: readonly string[]): Profile {
  const out: Profile = {};
  for (const f of TEXT_FIELDS) {
    const v = (values[f] ?? "").trim();
    if (v) out[f] = v;
  }
  if (/^[A-Z]{2}$/.test(values.country ?? "")) out.country = values.country;
  if (isLang(values.language)) out.language = values.language;
  const picked = NOTIFY_CHANNELS.filter((c) => channels.includes(c));
  if (picked.length) out.notify_channels = picked;
  return out;
}
