//! One error vocabulary for every door: server functions return it typed, the REST API maps it
//! to a status code and a JSON body naming the field, and later channels turn it into a sentence.

use leptos::server_fn::Encodes;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What can go wrong in an operation, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("please sign in")]
    Unauthenticated,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("too many attempts; please wait a few minutes and try again")]
    RateLimited,
    /// Something else is under way that this must wait for.
    #[error("{0}")]
    Busy(String),
    #[error("the service is temporarily unavailable; nothing was changed, please try again")]
    Unavailable,
    #[error("something went wrong on our side; nothing was changed")]
    Internal,
    #[error("the request could not be handled: {0}")]
    Request(String),
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) | Self::Request(_) => 400,
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound => 404,
            Self::Busy(_) => 409,
            Self::RateLimited => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// The message for one field, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }

    /// Encodes the error for the browser and, on the server, answers with its status code
    /// (403, 404, ...) instead of a blanket 500. Plain form posts keep the redirect back to
    /// the page they came from.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        set_response_status(self);
        <JsonEncoding as Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(br#"{"Internal":null}"#))
    }
}

#[cfg(feature = "ssr")]
fn set_response_status(error: &AppError) {
    use leptos::prelude::use_context;
    let form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if let (false, Some(response)) = (form_post, use_context::<leptos_axum::ResponseOptions>())
        && let Ok(status) = axum::http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
}

/// Collects field errors while validating an input.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.fail(field, message);
        }
        self
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError {
                field: field.to_owned(),
                message: message.into(),
            });
        }
    }

    /// The errors found so far.
    pub fn into_error(self) -> AppError {
        AppError::Invalid(self.errors)
    }

    /// `Ok(value)` when nothing failed.
    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Invalid(self.errors))
        }
    }
}

#[cfg(feature = "ssr")]
mod from_storage {
    use super::AppError;
    use diesel::result::{DatabaseErrorKind, Error as DieselError};

    impl From<DieselError> for AppError {
        fn from(err: DieselError) -> Self {
            match err {
                DieselError::NotFound => AppError::NotFound,
                DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                    tracing::warn!(error = %info.message(), "database connection closed");
                    AppError::Unavailable
                }
                other => {
                    tracing::error!(error = %other, "database error");
                    AppError::Internal
                }
            }
        }
    }

    impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
        fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
            tracing::warn!(error = %err, "database unavailable");
            AppError::Unavailable
        }
    }
}
