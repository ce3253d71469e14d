//! The phone section of Settings, and signing in with a texted code.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{AddPhone, RemovePhone, SendSignInCode, SignInWithCode, VerifyPhone};
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, Field, FormError, action_error, field_error,
};

/// The actions of the phone section (the settings page reloads after each).
#[derive(Clone, Copy)]
pub struct PhoneActions {
    pub add: ServerAction<AddPhone>,
    pub verify: ServerAction<VerifyPhone>,
    pub remove: ServerAction<RemovePhone>,
}

impl PhoneActions {
    pub fn new() -> Self {
        Self {
            add: ServerAction::new(),
            verify: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }

    /// Changes whenever one of them completes.
    pub fn version(&self) -> (usize, usize, usize) {
        (
            self.add.version().get(),
            self.verify.version().get(),
            self.remove.version().get(),
        )
    }
}

impl Default for PhoneActions {
    fn default() -> Self {
        Self::new()
    }
}

/// `phone`: the verified number; `pending`: a number a code was texted to, not yet entered.
#[component]
pub fn PhoneCard(
    phone: Option<String>,
    pending: Option<String>,
    actions: PhoneActions,
) -> impl IntoView {
    let add_error = action_error(actions.add);
    let verify_error = action_error(actions.verify);
    view! {
        <Card title="Phone">
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">
                "Text Aida from your verified phone (\u{201c}lunch w/ Sam tmrw 1pm\u{201d}), and get reminders by text."
            </p>
            {phone.map(|p| view! {
                <div class="mb-3 flex items-center gap-3 text-sm">
                    <span class="flex-1"><span class="font-medium" data-testid="verified-phone">{p}</span>" \u{2713} verified"</span>
                    <ActionForm action=actions.remove>
                        <button type="submit" class=DANGER_BUTTON_CLASS>"Remove"</button>
                    </ActionForm>
                </div>
            })}
            {match pending {
                Some(to) => view! {
                    <ActionForm action=actions.verify attr:class="space-y-2" attr:aria-label="Verify phone">
                        <p role="status" class="text-sm">{format!("We texted a 6-digit code to {to}. It expires in 10 minutes.")}</p>
                        <Field label="Code" name="code" required=true autocomplete="one-time-code" error=field_error(verify_error, "code")/>
                        <FormError error=verify_error/>
                        <div class="flex justify-end"><button type="submit" class=BUTTON_CLASS>"Verify"</button></div>
                    </ActionForm>
                }.into_any(),
                None => view! {
                    <ActionForm action=actions.add attr:class="space-y-2" attr:aria-label="Add phone">
                        <Field label="Mobile number" name="phone" kind="tel" required=true autocomplete="tel" error=field_error(add_error, "phone")/>
                        <FormError error=add_error/>
                        <div class="flex justify-end"><button type="submit" class=BUTTON_CLASS>"Text me a code"</button></div>
                    </ActionForm>
                }.into_any(),
            }}
        </Card>
    }
}

/// Signing in with a code texted to a verified phone: the number, then (with `?phone=` in the
/// address) the code.
#[component]
pub fn PhoneSignIn() -> impl IntoView {
    let send = ServerAction::<SendSignInCode>::new();
    let sign_in = ServerAction::<SignInWithCode>::new();
    let send_error = action_error(send);
    let sign_in_error = action_error(sign_in);
    let query = use_query_map();
    let phone = move || {
        send.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| query.read().get("phone"))
    };
    view! {
        <details class="mt-6 border-t border-slate-200 pt-4 dark:border-slate-800" open=move || phone().is_some()>
            <summary class="cursor-pointer text-sm font-medium text-indigo-600 dark:text-indigo-400">"Sign in with a text message instead"</summary>
            {move || match phone() {
                Some(to) => view! {
                    <ActionForm action=sign_in attr:class="mt-3 space-y-2" attr:aria-label="Sign in with a code">
                        <p role="status" class="text-sm">{format!("If {to} belongs to an account, a code is on its way.")}</p>
                        <input type="hidden" name="phone" value=to/>
                        <Field label="Code" name="code" required=true autocomplete="one-time-code" error=field_error(sign_in_error, "code")/>
                        <FormError error=sign_in_error/>
                        <button type="submit" class=format!("{BUTTON_CLASS} w-full")>"Sign in"</button>
                    </ActionForm>
                }.into_any(),
                None => view! {
                    <ActionForm action=send attr:class="mt-3 space-y-2" attr:aria-label="Text me a sign-in code">
                        <Field label="Mobile number (with country code)" name="phone" kind="tel" required=true autocomplete="tel" error=field_error(send_error, "phone")/>
                        <FormError error=send_error/>
                        <button type="submit" class=format!("{BUTTON_CLASS} w-full")>"Text me a code"</button>
                    </ActionForm>
                }.into_any(),
            }}
        </details>
    }
}
