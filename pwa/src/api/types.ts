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
