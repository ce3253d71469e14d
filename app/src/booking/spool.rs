//! Bookings the database could not take in time, kept on local disk until it can.
//!
//! Each request is one file under `<AIDA_DATA_DIR>/voice-spool/`, written to a temporary name,
//! synced, renamed into place and the directory synced, all before the caller is answered: a
//! crash or a power cut after the answer keeps it. Names sort by the time the request came
//! in, and replay takes them in that order. Replay books through the same idempotent path as
//! the webhook (one booking per call and start), so a request booked twice, by two processes
//! sharing the directory or by a first try that committed after all, is booked once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::caller::{self, Received};
use crate::error::AppError;
use crate::state::AppState;

/// The spool's folder under the data directory.
pub const FOLDER: &str = "voice-spool";
/// Where entries that cannot be read are moved, for a person to look at.
pub const UNREADABLE: &str = "unreadable";
/// How often a process looks for spooled requests.
const EVERY: Duration = Duration::from_secs(2);

/// Orders entries written in one process within one microsecond.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("encoding a spooled request: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the spool's writer stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(FOLDER)
}

/// Writes `received` durably; its path.
pub async fn put(data_dir: &Path, received: &Received) -> Result<PathBuf, SpoolError> {
    let body = serde_json::to_vec(received)?;
    let name = format!(
        "{:020}-{:012}-{:08x}.json",
        received.received_at.timestamp_micros().max(0),
        SEQUENCE.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    let dir = folder(data_dir);
    let written = tokio::task::spawn_blocking(move || write_synced(&dir, &name, &body)).await??;
    tracing::warn!(path = %written.display(), "a booking was spooled to disk");
    Ok(written)
}

fn write_synced(dir: &Path, name: &str, body: &[u8]) -> Result<PathBuf, SpoolError> {
    use std::io::Write;
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| SpoolError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let temporary = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    let mut file = std::fs::File::create(&temporary).map_err(failed(&temporary))?;
    file.write_all(body).map_err(failed(&temporary))?;
    file.sync_all().map_err(failed(&temporary))?;
    std::fs::rename(&temporary, &path).map_err(failed(&path))?;
    sync_dir(dir).map_err(failed(dir))?;
    Ok(path)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Checks, at start, that requests can be spooled under `data_dir` (the folder is made, a
/// file written, synced and removed), so a misplaced `AIDA_DATA_DIR` shows before a
/// database outage needs it.
pub fn ensure_writable(data_dir: &Path) -> Result<(), SpoolError> {
    let dir = folder(data_dir);
    let probe = write_synced(&dir, ".probe", b"")?;
    std::fs::remove_file(&probe).map_err(|source| SpoolError::Write {
        path: probe.clone(),
        source,
    })
}

/// The spooled entries, oldest first.
pub fn pending(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder(data_dir)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    paths
}

/// Books every spooled request in order; how many were done. Stops at the first the database
/// cannot take (`Unavailable`): they wait for the next round.
pub async fn replay(state: &AppState) -> Result<usize, AppError> {
    let data_dir = &state.settings.voice.data_dir;
    let mut done = 0;
    for path in pending(data_dir) {
        let Ok(text) = tokio::fs::read(&path).await else {
            // Another process replayed it meanwhile.
            continue;
        };
        let received: Received = match serde_json::from_slice(&text) {
            Ok(received) => received,
            Err(e) => {
                set_aside(data_dir, &path, &e.to_string()).await;
                continue;
            }
        };
        match caller::replay(state, &received).await {
            Ok(()) => {
                remove(&path).await;
                done += 1;
            }
            Err(AppError::Unavailable) => return Err(AppError::Unavailable),
            Err(e) => {
                tracing::error!(error = %e, path = %path.display(), "a spooled booking failed again; kept");
            }
        }
    }
    if done > 0 {
        tracing::info!(done, "spooled bookings replayed");
    }
    Ok(done)
}

async fn remove(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {
            if let Some(dir) = path.parent().map(Path::to_owned) {
                let _ = tokio::task::spawn_blocking(move || sync_dir(&dir)).await;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "a replayed booking stays spooled")
        }
    }
}

async fn set_aside(data_dir: &Path, path: &Path, why: &str) {
    let aside = folder(data_dir).join(UNREADABLE);
    let moved = match (tokio::fs::create_dir_all(&aside).await, path.file_name()) {
        (Ok(()), Some(name)) => tokio::fs::rename(path, aside.join(name)).await.is_ok(),
        _ => false,
    };
    tracing::error!(path = %path.display(), why, moved, "a spooled booking cannot be read");
}

/// Replays the spool every few seconds until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    loop {
        if !pending(&state.settings.voice.data_dir).is_empty() {
            match replay(&state).await {
                Ok(_) => {}
                Err(AppError::Unavailable) => {
                    tracing::debug!("the database is still away; spooled bookings wait");
                }
                Err(e) => tracing::error!(error = %e, "replaying spooled bookings"),
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writable_folder_is_made_and_an_unwritable_one_refused() {
        let dir = std::env::temp_dir().join(format!("aida-spool-probe-{}", std::process::id()));
        ensure_writable(&dir).expect("writable");
        assert!(dir.join(FOLDER).is_dir());
        assert!(
            pending(&dir).is_empty(),
            "the probe leaves nothing to replay"
        );
        let _ = std::fs::remove_dir_all(&dir);
        assert!(ensure_writable(Path::new("/proc/aida-cannot-write-here")).is_err());
    }
}
