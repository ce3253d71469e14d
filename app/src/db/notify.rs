//! How processes sharing one database tell each other what changed (and to stop a reply): PostgreSQL's
//! `LISTEN/NOTIFY` on one channel. A notice sent inside a transaction is delivered when it
//! commits (and never if it rolls back), so a process hears of a change exactly when the
//! change can be read.
//!
//! Each process keeps one connection listening ([`listen`]) and drops what it remembered of
//! the rows a notice names. While that connection is down nothing is served from memory, and
//! when it is back everything remembered is forgotten (a full reread), since notices sent
//! meanwhile were lost.

use std::time::Duration;

use crate::error::AppError;
use crate::state::AppState;
use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::StreamExt;

/// The one channel Aida's notices travel on.
pub const CHANNEL: &str = "aida";
/// How long the listening connection may stay silent before it is checked.
const CHECK_EVERY: Duration = Duration::from_secs(10);
/// The pause before connecting again after the listening connection was lost.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Something other processes must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A user's events, tasks or expenses changed.
    UserData(i64),
    /// An account changed (status, profile) or was removed.
    Account(i64),
    /// A session was changed or ended (its id).
    Session(String),
    /// Jobs are ready to run.
    Jobs,
    /// Stop writing this reply (its message id), wherever it is written.
    StopTurn(i64),
    /// Replies to text messages were queued (a webhook may be waiting to give one).
    SmsReplies,
}

impl Notice {
    fn encode(&self) -> String {
        match self {
            Self::UserData(id) => format!("d:{id}"),
            Self::Account(id) => format!("a:{id}"),
            Self::Session(id) => format!("s:{id}"),
            Self::Jobs => "j".to_owned(),
            Self::SmsReplies => "r".to_owned(),
            Self::StopTurn(id) => format!("x:{id}"),
        }
    }

    fn decode(payload: &str) -> Option<Self> {
        match payload {
            "j" => return Some(Self::Jobs),
            "r" => return Some(Self::SmsReplies),
            _ => {}
        }
        let (kind, rest) = payload.split_once(':')?;
        match kind {
            "d" => rest.parse().ok().map(Self::UserData),
            "a" => rest.parse().ok().map(Self::Account),
            "s" => Some(Self::Session(rest.to_owned())),
            "x" => rest.parse().ok().map(Self::StopTurn),
            _ => None,
        }
    }
}

/// Sends `notices` on `conn`: at commit when a transaction is open, else at once.
pub async fn send(conn: &mut AsyncPgConnection, notices: &[Notice]) -> Result<(), AppError> {
    if notices.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = notices.iter().map(Notice::encode).collect();
    diesel::sql_query("SELECT pg_notify($1, payload) FROM unnest($2) AS payload")
        .bind::<Text, _>(CHANNEL)
        .bind::<Array<Text>, _>(payloads)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies a notice to this process.
fn apply(notice: &Notice, state: &AppState) {
    match notice {
        Notice::Jobs => state.jobs_ready.notify_waiters(),
        Notice::SmsReplies => state.sms_replies.notify_waiters(),
        Notice::StopTurn(id) => state.assistant.cancel(*id),
        other => state.caches.forget(other),
    }
}

#[derive(Debug, thiserror::Error)]
enum ListenError {
    #[error("could not connect to listen: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("the listening connection failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("the listening connection closed")]
    Closed,
}

async fn connect(url: &str) -> Result<AsyncPgConnection, ListenError> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    Ok(conn)
}

/// Starts listening for notices on a connection of its own; returns once the first
/// connection listens (so what this process remembers from then on is kept right), with the
/// task that goes on listening and reconnecting until it is aborted.
pub async fn listen(url: String, state: AppState) -> Result<tokio::task::JoinHandle<()>, AppError> {
    let first = connect(&url).await.map_err(|e| {
        tracing::error!(error = %e, "cannot listen for other processes' changes");
        AppError::Unavailable
    })?;
    state.caches.start_trusting();
    Ok(tokio::spawn(async move {
        let mut conn = Some(first);
        loop {
            let current = match conn.take() {
                Some(c) => c,
                None => match connect(&url).await {
                    Ok(c) => {
                        tracing::info!("listening for other processes' changes again");
                        state.caches.start_trusting();
                        c
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen yet; retrying");
                        tokio::time::sleep(RECONNECT_AFTER).await;
                        continue;
                    }
                },
            };
            let lost = receive(current, &state).await;
            state.caches.stop_trusting();
            // Workers waiting for a notice look for work themselves.
            state.jobs_ready.notify_waiters();
            tracing::warn!(error = %lost, "lost the listening connection; serving from the database");
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    }))
}

/// Applies notices until the connection fails.
async fn receive(mut conn: AsyncPgConnection, state: &AppState) -> ListenError {
    loop {
        let next = {
            let mut stream = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(CHECK_EVERY, stream.next()).await
        };
        match next {
            Ok(Some(Ok(n))) => match Notice::decode(&n.payload) {
                Some(notice) => apply(&notice, state),
                None => tracing::warn!(payload = n.payload, "unreadable notice"),
            },
            Ok(Some(Err(e))) => return e.into(),
            Ok(None) => return ListenError::Closed,
            Err(_quiet) => {
                if let Err(e) = conn.batch_execute("SELECT 1").await {
                    return e.into();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_read_back_as_sent() {
        for notice in [
            Notice::UserData(12),
            Notice::Account(3),
            Notice::Session("aBc-_09".into()),
            Notice::Jobs,
            Notice::StopTurn(8),
        ] {
            assert_eq!(Notice::decode(&notice.encode()), Some(notice));
        }
        assert_eq!(Notice::decode("d:x"), None);
        assert_eq!(Notice::decode("zz"), None);
    }
}
