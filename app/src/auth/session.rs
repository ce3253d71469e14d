//! Sessions kept in PostgreSQL for tower-sessions, and who is signed in on one.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::{self, Pool, schema::sessions};

const USER_KEY: &str = "user_id";

/// A tower-sessions store on the `sessions` table.
#[derive(Clone)]
pub struct PgSessionStore {
    pool: Pool,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn delete_expired(&self) -> Result<usize, crate::error::AppError> {
        let mut conn = db::conn(&self.pool).await?;
        Ok(
            diesel::delete(sessions::table.filter(sessions::expires_at.lt(diesel::dsl::now)))
                .execute(&mut conn)
                .await?,
        )
    }

    async fn conn(&self) -> session_store::Result<db::Conn> {
        self.pool
            .get()
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))
    }
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
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        let data =
            serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(record.id.to_string()),
                sessions::data.eq(data),
                sessions::expires_at.eq(expiry(record)?),
            ))
            .on_conflict(sessions::id)
            .do_update()
            .set((
                sessions::data.eq(excluded(sessions::data)),
                sessions::expires_at.eq(excluded(sessions::expires_at)),
            ))
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn().await?;
        let data: Option<Vec<u8>> = sessions::table
            .filter(sessions::id.eq(id.to_string()))
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .select(sessions::data)
            .first(&mut conn)
            .await
            .optional()
            .map_err(backend)?;
        data.map(|d| {
            serde_json::from_slice(&d).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        diesel::delete(sessions::table.filter(sessions::id.eq(id.to_string())))
            .execute(&mut conn)
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

/// Ends the session.
pub async fn sign_out(session: &Session) -> Result<(), crate::error::AppError> {
    session.flush().await.map_err(session_error)
}

/// The id of the user signed in on this session, if any.
pub async fn user_id(session: &Session) -> Result<Option<i64>, crate::error::AppError> {
    session.get::<i64>(USER_KEY).await.map_err(session_error)
}
