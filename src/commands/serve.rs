//! `citytrace serve`: the public explorer.

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context;
use citytrace_schema::DEFAULT_DATABASE;

use crate::globals::Globals;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    bind: String,
    /// HTTP worker threads (0: one per CPU core).
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Database connections in the pool.
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
}

pub fn run(globals: &Globals, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let pool = globals.open(DEFAULT_DATABASE, args.pool_size)?;
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("listening on {}", args.bind))?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let server = citytrace_explorer::serve(listener, pool.clone(), args.workers)?;
        let handle = server.handle();
        println!("citytrace explorer: http://{address}  (Ctrl-C to stop)");
        tokio::select! {
            result = server => result?,
            _ = crate::shutdown::requested() => handle.stop(true).await,
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
