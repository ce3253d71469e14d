//! Language models behind any OpenAI-compatible endpoint, through async-openai: a primary
//! endpoint and an optional fallback, each with retries (before a stream starts only), a
//! time limit and a circuit breaker.

pub mod wire;

use std::collections::HashMap;
use std::pin::Pin;
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::middleware::retry::OpenAIRetryLayer;
use async_openai::types::chat::CreateChatCompletionRequest;
use futures::Stream;

use self::wire::Chunk;
use crate::breaker::Breaker;

/// Which model a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelTier {
    Cheap,
    Premium,
}

impl ModelTier {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cheap => "cheap",
            Self::Premium => "premium",
        }
    }
}

/// Where requests go.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    /// The API base including `/v1`, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: crate::secret::Secret,
    pub cheap_model: String,
    pub premium_model: String,
}

/// US dollars per million input and output tokens, by model name.
#[derive(Debug, Clone)]
pub struct Prices(HashMap<String, (f64, f64)>);

impl Default for Prices {
    fn default() -> Self {
        Self(HashMap::from([
            ("gpt-4o-mini".to_owned(), (0.15, 0.60)),
            ("gpt-4o".to_owned(), (2.50, 10.00)),
        ]))
    }
}

impl Prices {
    /// The defaults with `model=input/output` entries (comma-separated) added or replaced,
    /// e.g. `gpt-4o-mini=0.15/0.60,llama3=0/0`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut prices = Self::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let parsed = entry.split_once('=').and_then(|(model, rates)| {
                let (input, output) = rates.split_once('/')?;
                let input: f64 = input.trim().parse().ok()?;
                let output: f64 = output.trim().parse().ok()?;
                (input >= 0.0 && output >= 0.0 && input.is_finite() && output.is_finite())
                    .then(|| (model.trim().to_owned(), (input, output)))
            });
            let (model, rates) =
                parsed.ok_or_else(|| format!("{entry:?} is not model=input/output"))?;
            prices.0.insert(model, rates);
        }
        Ok(prices)
    }

    /// What a call cost in millionths of a dollar (unknown models cost nothing).
    /// Whether `model` has a price (possibly 0/0, for a free local model).
    pub fn knows(&self, model: &str) -> bool {
        self.0.contains_key(model)
    }

    pub fn cost_microusd(&self, model: &str, input_tokens: u32, output_tokens: u32) -> i64 {
        let Some((input, output)) = self.0.get(model) else {
            return 0;
        };
        // Dollars per million tokens are millionths of a dollar per token.
        let cost = f64::from(input_tokens) * input + f64::from(output_tokens) * output;
        cost.ceil() as i64
    }
}

/// Everything about the models, from configuration.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    pub primary: EndpointSettings,
    pub fallback: Option<EndpointSettings>,
    /// Retries of a 429 or 5xx before the stream starts (never of `insufficient_quota`).
    pub max_retries: usize,
    /// Longest wait for a stream to start, and between two of its chunks.
    pub timeout: Duration,
    /// How long an endpoint is skipped after a run of failures.
    pub breaker_cool_down: Duration,
    pub prices: Prices,
}

/// Why a model could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("the language model account has run out of credit")]
    Quota,
    #[error("the language model is rate limiting us")]
    RateLimited,
    #[error("the language model is unavailable: {0}")]
    Unavailable(String),
    #[error("the language model refused the request: {0}")]
    Refused(String),
    #[error("the language model's reply was cut off")]
    Truncated,
    #[error("the language model sent something we could not read: {0}")]
    Malformed(String),
}

impl LlmError {
    /// The outcome recorded for the call.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Quota => "quota",
            Self::Unavailable(_) | Self::RateLimited => "unavailable",
            Self::Truncated => "truncated",
            Self::Refused(_) | Self::Malformed(_) => "error",
        }
    }

    /// Whether another endpoint may do better.
    fn try_fallback(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// What a user is told: a plain sentence, never the provider's text (which may name
    /// endpoints, keys' owners or request ids); that goes to the log.
    pub fn plain(&self) -> &'static str {
        match self {
            Self::Quota => "the language model account has run out of credit",
            Self::RateLimited => "the language model is busy right now",
            Self::Unavailable(_) => "the language model is unavailable right now",
            Self::Refused(_) => "the language model could not take this request",
            Self::Truncated => "the language model's reply was cut off",
            Self::Malformed(_) => "the language model's reply could not be read",
        }
    }

    /// A short code for the API's `error` event.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Quota => "model_quota",
            Self::RateLimited => "model_rate_limited",
            Self::Unavailable(_) => "model_unavailable",
            Self::Refused(_) => "model_refused",
            Self::Truncated => "model_cut_off",
            Self::Malformed(_) => "model_malformed",
        }
    }
}

fn classify(error: OpenAIError) -> LlmError {
    match error {
        OpenAIError::ApiError(e) => {
            let quota = e.api_error.r#type.as_deref() == Some("insufficient_quota")
                || e.api_error.code.as_deref() == Some("insufficient_quota");
            let status = e.status_code.as_u16();
            if quota {
                LlmError::Quota
            } else if status == 429 {
                LlmError::RateLimited
            } else if status >= 500 {
                LlmError::Unavailable(format!("HTTP {status}"))
            } else {
                LlmError::Refused(format!("HTTP {status}: {}", e.api_error.message))
            }
        }
        OpenAIError::Reqwest(e) => LlmError::Unavailable(e.to_string()),
        OpenAIError::JSONDeserialize(e, _) => LlmError::Malformed(e.to_string()),
        OpenAIError::StreamError(e) => LlmError::Unavailable(e.to_string()),
        other => LlmError::Refused(other.to_string()),
    }
}

/// A chunk from a stream, or why it could not be read.
pub fn chunk(item: Result<Chunk, OpenAIError>) -> Result<Chunk, LlmError> {
    item.map_err(|e| match classify(e) {
        // Mid-stream, anything unreadable is a broken reply.
        LlmError::Unavailable(_) => LlmError::Truncated,
        other => other,
    })
}

pub type ChunkStream = Pin<Box<dyn Stream<Item = Result<Chunk, OpenAIError>> + Send>>;

struct Endpoint {
    name: &'static str,
    settings: EndpointSettings,
    client: Client<OpenAIConfig>,
    breaker: Breaker,
}

/// A stream that has started.
pub struct Opened {
    pub endpoint: &'static str,
    pub model: String,
    pub started: Instant,
    pub stream: ChunkStream,
}

/// A request that failed before its stream started, for the usage record.
#[derive(Debug, Clone)]
pub struct FailedAttempt {
    pub endpoint: &'static str,
    pub model: String,
    pub latency: Duration,
    pub error: LlmError,
}

/// The configured endpoints.
pub struct Llm {
    endpoints: Vec<Endpoint>,
    timeout: Duration,
    prices: Prices,
}

impl Llm {
    /// Refuses a model without a price: its calls would cost nothing and no budget would hold.
    pub fn new(settings: &LlmSettings) -> Result<Self, String> {
        let endpoints = std::iter::once(&settings.primary).chain(settings.fallback.as_ref());
        for endpoint in endpoints {
            for model in [&endpoint.cheap_model, &endpoint.premium_model] {
                if !settings.prices.knows(model) {
                    return Err(format!(
                        "the model {model:?} has no price: add it to AIDA_LLM_PRICES as \
                         {model}=input/output (dollars per million tokens; 0/0 for a free local model)"
                    ));
                }
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("could not build the HTTP client: {e}"))?;
        let endpoint = |name, endpoint: &EndpointSettings| {
            let service = tower::ServiceBuilder::new()
                .layer(OpenAIRetryLayer::new(settings.max_retries))
                .service(ReqwestService::new(http.clone()));
            let config = OpenAIConfig::new()
                .with_api_base(endpoint.base_url.trim_end_matches('/'))
                .with_api_key(endpoint.api_key.expose());
            Endpoint {
                name,
                settings: endpoint.clone(),
                client: Client::with_config(config).with_http_service(service),
                breaker: Breaker::new(settings.breaker_cool_down),
            }
        };
        let mut endpoints = vec![endpoint("primary", &settings.primary)];
        if let Some(fallback) = &settings.fallback {
            endpoints.push(endpoint("fallback", fallback));
        }
        Ok(Self {
            endpoints,
            timeout: settings.timeout,
            prices: settings.prices.clone(),
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn prices(&self) -> &Prices {
        &self.prices
    }

    /// Starts a streamed completion on the first endpoint that answers; a 5xx, a time-out or
    /// an open circuit moves on to the fallback. Failed tries are added to `failed`.
    pub async fn open(
        &self,
        tier: ModelTier,
        request: &CreateChatCompletionRequest,
        failed: &mut Vec<FailedAttempt>,
    ) -> Result<Opened, LlmError> {
        let mut last = LlmError::Unavailable("no endpoint configured".into());
        for endpoint in &self.endpoints {
            let model = match tier {
                ModelTier::Cheap => endpoint.settings.cheap_model.clone(),
                ModelTier::Premium => endpoint.settings.premium_model.clone(),
            };
            let started = Instant::now();
            if !endpoint.breaker.allows(started) {
                let error = LlmError::Unavailable("circuit open after repeated failures".into());
                failed.push(FailedAttempt {
                    endpoint: endpoint.name,
                    model,
                    latency: Duration::ZERO,
                    error: error.clone(),
                });
                last = error;
                continue;
            }
            let mut request = request.clone();
            request.model = model.clone();
            let opened = tokio::time::timeout(
                self.timeout,
                endpoint
                    .client
                    .chat()
                    .create_stream_byot::<_, Chunk>(request),
            )
            .await;
            let error = match opened {
                Ok(Ok(stream)) => {
                    endpoint.breaker.succeeded();
                    return Ok(Opened {
                        endpoint: endpoint.name,
                        model,
                        started,
                        stream,
                    });
                }
                Ok(Err(e)) => classify(e),
                Err(_) => {
                    LlmError::Unavailable(format!("no answer within {} s", self.timeout.as_secs()))
                }
            };
            tracing::warn!(endpoint = endpoint.name, model = %model, error = %error, "model request failed");
            failed.push(FailedAttempt {
                endpoint: endpoint.name,
                model,
                latency: started.elapsed(),
                error: error.clone(),
            });
            if !error.try_fallback() {
                return Err(error);
            }
            endpoint.breaker.failed(Instant::now());
            last = error;
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(cheap: &str, prices: Prices) -> LlmSettings {
        LlmSettings {
            primary: EndpointSettings {
                base_url: "http://127.0.0.1:9/v1".into(),
                api_key: "k".to_owned().into(),
                cheap_model: cheap.into(),
                premium_model: "gpt-4o".into(),
            },
            fallback: None,
            max_retries: 0,
            timeout: Duration::from_secs(1),
            breaker_cool_down: Duration::from_secs(1),
            prices,
        }
    }

    #[test]
    fn a_model_without_a_price_is_refused_unless_one_is_given() {
        let err = Llm::new(&settings("llama3", Prices::default()))
            .err()
            .expect("refused");
        assert!(err.contains("\"llama3\" has no price"), "{err}");
        let free = Prices::parse("llama3=0/0").expect("prices");
        assert!(Llm::new(&settings("llama3", free)).is_ok());
        assert!(Llm::new(&settings("gpt-4o-mini", Prices::default())).is_ok());
    }
}
