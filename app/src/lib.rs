//! Aida's domain, server functions and pages. Each domain module owns its types (`model`),
//! storage (`store`, server only), operations (`ops`, server only), server functions (`api`)
//! and components (`views`). See ARCHITECTURE.md.

// Async hydration of the lazy routes nests deep view types.
#![recursion_limit = "256"]

pub mod admin;
pub mod assistant;
pub mod auth;
pub mod booking;
#[cfg(feature = "ssr")]
pub mod breaker;
#[cfg(feature = "ssr")]
pub mod changes;
#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod csp;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod events;
pub mod expenses;
pub mod feeds;
pub mod google;
#[cfg(feature = "ssr")]
pub mod ical;
pub mod invitations;
pub mod jobs;
mod layout;
pub mod money;
pub mod page_data;
pub mod phones;
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod scheduling;
pub mod secret;
pub mod serde_util;
pub mod settings;
pub mod sms;
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
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::set_on_page();
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

/// A page whose code the browser loads when the page is first shown: each is a split point of
/// the browser bundle (see `scripts/wasm-split`), so a visit to one page downloads only the
/// framework and that page. `$view` builds the page.
macro_rules! lazy_page {
    ($route:ident, $view:expr) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

/// `page` in the frame for signed-in users.
fn signed<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    view! { <layout::Signed page/> }
}

lazy_page!(SignInRoute, view! { <auth::views::SignInPage/> });
lazy_page!(SignUpRoute, view! { <auth::views::SignUpPage/> });
lazy_page!(WaitlistRoute, view! { <auth::views::WaitlistPage/> });
lazy_page!(TodayRoute, signed(today::views::today_page));
lazy_page!(CalendarRoute, signed(events::views::calendar_page));
lazy_page!(ExpensesRoute, signed(expenses::views::expenses_page));
lazy_page!(SettingsRoute, signed(settings::views::settings_page));
lazy_page!(AdminRoute, signed(admin::views::admin_page));
lazy_page!(JobsRoute, signed(jobs::views::jobs_page));
lazy_page!(TasksRoute, signed(tasks::views::tasks_page));
lazy_page!(ChatRoute, signed(assistant::views::chat_page));
lazy_page!(UsageRoute, signed(assistant::views::usage_page));
lazy_page!(SmsRoute, signed(sms::views::sms_page));
lazy_page!(BookingRoute, signed(booking::views::booking_page));
lazy_page!(CallerBookingRoute, booking::views::caller_booking_page());

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="aida" href="/pkg/aida.css"/>
        <Title text="Aida"/>
        <Router>
            <Routes fallback=layout::NotFound>
                <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()}/>
                <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()}/>
                <Route path=path!("/waitlist") view={Lazy::<WaitlistRoute>::new()}/>
                <Route path=path!("/") view={Lazy::<TodayRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/calendar") view={Lazy::<CalendarRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/expenses") view={Lazy::<ExpensesRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/jobs") view={Lazy::<JobsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tasks") view={Lazy::<TasksRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/chat/:id?") view={Lazy::<ChatRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/usage") view={Lazy::<UsageRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/sms") view={Lazy::<SmsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/booking/:tab?") view={Lazy::<BookingRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/bookings/:token") view={Lazy::<CallerBookingRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
