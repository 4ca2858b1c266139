//! Serving an axum app on 127.0.0.1 until its owner is dropped (the sandbox and the listener).

use tokio::sync::oneshot;

use crate::error::Error;

/// A running server; dropping it stops the server.
#[derive(Debug)]
pub(crate) struct Served {
    pub(crate) url: String,
    _stop: oneshot::Sender<()>,
}

/// Binds `port` of 127.0.0.1 (0 picks a free one) and serves `app` in the background.
pub(crate) async fn on_loopback(port: u16, app: axum::Router) -> Result<Served, Error> {
    let cannot = |e: std::io::Error| {
        Error::config("port", format!("cannot listen on 127.0.0.1:{port}: {e}"))
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(cannot)?;
    let address = listener.local_addr().map_err(cannot)?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async move {
            // Resolves when the `Served` is dropped.
            let _ = stopped.await;
        };
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    Ok(Served {
        url: format!("http://{address}"),
        _stop: stop,
    })
}
