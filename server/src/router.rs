//! The whole HTTP surface: pages and server functions, the REST API, health, static files.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use app::auth::session::PgSessionStore;
use app::state::AppState;
use app::{App, shell};

use crate::routes;

pub fn build(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = page_routes();
    let store = PgSessionStore::new(state.pool.clone(), state.caches.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("aida_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        // Idle expiry: every request extends the session (the store skips needless writes).
        .with_always_save(true)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.settings.session_idle_minutes,
        )));

    let context_state = state.clone();
    Router::new()
        .route("/health", get(routes::health::live))
        .route("/health/db", get(routes::health::database))
        .route("/health/google", get(routes::health::google))
        .nest("/api", routes::api::router())
        .nest("/webhooks", routes::webhooks::router())
        .route("/invitations/{token}", get(routes::invitation_file::show))
        .route("/feeds/{file}", get(routes::feed::show))
        .route("/integrations/google/connect", get(routes::google::connect))
        .route(
            "/integrations/google/callback",
            get(routes::google::callback),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(app::request::RequestUser::default());
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(routes::refused_form::keep_input))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::cross_site::refuse_forged,
        ))
        // Pages are generated per request: the fastest level saves most of the bytes for a
        // fraction of the CPU of the default one.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        // Files keep their names from one build to the next (the bundle's chunks too), so
        // browsers ask again for each one (a 304 when it is unchanged) rather than guess how
        // long it stays fresh and mix the pieces of two builds. Pages and API replies hold one
        // user's data and are not reused without asking either.
        .layer(header("cache-control", "no-cache"))
        .layer(header("x-content-type-options", "nosniff"))
        // Served over https (the cookies say so): browsers come back over https only.
        .layer(tower::util::option_layer(
            state.settings.secure_cookies.then(|| {
                header(
                    "strict-transport-security",
                    "max-age=31536000; includeSubDomains",
                )
            }),
        ))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "strict-origin-when-cross-origin"))
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The app's pages, listed once per process.
///
/// Leptos lists them by rendering the app with data loading switched off, and that switch is one
/// for the whole process: a page that another router renders meanwhile would wait forever for
/// its data. Listing them once, before the first router exists, keeps every later router (the
/// tests build many in one process) from touching the switch while pages are being served.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// A header every response carries unless its handler set it.
fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}
