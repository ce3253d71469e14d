//! Aida's domain, server functions and pages. Each domain module owns its types (`model`),
//! storage (`store`, server only), operations (`ops`, server only), server functions (`api`)
//! and components (`views`). See ARCHITECTURE.md.

pub mod admin;
pub mod assistant;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod events;
pub mod expenses;
mod layout;
pub mod money;
#[cfg(feature = "ssr")]
pub mod request;
pub mod serde_util;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod state;
pub mod tasks;
pub mod time;
pub mod today;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod understanding;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="aida" href="/pkg/aida.css"/>
        <Title text="Aida"/>
        <Router>
            <Routes fallback=layout::NotFound>
                <Route path=path!("/sign-in") view=auth::views::SignInPage/>
                <Route path=path!("/sign-up") view=auth::views::SignUpPage/>
                <Route path=path!("/waitlist") view=auth::views::WaitlistPage/>
                <Route path=path!("/") view=|| view! { <layout::Signed page=today::views::today_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/calendar") view=|| view! { <layout::Signed page=events::views::calendar_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/expenses") view=|| view! { <layout::Signed page=expenses::views::expenses_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=|| view! { <layout::Signed page=settings::views::settings_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=|| view! { <layout::Signed page=admin::views::admin_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/tasks") view=|| view! { <layout::Signed page=tasks::views::tasks_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/chat/:id?") view=|| view! { <layout::Signed page=assistant::views::chat_page/> } ssr=SsrMode::Async/>
                <Route path=path!("/usage") view=|| view! { <layout::Signed page=assistant::views::usage_page/> } ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
