//! Helpers shared by the integration tests.

use std::path::Path;

/// Whether the external program `name` is on `PATH`.
///
/// A missing tool skips the calling test (with a printed reason) on a
/// developer machine, but fails it when `CI=true`, where `.ci/run` installs
/// every tool and a silent skip would hide a broken check.
pub fn require_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(name)))
    });
    if found {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("required tool `{name}` is not installed (CI=true, so this is an error)");
    }
    eprintln!(
        "SKIP: `{name}` is not installed; install it (Debian: poppler-utils, zbar-tools, qpdf) to run this check"
    );
    false
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
