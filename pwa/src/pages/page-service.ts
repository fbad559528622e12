import { html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import type { Contact, Service, ServiceAccess } from "../api/types.ts";
import { channelIcon, icon } from "../components/icons.ts";
import "../components/fav-toggle.ts";
import { breadcrumbs, officeAddress, officeContactLinks, openingHoursTable, serviceList } from "../components/parts.ts";
import { checkServiceAccess, stepUpProblem } from "../data/account.ts";
import { ApiError, getService, OfflineError } from "../data/repository.ts";
import { formatDate, formatDays, formatFee, telHref } from "../lib/format.ts";
import { loginHref, navigateTo, orderHref, stepUpHref } from "../lib/router.ts";
import { session } from "../state/session.ts";
import { t } from "../state/store.ts";
import { levelName } from "./account/labels.ts";
import { PageBase } from "./page-base.ts";

/** Where "Online starten" stands: not asked yet, asking, allowed, or why not. */
type Access = { kind: "idle" | "checking" | "offline" | "error" } | { kind: "allowed"; access: ServiceAccess };

/** Whether starting the service online needs a login first (the access check). */
export function needsLogin(s: Pick<Service, "assurance" | "mode" | "channels">): boolean {
  return s.assurance !== "none" && (s.mode !== "counter" || (s.channels ?? []).includes("online"));
}

/** Shifts the headings of server-rendered markdown down one level (h2 → h3), so they nest under the section's h2. */
export function demoteHeadings(htmlText: string): string {
  return htmlText.replace(/<(\/?)h([1-5])(\s|>)/gi, (_m, slash: string, level: string, rest: string) => `<${slash}h${Number(level) + 1}${rest}`);
}

@customElement("page-service")
export class PageService extends PageBase {
  @property() slug = "";
  @state() private service: Service | null = null;
  @state() private access: Access = { kind: "idle" };

  protected loadKey(): string {
    // ?start=1: back from a login or step-up, the start is checked again at once.
    return `${this.slug}|${this.query.get("start") ?? ""}`;
  }

  protected pageTitle(): string {
    return this.service?.title ?? "";
  }

  protected async load(signal: AbortSignal): Promise<void> {
    this.service = await getService(this.language, this.slug, signal);
    this.access = { kind: "idle" };

    if (this.query.get("start") === "1" && needsLogin(this.service)) await this.checkAccess(true);
  }

  /**
   * "Online starten": asks the server whether this session may start the
   * service. Without a session the person logs in, below the service's
   * level they step up; both come back here with ?start=1. auto: that
   * return, where the login or step-up page is replaced in the history
   * (Back then leads to the service, not to a form already done).
   */
  private async checkAccess(auto: boolean): Promise<void> {
    const slug = this.service!.slug;
    const back = `/services/${slug}?start=1`;
    this.access = { kind: "checking" };
    try {
      const access = await checkServiceAccess(slug);
      this.access = { kind: "allowed", access };
      // After a click the focus goes to the answer; on the return from a
      // login or step-up the app focuses the h1, and the answer follows it.
      if (!auto) {
        await this.updateComplete;
        this.querySelector<HTMLElement>("#access-heading")?.focus();
      }
    } catch (e) {
      const problem = stepUpProblem(e);
      if (problem && problem.status === 403) {
        navigateTo(stepUpHref({ level: problem.required_level, methods: problem.methods, maxAge: problem.max_age, next: back }), { replace: auto });
        return;
      }
      if (e instanceof ApiError && e.status === 401) {
        session.set(null);
        navigateTo(loginHref(back), { replace: auto });
        return;
      }
      if (!(e instanceof OfflineError)) console.error(e);
      this.access = { kind: e instanceof OfflineError ? "offline" : "error" };
    }
  }

  private renderStart(s: Service): TemplateResult | typeof nothing {
    if (s.online_form) {
      return html`<p class="cta">
        <a class="button button-primary button-large" href=${orderHref(s.slug)} aria-describedby="online-hint">${t("service.order")}${icon("arrow-right")}</a>
        <span id="online-hint" class="hint">${s.assurance === "none" ? t("service.orderHint") : t("service.orderHintLevel", { level: levelName(s.assurance) })}</span>
      </p>`;
    }
    if (!needsLogin(s)) {
      return s.online_start_url ? this.startLink(s.online_start_url) : nothing;
    }
    const a = this.access;
    if (a.kind === "allowed") {
      return html`<div class="access-box">
        <h2 id="access-heading" tabindex="-1">${icon("shield")}${t("access.allowed")}</h2>
        <p>${t("access.level", { required: levelName(a.access.required_level), level: levelName(a.access.level) })}</p>
        ${s.online_start_url ? this.startLink(s.online_start_url, t("access.continue")) : nothing}
      </div>`;
    }
    return html`<div class="cta cta-check">
      <button class="button button-primary button-large" type="button" aria-describedby="online-hint" @click=${() => void this.checkAccess(false)}>
        ${t("service.online")}${icon("arrow-right")}
      </button>
      <span id="online-hint" class="hint">${t("access.hint", { level: levelName(s.assurance) })}</span>
      <p class="form-status" role="status">
        ${a.kind === "checking" ? html`<span class="spinner" aria-hidden="true"></span>${t("access.checking")}` : nothing}
        ${a.kind === "offline" ? t("access.offline") : nothing}
        ${a.kind === "error" ? t("access.error") : nothing}
      </p>
    </div>`;
  }

  private startLink(url: string, label = t("service.online")): TemplateResult {
    return html`<p class="cta">
      <a class="button button-primary button-large" href=${url} aria-describedby="online-hint">${label}${icon("arrow-right")}</a>
      <span id="online-hint" class="hint">${t("service.onlineHint")}</span>
    </p>`;
  }

  private renderContact(c: Contact): TemplateResult {
    const kind = t(`contact.${c.kind}`);
    let value: TemplateResult;
    switch (c.kind) {
      case "phone":
        value = html`<a href=${telHref(c.value)}>${c.value}</a>`;
        break;
      case "email":
        value = html`<a href="mailto:${c.value}">${c.value}</a>`;
        break;
      case "form":
      case "web":
        value = html`<a href=${c.value}>${c.label || kind}</a>`;
        break;
      default:
        value = html`${c.value}`;
    }
    const iconName = { phone: "phone", email: "mail", form: "form", counter: "counter", web: "web" }[c.kind] ?? "generic";
    const showLabel = c.label && c.kind !== "form" && c.kind !== "web";
    return html`<li>
      ${icon(iconName)}
      <span><span class="contact-kind">${kind}</span> ${value}${showLabel ? html`<br /><span class="note">${c.label}</span>` : nothing}</span>
    </li>`;
  }

  protected renderPage(): TemplateResult {
    const s = this.service!;
    const firstCategory = s.categories?.[0] ?? s.life_situations?.[0];
    const crumbs = [{ href: "/", label: t("nav.home") }];
    if (firstCategory) crumbs.push({ href: `/categories/${firstCategory.slug}`, label: firstCategory.title });
    const fees = s.fees ?? [];
    const times = s.processing_times ?? [];
    const requirements = s.requirements ?? [];
    const legal = s.legal_basis ?? [];
    const contacts = s.contacts ?? [];
    const related = s.related ?? [];
    const allCategories = [...(s.categories ?? []), ...(s.life_situations ?? [])];
    return html`<div class="container">
      ${breadcrumbs([...crumbs, { label: s.title }])}
      <article class="service">
        <header class="service-head">
          <p class="eyebrow">${s.office.name}</p>
          <h1 tabindex="-1">${s.title}</h1>
          <p class="lead">${s.summary}</p>
          <div class="service-tools">
            <ul class="badges" role="list">
              <li class="badge badge-${s.mode}">${channelIcon(s.mode === "counter" ? "counter" : "online")}${t(`mode.${s.mode}`)}</li>
            </ul>
            <fav-toggle variant="text" .service=${{ slug: s.slug, title: s.title, summary: s.summary }}></fav-toggle>
          </div>
          ${this.renderStart(s)}
        </header>

        <section class="section" aria-labelledby="about-heading">
          <h2 id="about-heading">${t("service.about")}</h2>
          <div class="prose">${unsafeHTML(demoteHeadings(s.description_html ?? ""))}</div>
        </section>

        <section class="section" aria-labelledby="how-heading">
          <h2 id="how-heading">${t("service.how")}</h2>
          <p>${t(`mode.${s.mode}.long`)}</p>
          <h3>${t("service.channels")}</h3>
          <ul class="channels" role="list">
            ${(s.channels ?? []).map((ch) => html`<li>${channelIcon(ch)}${t(`channel.${ch}`)}</li>`)}
          </ul>
          ${times.length
            ? html`<h3 id="processing-heading">${t("service.processingTime")}</h3>
                <dl class="processing">
                  ${times.map(
                    (p) => html`<div>
                      <dt>${t(`channel.${p.channel}`)}</dt>
                      <dd>${formatDays(this.language, p.days_min, p.days_max)}${p.note ? html`<span class="note">${p.note}</span>` : nothing}</dd>
                    </div>`,
                  )}
                </dl>`
            : nothing}
        </section>

        <section class="section" aria-labelledby="fees-heading">
          <h2 id="fees-heading">${t("service.fees")}</h2>
          ${fees.length
            ? html`<ul class="fees" role="list">
                ${fees.map(
                  (f) => html`<li>
                    <span class="fee-label">${f.label || t("fee.total")}${f.condition ? html`<span class="note">${f.condition}</span>` : nothing}</span>
                    <span class="fee-amount">${formatFee(this.language, f.amount_rappen)}</span>
                  </li>`,
                )}
              </ul>`
            : html`<p class="fee-amount">${formatFee(this.language, 0)}</p>`}
        </section>

        <section class="section" aria-labelledby="req-heading">
          <h2 id="req-heading">${t("service.requirements")}</h2>
          ${requirements.length
            ? html`<ul class="checklist">${requirements.map((r) => html`<li>${r}</li>`)}</ul>`
            : html`<p>${t("service.noneRequired")}</p>`}
        </section>

        <section class="section" aria-labelledby="assurance-heading">
          <h2 id="assurance-heading">${t("service.assurance")}</h2>
          <p>${t(`assurance.${s.assurance}`)}</p>
        </section>

        <section class="section office-box" aria-labelledby="office-heading">
          <h2 id="office-heading">${t("service.office")}</h2>
          <h3 class="office-name"><a href="/offices/${s.office.slug}">${s.office.name}</a></h3>
          ${officeAddress(s.office)} ${officeContactLinks(s.office)} ${openingHoursTable(s.office, 3)}
        </section>

        ${contacts.length
          ? html`<section class="section" aria-labelledby="contacts-heading">
              <h2 id="contacts-heading">${t("service.contacts")}</h2>
              <ul class="contact-list" role="list">${contacts.map((c) => this.renderContact(c))}</ul>
            </section>`
          : nothing}

        ${legal.length
          ? html`<section class="section" aria-labelledby="legal-heading">
              <h2 id="legal-heading">${t("service.legalBasis")}</h2>
              <ul>${legal.map((l) => html`<li>${l.url ? html`<a href=${l.url}>${l.title}</a>` : l.title}</li>`)}</ul>
            </section>`
          : nothing}

        <section class="section privacy" aria-labelledby="privacy-heading">
          <h2 id="privacy-heading">${t("service.privacy")}</h2>
          <dl>
            <dt>${t("service.privacy.data")}</dt>
            <dd>${s.privacy.data}</dd>
            <dt>${t("service.privacy.purpose")}</dt>
            <dd>${s.privacy.purpose}</dd>
            <dt>${t("service.privacy.retention")}</dt>
            <dd>${s.privacy.retention}</dd>
            <dt>${t("service.privacy.recipients")}</dt>
            <dd>${s.privacy.recipients}</dd>
          </dl>
        </section>

        ${allCategories.length || (s.audiences ?? []).length
          ? html`<section class="section" aria-labelledby="cat-heading">
              <h2 id="cat-heading">${t("service.categories")}</h2>
              <ul class="chips" role="list">
                ${allCategories.map((c) => html`<li><a class="chip" href="/categories/${c.slug}">${icon(c.icon)}${c.title}</a></li>`)}
              </ul>
              ${(s.audiences ?? []).length
                ? html`<h3>${t("service.audiences")}</h3>
                    <ul class="chips" role="list">${(s.audiences ?? []).map((a) => html`<li><span class="chip chip-static">${a.title}</span></li>`)}</ul>`
                : nothing}
            </section>`
          : nothing}

        ${related.length
          ? html`<section class="section" aria-labelledby="related-heading">
              <h2 id="related-heading">${t("service.related")}</h2>
              ${serviceList(related, { idPrefix: "related" })}
            </section>`
          : nothing}

        <p class="reviewed">${icon("clock")}${t("service.lastReviewed", { date: formatDate(this.language, s.last_reviewed) })}</p>
      </article>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-service": PageService;
  }
}
