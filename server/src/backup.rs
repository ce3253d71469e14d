//! `aida backup FILE` and `aida restore FILE`: the whole database in PostgreSQL's own
//! archive format (`pg_dump --format=custom`), and back into a new, empty database.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot run {tool}: {source} (install PostgreSQL's client tools)")]
    Tool {
        tool: String,
        source: std::io::Error,
    },
    #[error("{tool} failed: {message}")]
    Failed { tool: String, message: String },
    #[error("restore into a new, empty database: this one already holds {0} tables")]
    NotEmpty(i64),
    #[error("reading the database: {0}")]
    Database(String),
    #[error("migrating the restored database: {0}")]
    Migrate(String),
}

/// PostgreSQL's `tool`: from the newest server installed beside us (Debian's layout, so it
/// matches the server), else from `PATH`.
fn tool(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run(name: &str, args: &[&std::ffi::OsStr]) -> Result<(), BackupError> {
    let output = Command::new(tool(name))
        .args(args)
        .output()
        .map_err(|source| BackupError::Tool {
            tool: name.to_owned(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    Err(BackupError::Failed {
        tool: name.to_owned(),
        message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// Writes the database at `database_url` to `file`.
pub fn backup(database_url: &str, file: &Path) -> Result<(), BackupError> {
    run(
        "pg_dump",
        &[
            "--format=custom".as_ref(),
            "--no-owner".as_ref(),
            "--file".as_ref(),
            file.as_os_str(),
            "--dbname".as_ref(),
            database_url.as_ref(),
        ],
    )
}

/// Restores `file` into the empty database at `database_url`, then applies any migration
/// newer than the backup.
pub async fn restore(database_url: &str, file: &Path) -> Result<(), BackupError> {
    let tables = table_count(database_url).await?;
    if tables > 0 {
        return Err(BackupError::NotEmpty(tables));
    }
    run(
        "pg_restore",
        &[
            "--no-owner".as_ref(),
            "--exit-on-error".as_ref(),
            "--dbname".as_ref(),
            database_url.as_ref(),
            file.as_os_str(),
        ],
    )?;
    app::db::migrate(database_url)
        .await
        .map_err(|e| BackupError::Migrate(e.to_string()))?;
    Ok(())
}

async fn table_count(database_url: &str) -> Result<i64, BackupError> {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .map_err(|e| BackupError::Database(e.to_string()))?;
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
            .get_result(&mut conn)
            .await
            .map_err(|e| BackupError::Database(e.to_string()))?;
    Ok(count.n)
}
