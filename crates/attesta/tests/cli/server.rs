//! The real `attesta serve --demo` as a child process, for the end-to-end
//! tests: on the test's engine and data dir, on a free port, with a known
//! back-office key.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use time::{Date, OffsetDateTime};

use crate::Env;

/// The served binary; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(env: &Env, admin_key: &str) -> Server {
    serve_with(env, admin_key, &[])
}

/// [`serve`] with more `ATTESTA_*` settings.
pub fn serve_with(env: &Env, admin_key: &str, settings: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("DATABASE_URL")
        .env("ATTESTA_LOG", "warn")
        .env("ATTESTA_ADMIN_API_KEY", admin_key)
        .envs(settings.iter().copied());
    if let Some(db) = &env.db {
        cmd.env("DATABASE_URL", &db.url);
    }
    cmd.arg("--data-dir")
        .arg(env.data_dir())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"]);
    let (child, base) = spawn_serving(cmd);
    Server { child, base }
}

/// Today in Rome, as the server sees it.
pub fn rome_today() -> Date {
    attesta_domain::journey::rome_date(OffsetDateTime::now_utc())
}

/// Starts a prepared `attesta … serve --listen 127.0.0.1:0` command and
/// returns the child and the base URL it printed first. Its output is read
/// to the end in the background: a closed pipe would stop the server.
pub fn spawn_serving(cmd: Command) -> (Child, String) {
    spawn_serving_to(cmd, Stdio::null(), std::io::sink())
}

/// [`spawn_serving`] with its standard error to `stderr` and the rest of
/// its standard output (after the first line) copied into `stdout`.
pub fn spawn_serving_to(
    mut cmd: Command,
    stderr: Stdio,
    mut stdout_rest: impl std::io::Write + Send + 'static,
) -> (Child, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("attesta serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .expect("serve prints where it listens");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut stdout_rest));
    let base = first
        .trim()
        .strip_prefix("attesta is listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    (child, base)
}
