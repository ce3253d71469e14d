//! Configuration from environment variables; every variable is listed in `.env.example`.

use std::net::SocketAddr;
use std::time::Duration;

use app::assistant::llm::{EndpointSettings, LlmSettings, Prices};
use app::booking::VoiceSettings;
use app::crypto::Keys;
use app::google::GoogleSettings;
use app::secret::Secret;
use app::sms::{SmsSettings, TwilioSettings};

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

/// Everything `aida serve` and `aida worker` need to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// May hold the database password.
    pub database_url: Secret,
    pub addr: SocketAddr,
    pub site_root: String,
    pub db_pool_size: usize,
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub session_reread_seconds: u64,
    /// Reverse proxies of ours in front of Aida (`X-Forwarded-For` is read that many hops deep).
    pub trusted_proxies: usize,
    /// `None` when no API key is configured: chat then works on rules alone.
    pub llm: Option<LlmSettings>,
    pub monthly_budget_microusd: i64,
    /// Jobs this process runs at once (`AIDA_WORKERS`); 0: `aida serve` runs none.
    pub workers: usize,
    /// How long a worker's claim on a job holds without being extended.
    pub job_lease: Duration,
    /// How long a token made by `POST /api/auth/sign-in` works (`AIDA_API_TOKEN_DAYS`).
    pub sign_in_token_days: u32,
    /// Where Twilio, Retell and browsers reach this server (`AIDA_PUBLIC_URL`), no trailing `/`.
    pub public_url: String,
    /// Text messages: Twilio, batching, the price of a segment.
    pub sms: SmsSettings,
    /// Voice booking: Retell's key, the spool's folder, each owner's rate.
    pub voice: VoiceSettings,
    /// Google Calendar's OAuth client and endpoints, when `GOOGLE_CLIENT_ID` is set.
    pub google: Option<GoogleSettings>,
    /// `AIDA_ENCRYPTION_KEY` (and `AIDA_ENCRYPTION_KEY_PREVIOUS` during a rotation).
    pub keys: Option<std::sync::Arc<Keys>>,
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
        let addr = parsed(
            "AIDA_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
            "an address like 127.0.0.1:3000",
        )?;
        Ok(Self {
            database_url: database_url()?.into(),
            addr,
            site_root: var("AIDA_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            db_pool_size: parsed(
                "AIDA_DB_POOL_SIZE",
                default_pool_size(),
                "a number of connections",
            )?,
            secure_cookies: parsed("AIDA_SECURE_COOKIES", false, "true or false")?,
            session_idle_minutes: parsed("AIDA_SESSION_IDLE_MINUTES", 60 * 24 * 14, "minutes")?,
            session_reread_seconds: parsed("AIDA_SESSION_REREAD_SECONDS", 30, "seconds")?,
            trusted_proxies: parsed("AIDA_TRUSTED_PROXIES", 0, "a number of proxies")?,
            llm: llm()?,
            monthly_budget_microusd: dollars(
                "AIDA_LLM_MONTHLY_BUDGET_USD",
                parsed(
                    "AIDA_LLM_MONTHLY_BUDGET_USD",
                    5.0,
                    "dollars, like 5 or 2.50",
                )?,
            )?,
            workers: parsed("AIDA_WORKERS", 2, "a number of jobs run at once")?,
            job_lease: Duration::from_secs(parsed("AIDA_JOB_LEASE_SECONDS", 60, "seconds")?),
            sign_in_token_days: parsed("AIDA_API_TOKEN_DAYS", 30, "a number of days")?,
            public_url: public_url(addr)?,
            sms: sms()?,
            voice: voice()?,
            google: google()?,
            keys: keys()?,
        })
        .and_then(Config::checked)
    }

    /// Google's tokens are kept sealed: connecting Google needs a key.
    fn checked(self) -> Result<Self, ConfigError> {
        if self.google.is_some() && self.keys.is_none() {
            return Err(ConfigError::Missing(
                "AIDA_ENCRYPTION_KEY (Google's tokens are kept encrypted; make one with `openssl rand -base64 32`)",
            ));
        }
        Ok(self)
    }
}

/// The encryption keys, when `AIDA_ENCRYPTION_KEY` is set.
pub fn keys() -> Result<Option<std::sync::Arc<Keys>>, ConfigError> {
    let Some(current) = var("AIDA_ENCRYPTION_KEY") else {
        return Ok(None);
    };
    let previous = var("AIDA_ENCRYPTION_KEY_PREVIOUS");
    Keys::new(&current, previous.as_deref())
        .map(|k| Some(std::sync::Arc::new(k)))
        .map_err(|e| ConfigError::Invalid {
            name: "AIDA_ENCRYPTION_KEY (or _PREVIOUS)",
            value: "[redacted]".into(),
            expected: match e {
                app::crypto::KeyError::NotBase64 => "base64 of 32 random bytes",
                app::crypto::KeyError::WrongLength => "32 bytes, base64 (openssl rand -base64 32)",
            },
        })
}

/// Google Calendar. Its client id and secret come together; the endpoints default to Google's.
fn google() -> Result<Option<GoogleSettings>, ConfigError> {
    let (client_id, client_secret) = match (var("GOOGLE_CLIENT_ID"), var("GOOGLE_CLIENT_SECRET")) {
        (Some(id), Some(secret)) => (id, secret),
        (None, None) => return Ok(None),
        _ => {
            return Err(ConfigError::Missing(
                "one of GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (set both, or neither)",
            ));
        }
    };
    let url = |name: &'static str, default: &str| -> Result<String, ConfigError> {
        let value = var(name).unwrap_or_else(|| default.to_owned());
        if value.starts_with("http://") || value.starts_with("https://") {
            Ok(value.trim_end_matches('/').to_owned())
        } else {
            Err(ConfigError::Invalid {
                name,
                value,
                expected: "an http(s) URL",
            })
        }
    };
    Ok(Some(GoogleSettings {
        client_id,
        client_secret: client_secret.into(),
        auth_url: url("GOOGLE_AUTH_URL", GoogleSettings::AUTH_URL)?,
        token_url: url("GOOGLE_TOKEN_URL", GoogleSettings::TOKEN_URL)?,
        revoke_url: url("GOOGLE_REVOKE_URL", GoogleSettings::REVOKE_URL)?,
        api_base: url("GOOGLE_API_BASE", GoogleSettings::API_BASE)?,
        timeout: Duration::from_secs(parsed("GOOGLE_TIMEOUT_SECONDS", 10, "seconds")?),
        first_retry: Duration::from_secs(1),
    }))
}

/// Database connections when `AIDA_DB_POOL_SIZE` is not set: twice the CPUs, and at least 4.
/// A page's reads are pipelined on one connection, and PostgreSQL backends beyond what the
/// CPUs can run only contend with Aida for them: on 2 cores, 16 connections instead of 4 took
/// the Today page's p99 under load from about 20 ms to 28 ms.
fn default_pool_size() -> usize {
    std::thread::available_parallelism().map_or(4, |cpus| (2 * cpus.get()).max(4))
}

fn dollars(name: &'static str, amount: f64) -> Result<i64, ConfigError> {
    if !amount.is_finite() || amount < 0.0 {
        return Err(ConfigError::Invalid {
            name,
            value: amount.to_string(),
            expected: "an amount of dollars, zero or more",
        });
    }
    Ok((amount * 1_000_000.0).round() as i64)
}

/// The language models, when `AIDA_LLM_API_KEY` is set.
fn llm() -> Result<Option<LlmSettings>, ConfigError> {
    let Some(api_key) = var("AIDA_LLM_API_KEY") else {
        return Ok(None);
    };
    let primary = EndpointSettings {
        base_url: var("AIDA_LLM_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into()),
        api_key: api_key.into(),
        cheap_model: var("AIDA_LLM_CHEAP_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
        premium_model: var("AIDA_LLM_PREMIUM_MODEL").unwrap_or_else(|| "gpt-4o".into()),
    };
    let fallback = var("AIDA_LLM_FALLBACK_BASE_URL").map(|base_url| EndpointSettings {
        base_url,
        api_key: var("AIDA_LLM_FALLBACK_API_KEY")
            .map(Secret::from)
            .unwrap_or_else(|| primary.api_key.clone()),
        cheap_model: var("AIDA_LLM_FALLBACK_CHEAP_MODEL")
            .unwrap_or_else(|| primary.cheap_model.clone()),
        premium_model: var("AIDA_LLM_FALLBACK_PREMIUM_MODEL")
            .unwrap_or_else(|| primary.premium_model.clone()),
    });
    let prices = match var("AIDA_LLM_PRICES") {
        None => Prices::default(),
        Some(value) => Prices::parse(&value).map_err(|_| ConfigError::Invalid {
            name: "AIDA_LLM_PRICES",
            value,
            expected: "model=input/output dollars per million tokens, comma-separated",
        })?,
    };
    Ok(Some(LlmSettings {
        primary,
        fallback,
        max_retries: parsed("AIDA_LLM_MAX_RETRIES", 2, "a number of retries")?,
        timeout: Duration::from_secs(parsed("AIDA_LLM_TIMEOUT_SECONDS", 30, "seconds")?),
        breaker_cool_down: Duration::from_secs(parsed("AIDA_LLM_BREAKER_SECONDS", 30, "seconds")?),
        prices,
    }))
}

/// `AIDA_PUBLIC_URL`, or this server's own address.
fn public_url(addr: SocketAddr) -> Result<String, ConfigError> {
    let public_url = var("AIDA_PUBLIC_URL")
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            name: "AIDA_PUBLIC_URL",
            value: public_url,
            expected: "an http(s) URL like https://aida.example.com",
        });
    }
    Ok(public_url)
}

/// Voice booking. Without `RETELL_API_KEY` every Retell request is refused.
fn voice() -> Result<VoiceSettings, ConfigError> {
    let defaults = VoiceSettings::default();
    let requests_per_minute = parsed(
        "AIDA_VOICE_REQUESTS_PER_MINUTE",
        defaults.requests_per_minute,
        "a number of requests, 1 or more",
    )?;
    if requests_per_minute < 1 {
        return Err(ConfigError::Invalid {
            name: "AIDA_VOICE_REQUESTS_PER_MINUTE",
            value: requests_per_minute.to_string(),
            expected: "a number of requests, 1 or more",
        });
    }
    Ok(VoiceSettings {
        retell_api_key: var("RETELL_API_KEY").map(Secret::from),
        data_dir: var("AIDA_DATA_DIR").map_or(defaults.data_dir, Into::into),
        requests_per_minute,
        ..defaults
    })
}

/// Text messages. Twilio is used when its account, token and number are all set.
fn sms() -> Result<SmsSettings, ConfigError> {
    let defaults = SmsSettings::default();
    let twilio = match (
        var("TWILIO_ACCOUNT_SID"),
        var("TWILIO_AUTH_TOKEN"),
        var("TWILIO_FROM_NUMBER"),
    ) {
        (Some(account_sid), Some(auth_token), Some(from_number)) => Some(TwilioSettings {
            account_sid,
            auth_token: auth_token.into(),
            from_number,
            api_base: var("TWILIO_API_BASE").unwrap_or_else(|| "https://api.twilio.com".into()),
            timeout: Duration::from_secs(parsed("TWILIO_TIMEOUT_SECONDS", 10, "seconds")?),
            breaker_cool_down: Duration::from_secs(parsed(
                "TWILIO_BREAKER_SECONDS",
                30,
                "seconds",
            )?),
        }),
        (None, None, None) => None,
        _ => {
            return Err(ConfigError::Missing(
                "one of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER (set all three, or none)",
            ));
        }
    };
    let price: f64 = parsed("AIDA_SMS_SEGMENT_PRICE_USD", 0.0083, "dollars, like 0.0083")?;
    Ok(SmsSettings {
        twilio,
        batch: Duration::from_secs(parsed(
            "AIDA_SMS_BATCH_SECONDS",
            defaults.batch.as_secs(),
            "seconds",
        )?),
        reply_wait: defaults.reply_wait,
        segment_price_microusd: dollars("AIDA_SMS_SEGMENT_PRICE_USD", price)?,
    })
}
