//! Google's OAuth 2.0 for web server apps through the `oauth2` crate: the consent URL (PKCE
//! S256, offline access, consent forced so a refresh token comes back), the code exchange,
//! refreshes and revocation. Requests go through our own `reqwest` client, which never
//! follows redirects.

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};

use super::GoogleSettings;

/// Events read and written; free/busy read.
pub const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.freebusy",
];

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// Google refuses the grant: the code was used or expired, or the refresh token was revoked.
    #[error("Google refused the grant: {0}")]
    InvalidGrant(String),
    #[error("Google's token endpoint answered an error: {0}")]
    Refused(String),
    #[error("Google could not be reached: {0}")]
    Unreachable(String),
    #[error("a Google endpoint is not a valid URL: {0}")]
    Config(String),
}

/// Tokens Google gave.
#[derive(Debug)]
pub struct Tokens {
    pub access: String,
    /// Only on the first consent (and with `prompt=consent`); refreshes keep the old one.
    pub refresh: Option<String>,
    pub expires_in: chrono::Duration,
    pub scope: String,
}

/// A consent URL with the values the callback checks.
pub struct Consent {
    pub url: String,
    pub state: String,
    pub verifier: String,
}

fn client(settings: &GoogleSettings, public_url: &str) -> Result<Client, OAuthError> {
    let bad = |e: oauth2::url::ParseError| OAuthError::Config(e.to_string());
    Ok(BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            settings.client_secret.expose().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(settings.auth_url.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(callback_url(public_url)).map_err(bad)?))
}

pub fn callback_url(public_url: &str) -> String {
    format!("{public_url}/integrations/google/callback")
}

pub fn consent(settings: &GoogleSettings, public_url: &str) -> Result<Consent, OAuthError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client(settings, public_url)?
        .authorize_url(CsrfToken::new_random)
        .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .add_extra_param("include_granted_scopes", "true")
        .set_pkce_challenge(challenge)
        .url();
    Ok(Consent {
        url: url.to_string(),
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

/// Our `reqwest` client as the crate's HTTP client.
struct Http(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for Http {
    type Error = reqwest::Error;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

fn http(settings: &GoogleSettings) -> Http {
    Http(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .build()
            .unwrap_or_default(),
    )
}

/// Sends one of the crate's requests with our client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut answer = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(answer
        .body(body)
        .unwrap_or_else(|_| http::Response::new(Vec::new())))
}

fn token_error<E: std::error::Error>(
    e: RequestTokenError<E, oauth2::basic::BasicErrorResponse>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let described = r
                .error_description()
                .cloned()
                .unwrap_or_else(|| r.error().to_string());
            if *r.error() == BasicErrorResponseType::InvalidGrant {
                OAuthError::InvalidGrant(described)
            } else {
                OAuthError::Refused(described)
            }
        }
        RequestTokenError::Request(e) => OAuthError::Unreachable(e.to_string()),
        other => OAuthError::Refused(other.to_string()),
    }
}

fn tokens(t: &oauth2::basic::BasicTokenResponse) -> Tokens {
    Tokens {
        access: t.access_token().secret().clone(),
        refresh: t.refresh_token().map(|r| r.secret().clone()),
        expires_in: t
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .unwrap_or_else(|| chrono::Duration::hours(1)),
        scope: t
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
    }
}

/// Trades the callback's code (with the PKCE verifier) for tokens.
pub async fn exchange(
    settings: &GoogleSettings,
    public_url: &str,
    code: &str,
    verifier: &str,
) -> Result<Tokens, OAuthError> {
    let http = http(settings);
    let answer = client(settings, public_url)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    Ok(tokens(&answer))
}

/// A new access token for `refresh_token`.
pub async fn refresh(
    settings: &GoogleSettings,
    public_url: &str,
    refresh_token: &str,
) -> Result<Tokens, OAuthError> {
    let http = http(settings);
    let answer = client(settings, public_url)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    Ok(tokens(&answer))
}

/// Tells Google to forget `refresh_token` (and the access it gave): a form POST to the
/// revoke endpoint, as Google documents it. (The crate's own revocation insists on https,
/// which a local fake cannot offer.) A 400 means Google no longer knows the token.
pub async fn revoke(settings: &GoogleSettings, refresh_token: &str) -> Result<(), OAuthError> {
    let response = http(settings)
        .0
        .post(&settings.revoke_url)
        .form(&[("token", refresh_token)])
        .send()
        .await
        .map_err(|e| OAuthError::Unreachable(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else if status.is_client_error() {
        Err(OAuthError::Refused(
            response.text().await.unwrap_or_default(),
        ))
    } else {
        Err(OAuthError::Unreachable(format!("revoke answered {status}")))
    }
}
