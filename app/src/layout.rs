//! The frame around signed-in pages: navigation, sign-out, and the redirect for visitors.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_location;

use crate::auth::api::{SignOut, current_user};
use crate::auth::model::User;
use crate::page_data::page_data;

/// Frames `page` for the signed-in user, or sends visitors to sign in.
///
/// The page is built once, here, next to the user lookup rather than inside the `Suspense`
/// that waits for it: a `Suspense` re-runs its children while it settles, and a page built in
/// there would start its data loads again each time. Pages get what they need of the user
/// with their own data rather than by reading this resource too.
#[component]
pub fn Signed<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let me = page_data(|| (), |_| current_user());
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

/// Whether `path` lies in the section that the navigation link `href` leads to.
fn is_section(path: &str, href: &str) -> bool {
    path == href
        || (href != "/"
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[component]
fn Header(user: User) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    // Plain links with one location read each: the router's `<A>` builds a reactive owner and
    // memos per link, a tenth of the Today page's rendering.
    let pathname = use_location().pathname;
    let current = move |href: &'static str| {
        move || {
            pathname
                .with(|path| is_section(path, href))
                .then_some("page")
        }
    };
    view! {
        <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <nav aria-label="Main" class="mx-auto flex max-w-6xl flex-wrap items-center gap-1 px-4 py-2">
                <a href="/" class="mr-3 text-lg font-bold text-indigo-600 dark:text-indigo-400">"Aida"</a>
                <a href="/" class="nav-link" aria-current=current("/")>"Today"</a>
                <a href="/calendar" class="nav-link" aria-current=current("/calendar")>"Calendar"</a>
                <a href="/tasks" class="nav-link" aria-current=current("/tasks")>"Tasks"</a>
                <a href="/expenses" class="nav-link" aria-current=current("/expenses")>"Expenses"</a>
                <a href="/chat" class="nav-link" aria-current=current("/chat")>"Chat"</a>
                <a href="/sms" class="nav-link" aria-current=current("/sms")>"SMS"</a>
                <a href="/booking" class="nav-link" aria-current=current("/booking")>"Booking"</a>
                <a href="/usage" class="nav-link" aria-current=current("/usage")>"Usage"</a>
                <a href="/settings" class="nav-link" aria-current=current("/settings")>"Settings"</a>
                {user.is_admin().then(|| view! { <a href="/admin" class="nav-link" aria-current=current("/admin")>"Admin"</a> })}
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

#[cfg(test)]
mod tests {
    use super::is_section;

    #[test]
    fn a_navigation_link_is_current_in_its_section_only() {
        assert!(is_section("/", "/"));
        assert!(!is_section("/tasks", "/"));
        assert!(is_section("/chat", "/chat"));
        assert!(is_section("/chat/12", "/chat"));
        assert!(!is_section("/chatter", "/chat"));
        assert!(!is_section("/", "/calendar"));
    }
}
