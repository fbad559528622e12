// The API's types as the app uses them, all taken from the generated schema.
import type { components, paths } from "./schema";

type S = components["schemas"];

export type Problem = S["ErrorModel"];
export type AppConfig = S["ClientConfig"];
export type CityConfig = S["City"];
export type ServiceSummary = S["ServiceSummary"];
export type ServiceList = S["ServiceList"];
export type Service = S["ServiceOut"];
export type Category = S["CategoryOut"];
export type CategoryKind = Category["kind"];
export type Audience = S["AudienceOut"];
export type Office = S["OfficeOut"];
export type OpeningHours = S["OpeningHoursOut"];
export type Weekday = OpeningHours["weekday"];
export type Fee = S["FeeOut"];
export type ProcessingTime = S["ProcessingTimeOut"];
export type Contact = S["ContactOut"];
/** The body of GET /api/v1/catalogue (an inline schema in the spec). */
export type Catalogue = paths["/api/v1/catalogue"]["get"]["responses"][200]["content"]["application/json"];
export type Channel = NonNullable<ServiceSummary["channels"]>[number];
export type Mode = ServiceSummary["mode"];
export type Assurance = ServiceSummary["assurance"];

export interface ServiceQuery {
  category?: string;
  audience?: string;
  office?: string;
  channel?: Channel;
  limit?: number;
  cursor?: string;
}

// Search and favourites.
/** A match in a text: start and length in Unicode code points. */
export type TextRange = S["Range"];
export type SearchHit = S["SearchHit"];
export type SearchResult = S["SearchResult"];
export type Facets = S["Facets"];
export type FacetName = keyof Facets;
export type FacetValue = S["FacetOut"];
export type SearchSuggestion = S["SuggestionOut"];
export type SuggestResult = S["SuggestResult"];
export type SynonymList = S["SynonymList"];
export type Favourite = S["FavouriteOut"];
export type FavouriteList = S["ItemsFavouriteOut"];
/** Parameters of GET /api/v1/search (without lang). */
export type SearchParams = Omit<NonNullable<paths["/api/v1/search"]["get"]["parameters"]["query"]>, "lang">;

// Mein Konto.
export type Me = S["Me"];
export type Role = S["RoleOut"];
export type AuthInfo = S["AuthOut"];
/** An assurance level a session can have (the catalogue's "assurance" minus "none"). */
export type Level = AuthInfo["level"];
export type Device = S["DeviceOut"];
export type TOTPSetup = S["TOTPSetupOut"];
export type RecoveryCodes = S["RecoveryCodes"];
export type ServiceAccess = S["ServiceAccess"];
export type Factors = S["FactorsOut"];
export type ErrorDetail = S["ErrorDetail"];

/**
 * The problem a service or action answers with when the session must prove
 * more (api.StepUpProblem). The spec leaves every member optional (it is an
 * RFC 9457 problem); asStepUp checks these are there before the app uses it.
 */
export type StepUpProblem = S["StepUpProblem"] & Required<Pick<S["StepUpProblem"], "required_level" | "current_level" | "methods">>;

// Passkeys, SMS codes, the state eID.
export type Passkey = S["PasskeyOut"];
export type PasskeyCreationOptions = S["PasskeyCreationOptions"];
export type PasskeyRequestOptions = S["PasskeyRequestOptions"];
export type SMSSent = S["SMSSentOut"];
export type LinkedEID = S["EIDOut"];

// The privacy cockpit: profile, consents, transparency log.
export type Profile = S["Profile"];
export type ProfileOut = S["ProfileOut"];
export type NotifyChannel = NonNullable<Profile["notify_channels"]>[number];
export type Consent = S["ConsentOut"];
export type AccessEntry = S["AccessEntryOut"];
export type AccessLog = S["AccessLogOut"];

// Orders: forms, drafts, cases, documents.
export type FormOut = S["FormOut"];
export type FormSection = S["FormSection"];
export type FormField = S["FormField"];
export type Draft = S["DraftOut"];
export type DraftSummary = S["DraftSummary"];
export type DraftIssue = S["DraftIssue"];
export type Attachment = S["AttachmentOut"];
export type Prefill = S["PrefillOut"];
export type CaseOut = S["CaseOut"];
export type CaseSummary = S["CaseSummary"];
export type CaseEvent = S["CaseEventOut"];
export type CaseStatus = CaseOut["status"];
export type DocumentOut = S["DocumentOut"];
export type BillOut = S["BillOut"];
export type PaymentOut = S["PaymentOut"];
export type CheckoutOut = S["CheckoutOut"];
export type Verification = S["VerificationOut"];
