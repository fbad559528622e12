// Orders: forms, drafts, attachments, cases and documents, through the typed
// client. Like Mein Konto these need the network (nothing personal is kept
// on the device): a network failure is an OfflineError, any other answer
// than 2xx an ApiError with its problem. Forms are public and versioned;
// the service worker may answer them from its cache.
import { api } from "../api/client.ts";
import type { Attachment, BillOut, CaseOut, CaseSummary, CheckoutOut, Consent, DocumentOut, PaymentOut, Draft, DraftSummary, FormOut, Prefill, Problem, Verification } from "../api/types.ts";
import { ApiError, NotFoundError } from "./repository.ts";
import { call, init } from "./account.ts";

/** call, with the given answer statuses as a NotFoundError (gone, another person's, a malformed id). */
async function found<T>(request: Parameters<typeof call<T>>[0], statuses: readonly number[] = [404]): Promise<T> {
  try {
    return await call(request);
  } catch (e) {
    if (e instanceof ApiError && statuses.includes(e.status)) throw new NotFoundError();
    throw e;
  }
}

/** The order form of a service (version: the draft's form_version), or null when it cannot be ordered online. */
export async function getForm(slug: string, version?: number, signal?: AbortSignal): Promise<FormOut | null> {
  try {
    return await call(() =>
      api.GET("/api/v1/services/{slug}/form", { credentials: init.credentials, signal, params: { path: { slug }, query: version ? { version } : {} } }),
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export interface DraftFields {
  data: Record<string, unknown>;
  section?: string;
}

/** Starts a draft on the first change (the key makes a retry after a lost answer create it once). */
export function createDraft(service: string, fields: DraftFields, key: string): Promise<Draft> {
  return call(() => api.POST("/api/v1/drafts", { ...init, headers: { "Idempotency-Key": key }, body: { service, ...fields } }));
}

export function getDraft(id: string, signal?: AbortSignal): Promise<Draft> {
  return found(() => api.GET("/api/v1/drafts/{id}", { ...init, signal, params: { path: { id } } }));
}

/** A save from an older revision: the draft as another device or tab saved it meanwhile. */
export class DraftConflict extends Error {
  constructor(readonly current: Draft) {
    super("the draft was saved elsewhere meanwhile");
    this.name = "DraftConflict";
  }
}

/** Saves over revision (If-Match); a DraftConflict when the draft changed meanwhile. */
export async function saveDraft(id: string, revision: number, fields: DraftFields): Promise<Draft> {
  try {
    return await call(() => api.PATCH("/api/v1/drafts/{id}", { ...init, params: { path: { id }, header: { "If-Match": `"${revision}"` } }, body: fields }));
  } catch (e) {
    const current = e instanceof ApiError && e.status === 412 ? (e.problem as (Problem & { current?: Draft }) | undefined)?.current : undefined;
    if (current) throw new DraftConflict(current);
    throw e;
  }
}

export async function deleteDraft(id: string): Promise<void> {
  await call(() => api.DELETE("/api/v1/drafts/{id}", { ...init, params: { path: { id } } }));
}

export async function listDrafts(signal?: AbortSignal): Promise<DraftSummary[]> {
  return (await call(() => api.GET("/api/v1/drafts", { ...init, signal }))).items ?? [];
}

/** Mails a link that resumes a guest's draft in any browser. */
export async function mailDraftLink(id: string, email: string): Promise<void> {
  await call(() => api.POST("/api/v1/drafts/{id}/continue-later", { ...init, params: { path: { id } }, body: { email } }));
}

/** Spends a continue-later token: the draft now belongs to this browser or account. */
export function resumeDraft(token: string): Promise<Draft> {
  return call(() => api.POST("/api/v1/drafts/resume", { ...init, body: { token } }));
}

/** Uploads a file for a form's file field. */
export function uploadAttachment(file: File): Promise<Attachment> {
  return call(() =>
    api.POST("/api/v1/attachments", {
      ...init,
      params: { query: { filename: file.name.slice(0, 255) } },
      // The body is the file itself; its type is checked by content on the server.
      body: file as unknown as string,
      bodySerializer: (b: unknown) => b as BodyInit,
      headers: { "Content-Type": file.type || "application/octet-stream" },
    }),
  );
}

/** The profile fields a service's form may fill in (written to the transparency log). */
export function prefill(slug: string): Promise<Prefill> {
  return call(() => api.GET("/api/v1/me/services/{slug}/prefill", { ...init, params: { path: { slug } } }));
}

/** Agrees that the service's forms may read these profile fields. */
export function grantConsent(slug: string, fields: string[]): Promise<Consent> {
  return call(() => api.PUT("/api/v1/me/consents/{slug}", { ...init, params: { path: { slug } }, body: { fields } }));
}

/** Submits a draft; a step-up problem (ApiError 403) when the session's level is too low. */
export function submitCase(draft: string, notify: string[], key: string): Promise<CaseOut> {
  return call(() => api.POST("/api/v1/me/cases", { ...init, headers: { "Idempotency-Key": key }, body: { draft, notify } }));
}

export async function listCases(signal?: AbortSignal): Promise<CaseSummary[]> {
  return (await call(() => api.GET("/api/v1/me/cases", { ...init, signal }))).items ?? [];
}

export function getCase(number: string, signal?: AbortSignal): Promise<CaseOut> {
  return found(() => api.GET("/api/v1/me/cases/{number}", { ...init, signal, params: { path: { number } } }), [404, 422]);
}

export function withdrawCase(number: string): Promise<CaseOut> {
  return call(() => api.POST("/api/v1/me/cases/{number}/withdraw", { ...init, params: { path: { number } }, body: {} }));
}

/** The bill of a case, or null for a free case (404: no bill). */
export async function getBill(number: string, signal?: AbortSignal): Promise<BillOut | null> {
  try {
    return await call(() => api.GET("/api/v1/me/cases/{number}/bill", { ...init, signal, params: { path: { number } } }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** Starts (or resumes) paying what is open with a provider: where to send the browser. */
export function startCheckout(number: string, provider: string): Promise<CheckoutOut> {
  return call(() => api.POST("/api/v1/me/cases/{number}/checkout", { ...init, params: { path: { number } }, body: { provider } }));
}

export async function listPayments(signal?: AbortSignal): Promise<PaymentOut[]> {
  return (await call(() => api.GET("/api/v1/me/payments", { ...init, signal }))).items ?? [];
}

export async function listDocuments(signal?: AbortSignal): Promise<DocumentOut[]> {
  return (await call(() => api.GET("/api/v1/me/documents", { ...init, signal }))).items ?? [];
}

/** The public verification of a document (nothing personal). */
export function verifyDocument(id: string, signal?: AbortSignal): Promise<Verification> {
  return found(() => api.GET("/api/v1/documents/{id}/verification", { ...init, signal, params: { path: { id } } }), [404, 422]);
}

/** Checks a file someone was handed against the document (file_matches). */
export function verifyDocumentFile(id: string, file: File): Promise<Verification> {
  return call(() =>
    api.POST("/api/v1/documents/{id}/verification", {
      ...init,
      params: { path: { id } },
      body: file as unknown as string,
      bodySerializer: (b: unknown) => b as BodyInit,
      headers: { "Content-Type": "application/pdf" },
    }),
  );
}
