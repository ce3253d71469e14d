//! Attendees and invitations as the pages and the API see them.

use serde::{Deserialize, Serialize};

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Invited,
    Accepted,
    Declined,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Invited, Self::Accepted, Self::Declined]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// Someone invited to one of the user's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub id: i64,
    pub event_id: i64,
    pub phone: String,
    pub name: String,
    /// Whether the number belongs to someone who uses Aida (then they answer in Aida).
    pub uses_aida: bool,
    pub answer: Answer,
}

/// An invitation the user received and has not answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: i64,
    /// Who invited them.
    pub from: String,
    pub title: String,
    /// When, in the user's timezone.
    pub when: String,
}
