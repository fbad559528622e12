// What the pages say when the browser's passkey dialog did not end well.
import type { FormError } from "../../components/forms.ts";
import { passkeyFailure } from "../../lib/webauthn.ts";
import { t } from "../../state/store.ts";

/** The browser's WebAuthn error as the form shows it, or null when it is not one. */
export function passkeyErrors(e: unknown): FormError[] | null {
  switch (passkeyFailure(e)) {
    case "cancelled":
      return [{ text: t("passkey.cancelled") }];
    case "exists":
      return [{ text: t("passkey.exists") }];
    case "unsupported":
      return [{ text: t("passkey.unsupported") }];
    case "failed":
      return [{ text: t("passkey.failed") }];
    default:
      return null;
  }
}
