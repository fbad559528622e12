// The profile: what the person chooses to give, every field optional.
// Forms of services prefill from it only after the person agreed for that
// service (the consents page lists those agreements). Saving replaces the
// whole profile, so an emptied field is removed; the server's field errors
// (phone number, postal code, country) appear at their fields.
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { ProfileOut } from "../../api/types.ts";
import { checkboxGroup, errorSummary, formList, formValues, selectField, textField } from "../../components/forms.ts";
import { icon } from "../../components/icons.ts";
import { breadcrumbs } from "../../components/parts.ts";
import { getProfile, saveProfile } from "../../data/account.ts";
import { LANG_NAMES, LANGS } from "../../i18n/index.ts";
import { announce } from "../../lib/announce.ts";
import { countryOptions } from "../../lib/countries.ts";
import { NOTIFY_CHANNELS, profileFromForm } from "../../lib/profile.ts";
import { formatDateTime } from "../../lib/format.ts";
import { ACCOUNT_PATHS } from "../../lib/router.ts";
import { store, t } from "../../state/store.ts";
import { AccountPage } from "./account-page.ts";

const FIELDS = ["given_name", "family_name", "street", "postal_code", "locality", "phone", "country", "language", "notify_channels"];

@customElement("page-profile")
export class PageProfile extends AccountPage {
  protected override requiresLogin = true;
  @state() private profile: ProfileOut = {};
  @state() private saved = false;

  protected pageTitle(): string {
    return t("profile.title");
  }

  protected override async load(signal: AbortSignal): Promise<void> {
    this.profile = await getProfile(signal);
  }

  private async onSubmit(event: Event): Promise<void> {
    const profile = profileFromForm(formValues(event), formList(event, "notify_channels"));
    this.saved = false;
    const ok = await this.step(t("profile.busy"), FIELDS, async () => {
      this.profile = await saveProfile(profile);
    });
    if (!ok) return;
    this.saved = true;
    announce(t("profile.saved"));
    await this.updateComplete;
    this.querySelector<HTMLElement>("#profile-saved")?.focus();
  }

  protected renderPage(): TemplateResult {
    const p = this.profile;
    const e = this.errors;
    const lang = store.lang;
    return html`
      ${breadcrumbs([{ href: ACCOUNT_PATHS.overview, label: t("account.title") }, { label: t("profile.title") }])}
      <h1 tabindex="-1">${t("profile.title")}</h1>
      <p class="lead">${t("profile.intro")}</p>
      <p>${t("profile.consentNote")} <a href=${ACCOUNT_PATHS.consents}>${t("consents.title")}</a></p>
      ${this.saved
        ? html`<p id="profile-saved" class="note-box success-note" tabindex="-1">${icon("shield")}<span>${t("profile.saved")}</span></p>`
        : nothing}
      ${errorSummary(e)}
      <form class="account-form profile-form" novalidate @submit=${(ev: Event) => void this.onSubmit(ev)}>
        <fieldset class="form-group">
          <legend>${t("profile.name")}</legend>
          ${textField({ field: "given_name", label: t("profile.given_name"), autocomplete: "given-name", autocapitalize: "words", maxlength: 100, value: p.given_name, errors: e })}
          ${textField({ field: "family_name", label: t("profile.family_name"), autocomplete: "family-name", autocapitalize: "words", maxlength: 100, value: p.family_name, errors: e })}
        </fieldset>
        <fieldset class="form-group">
          <legend>${t("profile.address")}</legend>
          ${textField({ field: "street", label: t("profile.street"), autocomplete: "street-address", autocapitalize: "words", maxlength: 200, value: p.street, errors: e })}
          ${textField({ field: "postal_code", label: t("profile.postal_code"), hint: t("profile.postalHint"), autocomplete: "postal-code", inputmode: "numeric", maxlength: 20, value: p.postal_code, errors: e })}
          ${textField({ field: "locality", label: t("profile.locality"), autocomplete: "address-level2", autocapitalize: "words", maxlength: 100, value: p.locality, errors: e })}
          ${selectField({
            field: "country",
            label: t("profile.country"),
            autocomplete: "country",
            value: p.country ?? "",
            options: [{ value: "", label: t("profile.notGiven") }, ...countryOptions(lang)],
            errors: e,
          })}
        </fieldset>
        <fieldset class="form-group">
          <legend>${t("profile.contact")}</legend>
          ${textField({ field: "phone", label: t("profile.phone"), hint: t("profile.phoneHint"), type: "tel", autocomplete: "tel", inputmode: "tel", maxlength: 30, value: p.phone, errors: e })}
          ${selectField({
            field: "language",
            label: t("profile.language"),
            hint: t("profile.languageHint"),
            value: p.language ?? "",
            options: [{ value: "", label: t("profile.notGiven") }, ...LANGS.map((l) => ({ value: l, label: LANG_NAMES[l], lang: l }))],
            errors: e,
          })}
          ${checkboxGroup({
            field: "notify_channels",
            legend: t("profile.channels"),
            hint: t("profile.channelsHint"),
            options: NOTIFY_CHANNELS.map((c) => ({ value: c, label: t(`profile.channel.${c}`) })),
            checked: p.notify_channels ?? [],
            errors: e,
          })}
        </fieldset>
        <p><button class="button button-primary" type="submit">${t("profile.save")}</button></p>
        ${this.renderBusy()}
      </form>
      ${p.updated_at ? html`<p class="note">${t("profile.updated", { date: formatDateTime(lang, p.updated_at) })}</p>` : nothing}
      <p><a href=${ACCOUNT_PATHS.overview}>${t("account.back")}</a></p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "page-profile": PageProfile;
  }
}
