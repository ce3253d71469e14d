//! The settings page: profile, password, phone and API tokens.

use leptos::prelude::*;

use super::api::{
    ChangePassword, CreateToken, RevokeToken, SaveProfile, SettingsView, load_settings,
};
use crate::money::CURRENCIES;
use crate::page_data::page_data;
use crate::phones::views::{PhoneActions, PhoneCard};
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, EmptyState, Field, FieldMessage, FormError,
    INPUT_CLASS, PageHeader, action_error, field_error, refused_input,
};

pub fn settings_page() -> impl IntoView {
    let profile = ServerAction::<SaveProfile>::new();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let phone = PhoneActions::new();
    let data = page_data(
        move || {
            (
                profile.version().get(),
                create.version().get(),
                revoke.version().get(),
                phone.version(),
            )
        },
        |_| load_settings(),
    );
    view! {
        <PageHeader title="Settings"/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <SettingsBody view=view profile=profile create=create revoke=revoke phone=phone/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsBody(
    view: SettingsView,
    profile: ServerAction<SaveProfile>,
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
    phone: PhoneActions,
) -> impl IntoView {
    let SettingsView {
        user,
        timezones,
        tokens,
        phone_pending,
    } = view;
    let verified_phone = user.phone.clone();
    let profile_error = action_error(profile);
    let saved = move || matches!(profile.value().get(), Some(Ok(())));
    let sent = refused_input::<SaveProfile>(None);
    let currency = sent.value("currency", user.currency.clone());
    view! {
        <div class="grid gap-4 lg:grid-cols-2">
            <Card title="Profile">
                <ActionForm action=profile attr:class="space-y-2" attr:aria-label="Profile">
                    <Field label="Name" name="name" value=Signal::stored(sent.value("name", user.name.clone())) error=field_error(profile_error, "name") autocomplete="name"/>
                    <div>
                        <label for="field-timezone" class="block text-sm font-medium">"Timezone"</label>
                        <input id="field-timezone" name="timezone" list="timezones" value=sent.value("timezone", user.timezone.clone()) class=INPUT_CLASS
                            required aria-describedby="field-timezone-error" autocomplete="off"/>
                        <datalist id="timezones">
                            {timezones.into_iter().map(|tz| view! { <option value=tz></option> }).collect_view()}
                        </datalist>
                        <FieldMessage id="field-timezone-error".into() error=field_error(profile_error, "timezone")/>
                    </div>
                    <div>
                        <label for="field-currency" class="block text-sm font-medium">"Currency"</label>
                        <select id="field-currency" name="currency" class=INPUT_CLASS>
                            {CURRENCIES.iter().map(|c| view! { <option value=*c selected=*c == currency>{*c}</option> }).collect_view()}
                        </select>
                        <FieldMessage id="field-currency-error".into() error=field_error(profile_error, "currency")/>
                    </div>
                    <Field label="Default meeting length (minutes)" name="default_meeting_minutes" kind="number"
                        value=Signal::stored(sent.value("default_meeting_minutes", user.default_meeting_minutes.to_string()))
                        error=field_error(profile_error, "default_meeting_minutes")/>
                    <Field label="Text reminders before events (like “1 day, 1 hour”, or “none”)" name="reminders"
                        value=Signal::stored(sent.value("reminders", crate::reminders::offsets::describe(&user.reminder_minutes)))
                        error=field_error(profile_error, "reminders")/>
                    <FormError error=profile_error/>
                    <div class="flex items-center justify-end gap-3">
                        <span role="status" class="text-sm text-emerald-700 dark:text-emerald-400">{move || saved().then_some("Saved.")}</span>
                        <button type="submit" class=BUTTON_CLASS>"Save profile"</button>
                    </div>
                </ActionForm>
            </Card>
            <PasswordCard/>
            <PhoneCard phone=verified_phone pending=phone_pending actions=phone/>
            <Card title="API tokens">
                <TokenSection tokens=tokens create=create revoke=revoke/>
            </Card>
            <crate::feeds::views::FeedCard/>
            <crate::google::views::GoogleCard/>
        </div>
    }
}

#[component]
fn PasswordCard() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    let done = move || {
        action.value().get().and_then(Result::ok).map(|c| {
            let mut said = "Password changed.".to_owned();
            if c.sessions_ended > 0 {
                said.push_str(&format!(" Signed out elsewhere: {}.", c.sessions_ended));
            }
            if c.tokens_revoked > 0 {
                said.push_str(&format!(" API tokens revoked: {}.", c.tokens_revoked));
            }
            said
        })
    };
    view! {
        <Card title="Password">
            <ActionForm action=action attr:class="space-y-2" attr:aria-label="Change password">
                <Field label="Current password" name="current_password" kind="password" required=true autocomplete="current-password" error=field_error(error, "current_password")/>
                <Field label="New password (at least 10 characters)" name="new_password" kind="password" required=true autocomplete="new-password" error=field_error(error, "new_password")/>
                <p class="text-sm text-slate-600 dark:text-slate-400">"Every other browser and device signed in to your account is signed out."</p>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="revoke_tokens"/>
                    "Also revoke every API token"
                </label>
                <FormError error=error/>
                <div class="flex items-center justify-end gap-3">
                    <span role="status" class="text-sm text-emerald-700 dark:text-emerald-400">{done}</span>
                    <button type="submit" class=BUTTON_CLASS>"Change password"</button>
                </div>
            </ActionForm>
        </Card>
    }
}

#[component]
fn TokenSection(
    tokens: Vec<crate::auth::model::ApiToken>,
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let secret = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|t| t.secret.expose().to_owned())
    };
    view! {
        <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">
            "Tokens let other programs use the REST API as you: send " <code>"Authorization: Bearer <token>"</code> "."
        </p>
        <ActionForm action=create attr:class="flex flex-wrap items-start gap-2" attr:aria-label="Create a token">
            <div class="flex-1">
                <label for="token-name" class="sr-only">"Token name"</label>
                <input id="token-name" name="name" placeholder="Token name, e.g. phone shortcut" class=INPUT_CLASS required/>
                <FieldMessage id="token-name-error".into() error=field_error(error, "name")/>
            </div>
            <button type="submit" class=format!("{BUTTON_CLASS} mt-1")>"Create token"</button>
        </ActionForm>
        {move || secret().map(|s| view! {
            <div role="status" class="mb-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
                <p class="font-medium">"Copy this token now; it will not be shown again:"</p>
                <code class="mt-1 block break-all" data-testid="new-token">{s}</code>
            </div>
        })}
        {if tokens.is_empty() {
            view! { <EmptyState message="No tokens yet."/> }.into_any()
        } else {
            view! {
                <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label="API tokens">
                    {tokens.into_iter().map(|t| {
                        let label = format!("Revoke {}", t.name);
                        view! {
                            <li class="flex items-center gap-3 py-2 text-sm">
                                <span class="flex-1 font-medium">{t.name.clone()}</span>
                                <span class="text-slate-500">{format!("created {}", t.created_at.format("%Y-%m-%d"))}</span>
                                <span class="text-slate-500">{t.last_used_at.map(|u| format!("last used {}", u.format("%Y-%m-%d"))).unwrap_or_else(|| "never used".into())}</span>
                                <span class="text-slate-500">{t.expires_at.map(|e| format!("expires {}", e.format("%Y-%m-%d"))).unwrap_or_else(|| "no expiry".into())}</span>
                                <ActionForm action=revoke>
                                    <input type="hidden" name="id" value=t.id/>
                                    <button type="submit" class=DANGER_BUTTON_CLASS aria-label=label>"Revoke"</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
