//! The `aida` process: configuration, the HTTP router, the command line's work.

pub mod backup;
pub mod config;
pub mod demo;
pub mod parse;
pub mod router;
pub mod routes;
pub mod telemetry;

use std::sync::Arc;

use app::assistant::Assistant;
use app::state::{AppState, Settings, SystemClock};
use leptos::config::LeptosOptions;

/// The state shared by every request, from configuration.
pub fn state(config: &config::Config, pool: app::db::Pool) -> Result<AppState, String> {
    let leptos_options = LeptosOptions::builder()
        .output_name("aida")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let assistant = Assistant::new(config.llm.as_ref(), config.monthly_budget_microusd)?;
    Ok(AppState::new(
        leptos_options,
        pool,
        Arc::new(SystemClock),
        Settings {
            secure_cookies: config.secure_cookies,
            session_idle_minutes: config.session_idle_minutes,
            session_reread_seconds: config.session_reread_seconds,
            trusted_proxies: config.trusted_proxies,
            public_url: config.public_url.clone(),
            sign_in_token_days: config.sign_in_token_days,
            sms: config.sms.clone(),
            voice: config.voice.clone(),
            google: config.google.clone(),
            keys: config.keys.clone(),
        },
        assistant,
    ))
}
