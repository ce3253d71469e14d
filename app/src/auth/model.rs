//! Accounts as the rest of the app sees them (shared with the browser).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Pending,
    Active,
    Disabled,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(Role { User => "user", Admin => "admin" });
text_enum!(AccountStatus { Pending => "pending", Active => "active", Disabled => "disabled" });

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub timezone: String,
    pub currency: String,
    pub default_meeting_minutes: i32,
    /// Texted reminders, in minutes before each event (none when empty).
    pub reminder_minutes: Vec<i32>,
    pub role: Role,
    pub status: AccountStatus,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The user's timezone; an unknown name (never stored, but be safe) falls back to UTC.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// What to call the user: their name, or their email when they gave none.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

/// An API token as listed in settings (the secret itself is shown only once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it stops working: tokens made by signing in expire; `None` lasts until revoked.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a password change ended besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChanged {
    /// The account's other sessions (other browsers and devices), now signed out.
    pub sessions_ended: usize,
    /// API tokens revoked, when asked.
    pub tokens_revoked: usize,
}

/// A newly made token: the only time its secret is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub token: ApiToken,
    pub secret: crate::secret::Secret,
}

/// Checks shared by sign-up, the admin command and password change.
pub mod rules {
    use crate::error::Validator;

    pub const MIN_PASSWORD: usize = 10;
    pub const MAX_PASSWORD: usize = 256;

    /// Lower-cases and trims an email, recording a field error if it is not plausible.
    pub fn email(v: &mut Validator, raw: &str) -> String {
        let email = raw.trim().to_lowercase();
        let plausible = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        v.check(
            plausible,
            "email",
            "enter an email address like name@example.com",
        );
        email
    }

    pub fn password(v: &mut Validator, field: &str, password: &str) {
        let len = password.chars().count();
        v.check(len >= MIN_PASSWORD, field, "use at least 10 characters");
        v.check(len <= MAX_PASSWORD, field, "use at most 256 characters");
    }

    pub fn name(v: &mut Validator, name: &str) -> String {
        let name = name.trim().to_owned();
        v.check(
            name.chars().count() <= 100,
            "name",
            "use at most 100 characters",
        );
        name
    }
}
