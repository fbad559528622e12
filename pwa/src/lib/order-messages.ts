// The words for what is wrong with a form field, in the app's language.
import type { FieldIssue, FieldKind } from "./order-form.ts";
import { t } from "../state/store.ts";

/** What to tell the person about an issue, worded for the way the field is entered. */
export function issueText(issue: FieldIssue, kind: FieldKind): string {
  const limit = issue.limit ?? 0;
  switch (issue.kind) {
    case "required":
      if (kind === "radio" || kind === "select") return t("order.error.choose");
      if (kind === "checkbox") return t("order.error.confirm");
      if (kind === "file") return t("order.error.file");
      if (kind === "map") return t("order.error.position");
      return t("order.error.required");
    case "date":
      return t("order.error.date");
    case "email":
      return t("form.email.invalid");
    case "pattern":
      return t("order.error.pattern");
    case "minLength":
      return t("order.error.minLength", { count: limit });
    case "maxLength":
      return t("order.error.maxLength", { count: limit });
    case "minimum":
      return t("order.error.minimum", { limit });
    case "maximum":
      return t("order.error.maximum", { limit });
    case "enum":
      return t("order.error.choose");
    case "integer":
      return t("order.error.integer");
    case "number":
      return t("order.error.number");
    case "minItems":
      return t("order.error.minItems", { count: limit });
    case "maxItems":
      return t("order.error.maxItems", { count: limit });
    case "range":
      return t("order.error.range");
    default:
      return t("order.error.invalid");
  }
}
