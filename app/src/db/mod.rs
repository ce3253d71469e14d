//! The PostgreSQL connection pool and the embedded migrations.

pub mod notify;
pub mod recent_rows;
pub mod schema;
pub mod tx;

use deadpool::managed::Metrics;
use diesel_async::AsyncPgConnection;
use diesel_async::SimpleAsyncConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Hook, HookError, Object, Pool as DeadPool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

pub type Pool = DeadPool<AsyncPgConnection>;
pub type Conn = Object<AsyncPgConnection>;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("could not build the connection pool for DATABASE_URL: {0}")]
    Pool(String),
    #[error("could not connect to the database to migrate it: {0}")]
    Connect(String),
    #[error("a migration failed: {0}")]
    Migrate(String),
}

/// A connection idle for longer than this is checked with a round trip before it is handed
/// out again; one in steady use is not, which saves a round trip per checkout.
const VERIFY_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(2);

/// A pool of at most `size` connections; connections are opened lazily.
pub fn pool(url: &str, size: usize) -> Result<Pool, DbSetupError> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    DeadPool::builder(manager)
        .max_size(size)
        .pre_recycle(Hook::async_fn(
            |conn: &mut AsyncPgConnection, metrics: &Metrics| {
                let idle = metrics.last_used() > VERIFY_AFTER_IDLE;
                Box::pin(async move {
                    if idle {
                        conn.batch_execute("SELECT 1")
                            .await
                            .map_err(|e| HookError::message(e.to_string()))?;
                    }
                    Ok(())
                })
            },
        ))
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .build()
        .map_err(|e| DbSetupError::Pool(e.to_string()))
}

/// Takes a connection from the pool; an outage becomes [`AppError::Unavailable`].
pub async fn conn(pool: &Pool) -> Result<Conn, AppError> {
    Ok(pool.get().await?)
}

/// Applies every pending migration; returns the versions it applied.
pub async fn migrate(url: &str) -> Result<Vec<String>, DbSetupError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| DbSetupError::Connect(e.to_string()))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
    .map_err(|e| DbSetupError::Migrate(e.to_string()))?
}
