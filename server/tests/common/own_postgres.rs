//! A PostgreSQL server of a test's own, which the test can stop as a crash would
//! (`pg_ctl stop -m immediate`) and start again: for what Aida does while its database is
//! away. Uses the PostgreSQL installed for `scripts/test` (`/usr/lib/postgresql/*/bin`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static CLUSTERS: AtomicU32 = AtomicU32::new(0);

pub struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (scripts/test installs it)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop().expect("pg_ctl")
}

/// Whether we run as root: PostgreSQL's tools then run as `postgres` (initdb refuses root).
fn root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `tool`, run as the cluster's owner.
fn command(tool: &Path) -> Command {
    if root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    }
}

fn run(tool: &Path, args: &[&str]) {
    let output = command(tool)
        .args(args)
        .output()
        .expect("run a PostgreSQL tool");
    assert!(
        output.status.success(),
        "{} {args:?}: {}",
        tool.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl OwnPostgres {
    /// A new cluster, started, with a migrated database `aida`.
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "aida-own-pg-{}-{}",
            std::process::id(),
            CLUSTERS.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cluster folder");
        if root() {
            let _ = Command::new("chmod")
                .args(["o+x"])
                .arg(std::env::temp_dir())
                .status();
            let owned = Command::new("chown")
                .arg("postgres")
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(owned.success(), "chown the cluster folder to postgres");
        }
        let pg = Self {
            bin: bin(),
            dir,
            port: free_port(),
        };
        let data = pg.data();
        run(
            &pg.bin.join("initdb"),
            &[
                "-D",
                &data,
                "-U",
                "aida",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
        );
        pg.start_again();
        let admin = format!("postgres://aida@127.0.0.1:{}/postgres", pg.port);
        let mut conn =
            <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&admin)
                .await
                .expect("connect to the new cluster");
        diesel_async::RunQueryDsl::execute(diesel::sql_query("CREATE DATABASE aida"), &mut conn)
            .await
            .expect("create database");
        app::db::migrate(&pg.url()).await.expect("migrate");
        pg
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    pub fn url(&self) -> String {
        format!("postgres://aida@127.0.0.1:{}/aida", self.port)
    }

    /// Stops the server at once, as a crash or a pulled plug would: no checkpoint, clients cut.
    pub fn crash(&self) {
        run(
            &self.bin.join("pg_ctl"),
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// Starts the server (again, after [`OwnPostgres::crash`]: it recovers from its log).
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {}",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log").display().to_string();
        run(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = command(&self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
