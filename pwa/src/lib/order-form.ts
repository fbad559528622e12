// The rules of an order form as the browser applies them, from the same
// definition the server checks against (internal/forms): which fields show
// (show_if), how an input's text becomes the form's JSON, and what is not
// right yet per field, found by validating with the form's JSON Schema
// (draft 2020-12). The validator is @cfworker/json-schema: it interprets
// the schema without generating code, so it runs under the app's
// Content-Security-Policy (script-src 'self', no eval), which Ajv's
// compiled validators would need. Kept free of the DOM so the unit tests
// run it under Node.
import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";
import type { FormField, FormOut, FormSection } from "../api/types.ts";
import type { Lang } from "../i18n/index.ts";

export type FormValues = Record<string, unknown>;

/** How a field is entered. */
export type FieldKind = "text" | "textarea" | "email" | "tel" | "date" | "number" | "radio" | "select" | "checkbox" | "file" | "map";

/** The part of a property's JSON Schema the app reads. */
export interface PropertySchema {
  type?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, PropertySchema>;
}

interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/** The property schema of a top-level field. */
export function propertyOf(form: FormOut, name: string): PropertySchema {
  return (form.schema as ObjectSchema).properties?.[name] ?? {};
}

/** How the field is entered: the UI schema's widget, else what its type suggests. */
export function kindOf(field: FormField, prop: PropertySchema): FieldKind {
  const known: FieldKind[] = ["text", "textarea", "email", "tel", "date", "number", "radio", "select", "checkbox", "file", "map"];
  if (field.widget && (known as string[]).includes(field.widget)) return field.widget as FieldKind;
  if (prop.type === "boolean") return "checkbox";
  if (prop.type === "integer" || prop.type === "number") return "number";
  if (prop.type === "array") return "file";
  if (prop.type === "object") return "map";
  if (prop.enum) return "select";
  if (prop.format === "date") return "date";
  if (prop.format === "email") return "email";
  return "text";
}

/** Whether a field shows with these values (its show_if condition holds). */
export function isVisible(field: FormField, values: FormValues): boolean {
  const cond = field.show_if;
  return !cond || values[cond.field] === cond.equals;
}

/** The sections with the fields that show now; sections left without any are dropped. */
export function visibleSections(form: FormOut, values: FormValues): { section: FormSection; fields: FormField[] }[] {
  return form.ui.sections
    .map((section) => ({ section, fields: section.fields.filter((f) => isVisible(f, values)) }))
    .filter((s) => s.fields.length > 0);
}

/** Every field of the form by name. */
export function fieldsByName(form: FormOut): Map<string, FormField> {
  return new Map(form.ui.sections.flatMap((s) => s.fields.map((f) => [f.name, f] as const)));
}

/**
 * What is sent: the values of fields that show, without empty ones, so a
 * hidden answer (say, previous addresses after switching back to "yes")
 * is neither stored nor submitted.
 */
export function cleanValues(form: FormOut, values: FormValues): FormValues {
  const out: FormValues = {};
  for (const section of form.ui.sections) {
    for (const field of section.fields) {
      const v = values[field.name];
      if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
      if (!isVisible(field, values)) continue;
      out[field.name] = v;
    }
  }
  return out;
}

/**
 * The fields that must be answered when they show: the schema's required
 * names, and those of its conditional parts (if/then, allOf), which the
 * UI schema shows only when their condition holds.
 */
export function requiredFields(form: FormOut): Set<string> {
  const out = new Set<string>();
  const visit = (s: unknown): void => {
    if (!s || typeof s !== "object") return;
    const o = s as { required?: unknown; then?: unknown; else?: unknown; allOf?: unknown };
    if (Array.isArray(o.required)) for (const r of o.required) if (typeof r === "string") out.add(r);
    visit(o.then);
    visit(o.else);
    if (Array.isArray(o.allOf)) o.allOf.forEach(visit);
  };
  visit(form.schema);
  return out;
}

/** The JSON value of an input's text: a number for number fields (the text itself when it is none, so the schema says so). */
export function parseInput(prop: PropertySchema, raw: string): unknown {
  const text = raw.trim();
  if (text === "") return undefined;
  if (prop.type === "integer" || prop.type === "number") {
    const n = Number(text.replace(/[’'\s]/g, "").replace(",", "."));
    return Number.isFinite(n) ? n : text;
  }
  return raw;
}

/** What is wrong with one field, as the messages name it. */
export interface FieldIssue {
  kind: "required" | "pattern" | "date" | "email" | "minLength" | "maxLength" | "minimum" | "maximum" | "enum" | "number" | "integer" | "minItems" | "maxItems" | "range" | "invalid";
  /** The schema's limit for length, value and count issues. */
  limit?: number;
}

const validators = new WeakMap<object, Validator>();

function validatorFor(form: FormOut): Validator {
  const schema = form.schema as object;
  let v = validators.get(schema);
  if (!v) {
    v = new Validator(schema as Schema, "2020-12", false);
    validators.set(schema, v);
  }
  return v;
}

// Units that only say a part below them failed; the part's own unit follows.
const WRAPPERS = new Set(["properties", "items", "prefixItems", "if", "then", "else", "allOf", "anyOf", "oneOf", "$ref", "dependentSchemas", "additionalProperties", "false"]);

function issueOf(unit: OutputUnit, prop: PropertySchema, nested: string | undefined): FieldIssue {
  const inner = nested ? (prop.properties?.[nested] ?? {}) : prop;
  switch (unit.keyword) {
    case "required":
      return { kind: "required" };
    case "format":
      return { kind: inner.format === "email" ? "email" : inner.format === "date" ? "date" : "invalid" };
    case "pattern":
      return { kind: "pattern" };
    case "minLength":
      return { kind: "minLength", limit: inner.minLength };
    case "maxLength":
      return { kind: "maxLength", limit: inner.maxLength };
    case "minimum":
    case "maximum":
      // A map position outside the city's bounds.
      if (nested) return { kind: "range" };
      return { kind: unit.keyword, limit: inner[unit.keyword] };
    case "enum":
    case "const":
      return { kind: "enum" };
    case "type":
      return { kind: inner.type === "integer" ? "integer" : inner.type === "number" ? "number" : "invalid" };
    case "minItems":
      return { kind: "minItems", limit: prop.minItems };
    case "maxItems":
      return { kind: "maxItems", limit: prop.maxItems };
    default:
      return { kind: "invalid" };
  }
}

/**
 * What is not right yet, per top-level field, the first issue of each.
 * complete: as a submission checks (missing answers count); else as a
 * draft is checked (only what was entered, like the server's drafts).
 */
export function fieldIssues(form: FormOut, values: FormValues, complete: boolean): Map<string, FieldIssue> {
  const out = new Map<string, FieldIssue>();
  const result = validatorFor(form).validate(cleanValues(form, values));
  if (result.valid) return out;
  const fields = fieldsByName(form);
  for (const unit of result.errors) {
    if (WRAPPERS.has(unit.keyword)) continue;
    const path = unit.instanceLocation.replace(/^#\/?/, "").split("/").filter(Boolean);
    let name = path[0];
    let nested = path[1];
    if (unit.keyword === "required") {
      // "Instance does not have required property "x"." at the object that misses it.
      const missing = /required property "([^"]+)"/.exec(unit.error)?.[1];
      if (!missing) continue;
      if (name) nested = missing;
      else name = missing;
      if (!complete && !nested) continue;
    }
    if (!name || out.has(name) || !fields.has(name)) continue;
    out.set(name, issueOf(unit, propertyOf(form, name), nested && !/^\d+$/.test(nested) ? nested : undefined));
  }
  return out;
}

/** The field a server location such as "body.data.microchip_number" or "body.data.photos[0]" names, or null. */
export function fieldOfLocation(location: string): string | null {
  const m = /^body\.data\.([A-Za-z0-9_]+)/.exec(location);
  return m ? m[1]! : null;
}

/** The text of a localized map in a language, else German, else any. */
export function inLang(texts: Record<string, string> | undefined, lang: Lang): string {
  if (!texts) return "";
  return texts[lang] ?? texts["de"] ?? Object.values(texts)[0] ?? "";
}

/** The choices of an enum field in the schema's order, with their labels. */
export function choicesOf(field: FormField, prop: PropertySchema, lang: Lang): { value: string; label: string }[] {
  return (prop.enum ?? []).map((v) => String(v)).map((value) => ({ value, label: inLang(field.options?.[value], lang) || value }));
}

/** The section a draft resumes at: the one it names, if it still shows. */
export function resumeSection(form: FormOut, values: FormValues, section: string | undefined): string | null {
  return section && visibleSections(form, values).some((s) => s.section.id === section) ? section : null;
}

/** Two versions of a draft side by side: the fields whose values differ, in form order. */
export function differences(form: FormOut, mine: FormValues, theirs: FormValues): FormField[] {
  const a = cleanValues(form, mine);
  const b = cleanValues(form, theirs);
  return form.ui.sections.flatMap((s) => s.fields).filter((f) => JSON.stringify(a[f.name]) !== JSON.stringify(b[f.name]));
}
