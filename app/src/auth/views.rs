//! Sign-in, sign-up and the waitlist notice.

use leptos::prelude::*;
use leptos_router::components::A;

use super::api::{SignIn, SignUp};
use crate::ui::{BUTTON_CLASS, Field, FormError, action_error, field_error, refused_input};

#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto mt-12 max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <h1 class="mb-6 text-2xl font-bold text-slate-900 dark:text-white">{title}</h1>
            {children()}
        </div>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action);
    let email = refused_input::<SignIn>(None).value("email", "");
    view! {
        <AuthCard title="Sign in to Aida">
            <ActionForm action=action attr:class="space-y-2">
                <Field label="Email" name="email" kind="email" value=Signal::stored(email) required=true autocomplete="username" error=field_error(error, "email")/>
                <Field label="Password" name="password" kind="password" required=true autocomplete="current-password" error=field_error(error, "password")/>
                <FormError error=error/>
                <button type="submit" class=format!("{BUTTON_CLASS} w-full") disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <crate::phones::views::PhoneSignIn/>
            <p class="mt-4 text-sm text-slate-600 dark:text-slate-400">
                "New here? " <A href="/sign-up" attr:class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Create an account"</A>
            </p>
        </AuthCard>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = action_error(action);
    let sent = refused_input::<SignUp>(None);
    view! {
        <AuthCard title="Create your account">
            <ActionForm action=action attr:class="space-y-2">
                <Field label="Name" name="name" value=Signal::stored(sent.value("name", "")) autocomplete="name" error=field_error(error, "name")/>
                <Field label="Email" name="email" kind="email" value=Signal::stored(sent.value("email", "")) required=true autocomplete="email" error=field_error(error, "email")/>
                <Field label="Password (at least 10 characters)" name="password" kind="password" required=true autocomplete="new-password" error=field_error(error, "password")/>
                <FormError error=error/>
                <button type="submit" class=format!("{BUTTON_CLASS} w-full") disabled=move || action.pending().get()>
                    "Sign up"
                </button>
            </ActionForm>
            <p class="mt-4 text-sm text-slate-600 dark:text-slate-400">
                "Already have an account? " <A href="/sign-in" attr:class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Sign in"</A>
            </p>
        </AuthCard>
    }
}

#[component]
pub fn WaitlistPage() -> impl IntoView {
    view! {
        <AuthCard title="You're on the list">
            <p class="text-slate-700 dark:text-slate-300">
                "Thanks for signing up. Your account awaits approval by an administrator; once approved you can sign in."
            </p>
            <p class="mt-4">
                <A href="/sign-in" attr:class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Back to sign in"</A>
            </p>
        </AuthCard>
    }
}
