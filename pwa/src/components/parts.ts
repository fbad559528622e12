// Shared pieces of markup: service lists, category tiles, breadcrumbs and office details.
import { html, nothing, type TemplateResult } from "lit";
import type { Category, Office, ServiceSummary } from "../api/types.ts";
import { openingHoursByDay, osmHref, telHref } from "../lib/format.ts";
import { store, t } from "../state/store.ts";
import { highlighted } from "../search/render.ts";
import type { Range } from "../search/highlight.ts";
import { channelIcon, icon } from "./icons.ts";
import "./fav-toggle.ts";

type ServiceLike = Pick<ServiceSummary, "slug" | "title" | "summary"> & Partial<Pick<ServiceSummary, "mode" | "channels" | "office">>;

export interface CardOptions {
  /** Heading level of each card title. */
  level?: 2 | 3;
  /** Show the favourite star (needs unique title ids: idPrefix). */
  star?: boolean;
  /** Prefix of the title ids, unique per list on a page. */
  idPrefix?: string;
  /** Matches to mark in the title and summary (search results). */
  highlights?: (s: ServiceLike) => { title?: readonly Range[] | null; summary?: readonly Range[] | null } | undefined;
}

/** A list of service cards. */
export function serviceList(services: readonly ServiceLike[], options: CardOptions | 2 | 3 = {}, cls = "cards"): TemplateResult {
  const opts = typeof options === "number" ? { level: options } : options;
  return html`<ul class=${cls} role="list">
    ${services.map((s) => serviceCard(s, opts))}
  </ul>`;
}

export function serviceCard(s: ServiceLike, options: CardOptions | 2 | 3 = {}): TemplateResult {
  const { level = 3, star = true, idPrefix = "card", highlights } = typeof options === "number" ? { level: options } : options;
  const marks = highlights?.(s);
  const titleId = `${idPrefix}-${s.slug}`;
  const title = html`<a class="card-link" href="/services/${s.slug}" id=${titleId}>${highlighted(s.title, marks?.title)}</a>`;
  return html`<li class="card ${star ? "card-with-star" : ""}">
    ${level === 2 ? html`<h2 class="card-title">${title}</h2>` : html`<h3 class="card-title">${title}</h3>`}
    ${star ? html`<fav-toggle class="card-star" .service=${{ slug: s.slug, title: s.title, summary: s.summary }} described-by=${titleId}></fav-toggle>` : nothing}
    <p class="card-summary">${highlighted(s.summary, marks?.summary)}</p>
    ${s.mode || s.office
      ? html`<p class="card-meta">
          ${s.mode ? html`<span class="badge badge-${s.mode}">${channelIcon(s.mode === "counter" ? "counter" : "online")}${t(`mode.${s.mode}`)}</span>` : nothing}
          ${s.office ? html`<span class="card-office">${s.office.name}</span>` : nothing}
        </p>`
      : nothing}
  </li>`;
}

export function categoryTiles(categories: readonly Category[], cls = "tiles"): TemplateResult {
  return html`<ul class=${cls} role="list">
    ${categories.map(
      (c) => html`<li class="tile">
        <a href="/categories/${c.slug}">
          <span class="tile-icon">${icon(c.icon)}</span>
          <span class="tile-title">${c.title}</span>
          <span class="tile-count">${t("category.services", { count: c.service_count })}</span>
        </a>
      </li>`,
    )}
  </ul>`;
}

export interface Crumb {
  href?: string;
  label: string;
}

export function breadcrumbs(crumbs: readonly Crumb[]): TemplateResult {
  return html`<nav class="breadcrumbs" aria-label=${t("breadcrumb.label")}>
    <ol>
      ${crumbs.map((c) =>
        c.href ? html`<li><a href=${c.href}>${c.label}</a></li>` : html`<li><span aria-current="page">${c.label}</span></li>`,
      )}
    </ol>
  </nav>`;
}

export function officeAddress(office: Office): TemplateResult {
  const a = office.address;
  return html`<address class="office-address">
    <span class="sr-only">${t("office.address")}: </span>
    ${office.name}<br />
    ${a.building ? html`${a.building}<br />` : nothing}
    ${a.street}<br />
    ${a.postal_code} ${a.city}
  </address>`;
}

export function officeContactLinks(office: Office): TemplateResult {
  return html`<ul class="contact-list" role="list">
    ${office.phone
      ? html`<li>${icon("phone")}<span><span class="contact-kind">${t("office.phone")}</span> <a href=${telHref(office.phone)}>${office.phone}</a></span></li>`
      : nothing}
    ${office.email
      ? html`<li>${icon("mail")}<span><span class="contact-kind">${t("office.email")}</span> <a href="mailto:${office.email}">${office.email}</a></span></li>`
      : nothing}
    ${office.contact_form_url
      ? html`<li>${icon("form")}<a href=${office.contact_form_url}>${t("office.contactForm", { name: office.name })}</a></li>`
      : nothing}
    ${office.website ? html`<li>${icon("web")}<a href=${office.website}>${t("office.website", { name: office.name })}</a></li>` : nothing}
    ${office.location
      ? html`<li>${icon("map-pin")}<a href=${osmHref(office.location.lat, office.location.lon)}>${t("office.map", { name: office.name })}</a></li>`
      : nothing}
  </ul>`;
}

export function openingHoursTable(office: Office, headingLevel: 2 | 3 = 3): TemplateResult {
  const days = openingHoursByDay(office.opening_hours ?? []);
  const heading = t("hours.title");
  return html`
    ${headingLevel === 2 ? html`<h2>${heading}</h2>` : html`<h3>${heading}</h3>`}
    <table class="hours">
      <caption class="sr-only">${heading}: ${office.name}</caption>
      <thead>
        <tr>
          <th scope="col">${t("hours.day")}</th>
          <th scope="col">${t("hours.time")}</th>
        </tr>
      </thead>
      <tbody>
        ${days.map(
          (d) => html`<tr class=${d.ranges.length ? "" : "closed"}>
            <th scope="row">${t(`weekday.${d.weekday}`)}</th>
            <td>
              ${d.ranges.length
                ? d.ranges.map(
                    (r, i) => html`${i > 0 ? html`<br />` : nothing}${t("hours.range", { opens: r.opens, closes: r.closes })}`,
                  )
                : t("hours.closed")}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${office.opening_hours_note ? html`<p class="note">${office.opening_hours_note}</p>` : nothing}
  `;
}

/** Sets <title>: "<page> – Schalter <city>". */
export function documentTitle(page: string): string {
  return t("app.docTitle", { page, city: store.config.city.short_name });
}
