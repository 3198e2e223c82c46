//! `sluice`: runs Sluice (`sluice login` and `sluice whoami` are its
//! command-line client). `--help` lists the settings.
#![recursion_limit = "256"]

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // Before any thread starts: `SLUICE_X=` means unset.
    server::args::forget_empty_settings();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = match server::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line: what is wrong, naming the setting; --help says the rest.
            eprintln!("error: {} (see --help)", server::args::explain(&e));
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Some(server::args::Command::Login { url }) => {
            return cli_outcome(server::cli::login(url, &mut std::io::stdin().lock()).await);
        }
        Some(server::args::Command::Whoami) => return cli_outcome(server::cli::whoami().await),
        Some(server::args::Command::LiftSecondFactor { handle }) => {
            return match server::operator::lift_second_factor(&cli.settings, &handle).await {
                Ok(said) => {
                    println!("{said}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        None => {}
    }
    let demo = cli.demo;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        // The log goes to stderr; stdout is for the person at the terminal
        // (the address and, with --demo, the demo account's sign-in link).
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    // Before the limits are read from it: a server wants more than 1024.
    server::connections::raise_open_files_limit();
    // A wrong setting, a taken port or storage that will not open stops the
    // start with one line and code 2.
    let start = async {
        let config = server::config::load(&cli.settings).map_err(|e| e.to_string())?;
        let http = server::bind(config.leptos.site_addr).await.map_err(|e| e.to_string())?;
        let plan = server::Plan::new(config.leptos, config.settings, http);
        server::start(plan, shutdown_signal()).await.map_err(|e| e.to_string())
    };
    let running = match start.await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("Sluice is running at {}", running.state.settings.public_origin());
    if let Some(pg) = &running.postgres {
        println!("Workspace databases: PostgreSQL {} at {}", pg.major, pg.listen);
        if running.state.settings.db_tls.is_on() {
            println!("  TLS is on: clients connect with sslmode=require");
        }
    } else if let Some(why) = running.state.workspaces.unavailable() {
        println!("Workspaces are unavailable: {why}");
    }
    for cluster in &running.state.settings.workspace_clusters {
        println!("Workspaces in {} on the PostgreSQL cluster at {}", cluster.region, cluster.key());
    }
    if demo {
        match server::demo::sign_in_link(&running.state, &running.clusters).await {
            Ok(link) => println!("Sign in as the demo account (the link works once, for 15 minutes):\n  {link}"),
            Err(e) => eprintln!("warning: could not prepare the demo account: {e}"),
        }
    }
    let served = running.served.await;
    if let Some(pg) = running.postgres {
        pg.stop().await;
    }
    match served {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: the web server stopped: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn cli_outcome(result: Result<(), server::cli::CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ server::cli::CliError::Usage(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
