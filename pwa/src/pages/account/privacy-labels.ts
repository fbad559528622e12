// How the privacy pages name what the API gives as codes: services and
// offices (by their titles in the catalogue), profile fields, the kinds of
// actor in the transparency log.
import type { AccessEntry } from "../../api/types.ts";
import { getCatalogue } from "../../data/catalogue-store.ts";
import type { Lang, MessageKey } from "../../i18n/index.ts";
import { t } from "../../state/store.ts";

export interface CatalogueNames {
  service(slug: string): string;
  office(slug: string): string;
}

/** Names before the catalogue is read (or without it): the slugs themselves. */
export const SLUG_NAMES: CatalogueNames = { service: (s) => s, office: (o) => o };

/**
 * Titles of services and names of offices from the catalogue of this
 * language (the stored copy, else the network); the slug when unknown or
 * when the catalogue cannot be had (the page still shows everything).
 */
export async function catalogueNames(lang: Lang): Promise<CatalogueNames> {
  const c = await getCatalogue(lang).catch(() => null);
  const services = new Map((c?.services ?? []).map((s) => [s.slug, s.title]));
  const offices = new Map((c?.offices ?? []).map((o) => [o.slug, o.name]));
  return { service: (s) => services.get(s) ?? s, office: (o) => offices.get(o) ?? o };
}

const FIELD_KEYS: Record<string, MessageKey> = {
  given_name: "profile.given_name",
  family_name: "profile.family_name",
  street: "profile.street",
  postal_code: "profile.postal_code",
  locality: "profile.locality",
  country: "profile.country",
  phone: "profile.phone",
  language: "profile.language",
  email: "form.email",
  earlier_cases: "order.prefill.earlierField",
};

/** A profile field's name in the UI's language ("given_name" → "Vorname"). */
export function fieldName(field: string): string {
  const key = FIELD_KEYS[field];
  return key ? t(key) : field;
}

/** Who looked: staff, an office, a connector, a form or the system. */
export function actorKindName(kind: AccessEntry["actor_kind"]): string {
  return t(`transparency.kind.${kind}`);
}
