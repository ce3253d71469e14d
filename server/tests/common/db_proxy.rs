//! A TCP relay between an app and PostgreSQL that a test can cut, as when the database
//! server stops or the network to it fails: connections through it are dropped, and new
//! ones are refused until it is restored.

use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct DbProxy {
    /// `None` while cut; else the token that ends the connections of this period.
    open: Arc<Mutex<Option<CancellationToken>>>,
    pub port: u16,
}

impl DbProxy {
    /// A relay to the PostgreSQL server of `database_url`.
    pub async fn to(database_url: &str) -> Self {
        let target = host_port(database_url);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Self {
            open: Arc::new(Mutex::new(Some(CancellationToken::new()))),
            port,
        };
        let open = proxy.open.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let Some(period) = open.lock().expect("lock").clone() else {
                    // Cut: the connection is closed at once, as a stopped server's port would.
                    continue;
                };
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        () = period.cancelled() => {}
                    }
                });
            }
        });
        proxy
    }

    /// `database_url` through this relay.
    pub fn url(&self, database_url: &str) -> String {
        database_url.replacen(
            &host_port(database_url),
            &format!("127.0.0.1:{}", self.port),
            1,
        )
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        if let Some(period) = self.open.lock().expect("lock").take() {
            period.cancel();
        }
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        let mut open = self.open.lock().expect("lock");
        if open.is_none() {
            *open = Some(CancellationToken::new());
        }
    }
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_owned()
}
