//! Sessions kept in PostgreSQL for tower-sessions, and who is signed in on one.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::notify::{self, Notice};
use crate::db::{self, Pool, schema::sessions};
use crate::state::Caches;

const USER_KEY: &str = "user_id";

/// How far a session's idle expiry may lag before it is written again: with idle expiry
/// every request extends the session, and writing each of those would cost a database write
/// per page view. Never more than a tenth of the time the session has left, so short idle
/// timeouts still extend an active session.
const EXPIRY_SLACK_SECONDS: i64 = 5 * 60;
/// A session row as a store last read or wrote it.
pub struct KnownSession {
    record: Record,
    fingerprint: u64,
}

/// A tower-sessions store on the `sessions` table. It remembers each session's row as it last
/// read or wrote it (`Caches::sessions`):
/// - a request within `reread_after` of that needs no read of its session, the first of a
///   page's statements (its expiry is still checked, here);
/// - it skips writes that would only move the expiry by less than a few minutes.
///
/// A change to a session (sign-out, sign-in) is announced to every process (`db::notify`), so
/// it takes effect at once in all of them; a row changed by hand is seen within
/// `reread_after`.
#[derive(Clone)]
pub struct PgSessionStore {
    pool: Pool,
    caches: Arc<Caches>,
}

/// A fingerprint of a record's data, to tell whether a save changes anything.
fn fingerprint(record: &Record) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut entries: Vec<_> = record.data.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (key, value) in entries {
        key.hash(&mut hasher);
        value.to_string().hash(&mut hasher);
    }
    hasher.finish()
}

fn known(record: &Record) -> Arc<KnownSession> {
    Arc::new(KnownSession {
        record: record.clone(),
        fingerprint: fingerprint(record),
    })
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    /// A store that remembers sessions in `caches` (shared with `db::notify`, which makes
    /// other processes' changes count at once).
    pub fn new(pool: Pool, caches: Arc<Caches>) -> Self {
        Self { pool, caches }
    }

    /// Whether the database already holds this record, up to the expiry slack (`now` in
    /// Unix seconds).
    fn is_current(&self, record: &Record, now: i64) -> bool {
        let new_expiry = record.expiry_date.unix_timestamp();
        let slack = EXPIRY_SLACK_SECONDS.min((new_expiry - now) / 10);
        self.caches.sessions.last_seen(&record.id).is_some_and(|k| {
            k.fingerprint == fingerprint(record)
                && new_expiry - k.record.expiry_date.unix_timestamp() < slack
        })
    }

    /// The session as last read or written, if that was recent enough to trust and it has
    /// not expired (`now` in Unix seconds).
    fn recent(&self, id: &Id, now: i64) -> Option<Record> {
        self.caches
            .sessions
            .recent(id)
            .filter(|k| k.record.expiry_date.unix_timestamp() > now)
            .map(|k| k.record.clone())
    }

    async fn conn(&self) -> session_store::Result<db::Conn> {
        self.pool
            .get()
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))
    }
}

/// Removes sessions past their expiry; returns how many.
pub async fn delete_expired(
    conn: &mut diesel_async::AsyncPgConnection,
) -> Result<usize, crate::error::AppError> {
    Ok(
        diesel::delete(sessions::table.filter(sessions::expires_at.lt(diesel::dsl::now)))
            .execute(conn)
            .await?,
    )
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> session_store::Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| session_store::Error::Encode("session expiry out of range".into()))
}

#[async_trait::async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A visitor's session holds nothing until there is something to keep (a sign-in):
        // nothing is stored for it, whatever cookie came with the request.
        if record.data.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        loop {
            let data = serde_json::to_vec(&*record)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = diesel::insert_into(sessions::table)
                .values((
                    sessions::id.eq(record.id.to_string()),
                    sessions::data.eq(data),
                    sessions::expires_at.eq(expiry(record)?),
                ))
                .on_conflict_do_nothing()
                .execute(&mut conn)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                self.caches
                    .sessions
                    .remember_write(record.id, known(record));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.is_current(record, time::OffsetDateTime::now_utc().unix_timestamp()) {
            return Ok(());
        }
        // Other processes need to hear only of new data: a later expiry alone they can miss.
        let data_changed = self
            .caches
            .sessions
            .last_seen(&record.id)
            .is_none_or(|k| k.fingerprint != fingerprint(record));
        let mut conn = self.conn().await?;
        let data =
            serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // Only an existing session is saved (a new one is `create`d): a request that loaded the
        // session before a sign-out and saves it after must not bring it back.
        let updated =
            diesel::update(sessions::table.filter(sessions::id.eq(record.id.to_string())))
                .set((
                    sessions::data.eq(data),
                    sessions::expires_at.eq(expiry(record)?),
                ))
                .execute(&mut conn)
                .await
                .map_err(backend)?;
        if updated == 0 {
            self.caches.sessions.forget(&record.id);
            return Ok(());
        }
        self.caches
            .sessions
            .remember_write(record.id, known(record));
        if data_changed {
            notify::send(&mut conn, &[Notice::Session(record.id.to_string())])
                .await
                .map_err(backend)?;
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = self.recent(id, time::OffsetDateTime::now_utc().unix_timestamp()) {
            return Ok(Some(record));
        }
        let ticket = self.caches.sessions.before_read();
        let mut conn = self.conn().await?;
        let data: Option<Vec<u8>> = sessions::table
            .filter(sessions::id.eq(id.to_string()))
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .select(sessions::data)
            .first(&mut conn)
            .await
            .optional()
            .map_err(backend)?;
        let record: Option<Record> = data
            .map(|d| {
                serde_json::from_slice(&d).map_err(|e| session_store::Error::Decode(e.to_string()))
            })
            .transpose()?;
        self.caches
            .sessions
            .remember_read(ticket, *id, record.as_ref().map(known));
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        let deleted = diesel::delete(sessions::table.filter(sessions::id.eq(id.to_string())))
            .execute(&mut conn)
            .await;
        // After the statement, so a load that overlapped it is not remembered either.
        self.caches.sessions.forget(id);
        deleted.map_err(backend)?;
        notify::send(&mut conn, &[Notice::Session(id.to_string())])
            .await
            .map_err(backend)?;
        Ok(())
    }
}

fn session_error(e: tower_sessions::session::Error) -> crate::error::AppError {
    tracing::warn!(error = %e, "session store failed");
    crate::error::AppError::Unavailable
}

/// Marks the session as belonging to `user_id`, with a new id (against fixation).
pub async fn sign_in(session: &Session, user_id: i64) -> Result<(), crate::error::AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_KEY, user_id)
        .await
        .map_err(session_error)
}

/// Ends every session of `user_id` but `keep` (the one asking), in the transaction `tx`: its
/// notice makes every process forget them when it commits. How many were ended.
pub async fn end_others(
    tx: &mut crate::db::tx::Tx,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, crate::error::AppError> {
    #[derive(diesel::QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    // The record is JSON; the user is `data.user_id` in it (see `sign_in`).
    let ended: Vec<Ended> = diesel::sql_query(format!(
        "DELETE FROM sessions WHERE (convert_from(data, 'UTF8')::jsonb -> 'data' ->> '{USER_KEY}') \
         = $1::text AND id <> $2 RETURNING id"
    ))
    .bind::<diesel::sql_types::BigInt, _>(user_id)
    .bind::<diesel::sql_types::Text, _>(keep.unwrap_or(""))
    .load(tx.conn())
    .await?;
    for e in &ended {
        tx.notify(Notice::Session(e.id.clone()));
    }
    Ok(ended.len())
}

/// Ends the session.
pub async fn sign_out(session: &Session) -> Result<(), crate::error::AppError> {
    session.flush().await.map_err(session_error)
}

/// The id of the user signed in on this session, if any.
pub async fn user_id(session: &Session) -> Result<Option<i64>, crate::error::AppError> {
    session.get::<i64>(USER_KEY).await.map_err(session_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    impl PgSessionStore {
        fn remember(&self, record: &Record) {
            self.caches
                .sessions
                .remember_write(record.id, known(record));
        }

        fn forget(&self, id: &Id) {
            self.caches.sessions.forget(id);
        }
    }

    fn record(user: i64, expiry_offset_secs: i64) -> Record {
        let mut data = HashMap::new();
        data.insert(USER_KEY.to_owned(), serde_json::json!(user));
        Record {
            id: Id(42),
            data,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(
                1_800_000_000 + expiry_offset_secs,
            )
            .expect("valid time"),
        }
    }

    fn store_trusting_for(reread_after: Duration) -> PgSessionStore {
        // The pool connects lazily; these checks never touch the database.
        let pool = crate::db::pool("postgres://nobody@127.0.0.1:9/none", 1).expect("pool");
        let caches = Arc::new(Caches::new(reread_after));
        caches.start_trusting();
        PgSessionStore::new(pool, caches)
    }

    fn store() -> PgSessionStore {
        store_trusting_for(Duration::from_secs(30))
    }

    /// Unix seconds two weeks before the test records expire.
    const TWO_WEEKS_BEFORE: i64 = 1_800_000_000 - 14 * 24 * 3600;

    #[test]
    fn unchanged_sessions_are_written_again_only_when_the_expiry_moves_enough() {
        let store = store();
        let now = TWO_WEEKS_BEFORE;
        assert!(!store.is_current(&record(1, 0), now), "never written");
        store.remember(&record(1, 0));
        assert!(
            store.is_current(&record(1, 60), now + 60),
            "a minute later: skip the write"
        );
        assert!(
            !store.is_current(&record(1, EXPIRY_SLACK_SECONDS), now + EXPIRY_SLACK_SECONDS),
            "the slack is used up"
        );
        assert!(!store.is_current(&record(2, 0), now), "the data changed");
        store.forget(&Id(42));
        assert!(
            !store.is_current(&record(1, 0), now),
            "forgotten after delete"
        );
    }

    #[test]
    fn short_idle_timeouts_are_extended_on_every_few_requests() {
        // A 2-minute idle timeout: the slack is 12 s, not 5 minutes.
        let store = store();
        let now = 1_800_000_000 - 120;
        store.remember(&record(1, 0));
        assert!(store.is_current(&record(1, 10), now + 10));
        assert!(
            !store.is_current(&record(1, 30), now + 30),
            "30 s later the session is written again, long before it expires"
        );
    }

    #[test]
    fn a_known_session_is_served_from_memory_until_it_expires_or_is_forgotten() {
        let store = store();
        let expiry = record(1, 0).expiry_date.unix_timestamp();
        assert!(store.recent(&Id(42), expiry - 60).is_none(), "never seen");
        store.remember(&record(1, 0));
        assert_eq!(
            store.recent(&Id(42), expiry - 60).map(|r| r.data),
            Some(record(1, 0).data)
        );
        assert!(store.recent(&Id(42), expiry).is_none(), "expired");
        store.forget(&Id(42));
        assert!(store.recent(&Id(42), expiry - 60).is_none(), "signed out");
    }

    #[test]
    fn a_known_session_is_read_again_once_it_is_no_longer_recent() {
        let store = store_trusting_for(Duration::ZERO);
        let expiry = record(1, 0).expiry_date.unix_timestamp();
        store.remember(&record(1, 0));
        assert!(store.recent(&Id(42), expiry - 60).is_none());
    }
}
