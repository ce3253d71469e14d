//! Configuration from environment variables; every variable is listed in `.env.example`.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} has an invalid value {value:?}: {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Everything `aida serve` needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub site_root: String,
    pub db_pool_size: usize,
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub trust_forwarded_for: bool,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
            name,
            value,
            expected,
        }),
    }
}

/// The database URL, required by every command that touches the database.
pub fn database_url() -> Result<String, ConfigError> {
    var("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            database_url: database_url()?,
            addr: parsed(
                "AIDA_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 3000)),
                "an address like 127.0.0.1:3000",
            )?,
            site_root: var("AIDA_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            db_pool_size: parsed("AIDA_DB_POOL_SIZE", 16, "a number of connections")?,
            secure_cookies: parsed("AIDA_SECURE_COOKIES", false, "true or false")?,
            session_idle_minutes: parsed("AIDA_SESSION_IDLE_MINUTES", 60 * 24 * 14, "minutes")?,
            trust_forwarded_for: parsed("AIDA_TRUST_FORWARDED_FOR", false, "true or false")?,
        })
    }
}
