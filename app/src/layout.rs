//! The frame around signed-in pages: navigation, sign-out, and the redirect for visitors.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

use crate::auth::api::{SignOut, current_user};
use crate::auth::model::User;

/// The signed-in user as a page can read it: `None` for a visitor.
pub type Me = Resource<Result<Option<User>, crate::error::AppError>>;

/// Frames `page` for the signed-in user, or sends visitors to sign in.
///
/// The page is built once, here, next to the user lookup rather than inside the `Suspense`
/// that waits for it: a `Suspense` re-runs its children while it settles, and a page built in
/// there would start its data loads again each time. A page that needs the user reads [`Me`]
/// from the context.
#[component]
pub fn Signed<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let me: Me = Resource::new(|| (), |_| current_user());
    provide_context(me);
    let page = page();
    view! {
        <Suspense fallback=|| view! { <div class="h-14 border-b border-slate-200 dark:border-slate-800"></div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! { <Header user=user/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="p-6 text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <main class="mx-auto max-w-6xl px-4 py-6">{page}</main>
    }
}

/// The signed-in user's resource, provided by [`Signed`].
pub fn use_me() -> Me {
    expect_context::<Me>()
}

const NAV_LINK: &str = "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-800 dark:aria-[current=page]:text-white";

#[component]
fn Header(user: User) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <nav aria-label="Main" class="mx-auto flex max-w-6xl flex-wrap items-center gap-1 px-4 py-2">
                <A href="/" attr:class="mr-3 text-lg font-bold text-indigo-600 dark:text-indigo-400">"Aida"</A>
                <A href="/" exact=true attr:class=NAV_LINK>"Today"</A>
                <A href="/calendar" attr:class=NAV_LINK>"Calendar"</A>
                <A href="/tasks" attr:class=NAV_LINK>"Tasks"</A>
                <A href="/expenses" attr:class=NAV_LINK>"Expenses"</A>
                <A href="/chat" attr:class=NAV_LINK>"Chat"</A>
                <A href="/usage" attr:class=NAV_LINK>"Usage"</A>
                <A href="/settings" attr:class=NAV_LINK>"Settings"</A>
                {user.is_admin().then(|| view! { <A href="/admin" attr:class=NAV_LINK>"Admin"</A> })}
                <span class="ml-auto hidden text-sm text-slate-500 sm:inline dark:text-slate-400">{user.email.clone()}</span>
                <ActionForm action=sign_out>
                    <button type="submit" class="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
                        "Sign out"
                    </button>
                </ActionForm>
            </nav>
        </header>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="mx-auto mt-16 max-w-md text-center">
            <h1 class="text-2xl font-bold">"Page not found"</h1>
            <p class="mt-2"><A href="/" attr:class="text-indigo-600 hover:underline">"Go to Today"</A></p>
        </div>
    }
}
