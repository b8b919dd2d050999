//! Outside tools and files a test needs, and the independent readers of
//! attesta's PDFs and QR codes built on them (poppler, ZBar).

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::Command;

/// True when running under CI (`CI=true` or `CI=1`), where every outside
/// tool, file and database must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Something a test needs is missing: `what` is printed and the caller
/// skips the check on a developer's machine; under CI this panics, since
/// CI provides everything and a silent skip would hide a broken check.
pub fn unavailable(what: impl Display) {
    if in_ci() {
        panic!("CI is set but {what}");
    }
    eprintln!("skipped: {what}");
}

/// An outside program found on `PATH` by [`require_tool`].
#[derive(Debug, Clone)]
pub struct Tool {
    path: PathBuf,
}

impl Tool {
    /// A command running this tool.
    pub fn command(&self) -> Command {
        Command::new(&self.path)
    }

    /// Runs the tool with `args` and returns its standard output; panics,
    /// with its standard error, when it fails.
    pub fn output<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = self.command().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{} failed: {}",
            self.path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }
}

/// The Debian package that ships `tool`, for the message when it is missing.
fn package_of(tool: &str) -> &str {
    match tool {
        "pdftoppm" | "pdftotext" | "pdfinfo" | "pdffonts" => "poppler-utils",
        "zbarimg" => "zbar-tools",
        "pg_createcluster" | "pg_ctlcluster" | "pg_dropcluster" => "postgresql-common",
        other => other,
    }
}

/// The program `name` on `PATH`, or `None` when it is missing on a
/// developer's machine (skipped with a printed reason; a failure under CI).
pub fn require_tool(name: &str) -> Option<Tool> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    });
    if found.is_none() {
        unavailable(format_args!(
            "{name} is not installed (Debian package {})",
            package_of(name)
        ));
    }
    found.map(|path| Tool { path })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `path` when it exists (test data outside the repository, such as
/// `shared/testdata`), or `None` after the printed reason (a failure under CI).
pub fn require_path(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    unavailable(format_args!("{} is missing", path.display()));
    None
}

/// The text of the QR code in a PNG, read by ZBar (QR codes only), or
/// `None` when ZBar is missing here. Panics when ZBar finds no QR code.
pub fn read_qr_png(png: &[u8]) -> Option<String> {
    let zbar = require_tool("zbarimg")?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.png");
    std::fs::write(&path, png).unwrap();
    Some(zbar_read(&zbar, &path))
}

/// Renders page `page` (from 1) of a PDF at `dpi` with `pdftoppm` and reads
/// its QR code with ZBar; `None` when either tool is missing here.
pub fn read_qr_on_pdf_page(pdf: &[u8], page: u32, dpi: u32) -> Option<String> {
    let (pdftoppm, zbar) = (require_tool("pdftoppm"), require_tool("zbarimg"));
    let (pdftoppm, zbar) = (pdftoppm?, zbar?);
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("doc.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let prefix = dir.path().join("page");
    let (p, r) = (page.to_string(), dpi.to_string());
    let status = pdftoppm
        .command()
        .args(["-r", &r, "-png", "-f", &p, "-l", &p, "-singlefile"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed on page {page}");
    Some(zbar_read(&zbar, &prefix.with_extension("png")))
}

fn zbar_read(zbar: &Tool, png: &Path) -> String {
    let out = zbar
        .command()
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no QR code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 QR text")
        .trim_end_matches('\n')
        .to_owned()
}

/// Runs the poppler tool `name` on `pdf` (then `trailing` arguments) and
/// returns what it prints; `None` when it is missing here.
fn poppler(name: &str, args: &[&str], pdf: &[u8], trailing: &[&str]) -> Option<String> {
    let tool = require_tool(name)?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    all.push(path.as_os_str());
    all.extend(trailing.iter().map(|a| -> &std::ffi::OsStr { a.as_ref() }));
    Some(tool.output(all))
}

/// The text of a PDF as `pdftotext -enc UTF-8` extracts it.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf, &["-"])
}

/// `pdfinfo`'s report on a PDF (pages, page size, tagged, title).
pub fn pdfinfo(pdf: &[u8]) -> Option<String> {
    poppler("pdfinfo", &[], pdf, &[])
}

/// `pdffonts`'s table of a PDF's fonts.
pub fn pdffonts(pdf: &[u8]) -> Option<String> {
    poppler("pdffonts", &[], pdf, &[])
}
