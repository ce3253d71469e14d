//! A write and everything it causes, in one database transaction.
//!
//! Write operations take a [`Tx`] and say what they changed ([`Tx::changed`]); callers that
//! combine several (an assistant's action and its undo record, an undo's claim and its
//! revert) run them in one. [`Tx::commit`] first writes what the changes cause
//! ([`crate::changes::follow`]: notices to other processes, later jobs), then commits, then
//! drops what this process built from the changed rows. A `Tx` dropped without a commit (an
//! error, a cancelled request) rolls back: nothing it wrote remains.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

use super::notify::{self, Notice};
use super::{Conn, Pool};
use crate::changes::{self, Change};
use crate::error::AppError;
use crate::state::Caches;

pub struct Tx {
    /// `None` once committed or rolled back.
    conn: Option<Conn>,
    changes: Vec<Change>,
    notices: Vec<Notice>,
    caches: Arc<Caches>,
    now: DateTime<Utc>,
    /// Whether this server syncs with Google Calendar (then event changes are pushed there).
    google: bool,
}

impl Tx {
    /// Takes a connection and opens a transaction on it.
    pub async fn begin(
        pool: &Pool,
        caches: Arc<Caches>,
        now: DateTime<Utc>,
        google: bool,
    ) -> Result<Self, AppError> {
        let mut conn = super::conn(pool).await?;
        AnsiTransactionManager::begin_transaction(&mut *conn).await?;
        Ok(Self {
            conn: Some(conn),
            changes: Vec::new(),
            notices: Vec::new(),
            caches,
            now,
            google,
        })
    }

    /// The transaction's connection.
    pub fn conn(&mut self) -> &mut AsyncPgConnection {
        // Only `commit` takes the connection, and it consumes the Tx.
        self.conn
            .as_deref_mut()
            .unwrap_or_else(|| unreachable!("a Tx keeps its connection until it ends"))
    }

    /// When the transaction began, by the application's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records what a write in this transaction changed.
    pub fn changed(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Sends `notice` to every process when (and only if) the transaction commits.
    pub fn notify(&mut self, notice: Notice) {
        self.notices.push(notice);
    }

    /// Writes what the changes cause, then commits.
    pub async fn commit(mut self) -> Result<(), AppError> {
        let changes = std::mem::take(&mut self.changes);
        crate::reminders::schedule::reschedule(&mut self, &changes).await?;
        if self.google {
            crate::google::push::schedule(&mut self, &changes).await?;
        }
        let mut notices = changes::follow(&changes);
        notices.append(&mut self.notices);
        notify::send(self.conn(), &notices).await?;
        let Some(mut conn) = self.conn.take() else {
            return Err(AppError::Internal);
        };
        let committed = AnsiTransactionManager::commit_transaction(&mut *conn).await;
        drop(conn);
        // This process forgets at once, not only when its own notice comes back: the caller
        // may read again before then. After a failed commit too: it may have committed.
        for notice in &notices {
            self.caches.forget(notice);
        }
        Ok(committed?)
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // Roll back before the connection goes back to the pool. Without a runtime (or if the
        // rollback fails) the pool sees the open transaction and discards the connection.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = AnsiTransactionManager::rollback_transaction(&mut *conn).await {
                    tracing::warn!(error = %e, "could not roll back a transaction");
                }
            });
        }
    }
}

/// An async closure given a [`Tx`] whose future can move between threads (what
/// [`crate::state::AppState::write`] takes). Stable Rust cannot yet say that of an
/// `AsyncFnOnce` directly; this names the future's type so a `Send` bound can be put on it.
pub trait TxFn<'t, R>:
    AsyncFnOnce(&'t mut Tx) -> Result<R, AppError> + FnOnce(&'t mut Tx) -> Self::Fut
{
    type Fut: Future<Output = Result<R, AppError>>;
}

impl<'t, R, F, Fut> TxFn<'t, R> for F
where
    F: AsyncFnOnce(&'t mut Tx) -> Result<R, AppError> + FnOnce(&'t mut Tx) -> Fut,
    Fut: Future<Output = Result<R, AppError>>,
{
    type Fut = Fut;
}
