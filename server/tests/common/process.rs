//! Real `aida` processes on a test database, for what only shows between processes: each has
//! its own memory, pool and listening connection, as in production.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An `aida serve` process, killed when dropped.
pub struct Process {
    child: Child,
    pub base: String,
}

impl Process {
    /// Starts `aida serve` on a free loopback port against `database_url` and waits until it
    /// answers.
    pub async fn serve(database_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_aida"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("AIDA_ADDR", format!("127.0.0.1:{port}"))
            .env("AIDA_SITE_ROOT", "target/site")
            .env("AIDA_WORKERS", "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aida serve");
        let process = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{}/health", process.base)).send().await
                && r.status().is_success()
            {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aida serve did not answer within 30 s");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
