//! Ctrl-C / SIGTERM: the signal every long-running command stops on.

use tokio::signal::unix::{signal, SignalKind};

/// Resolves on the first Ctrl-C (SIGINT) or SIGTERM.
pub async fn requested() {
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
