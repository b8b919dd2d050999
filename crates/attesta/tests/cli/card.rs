//! `attesta keys …` and `attesta card verify …` as a user runs them.

use std::path::Path;
use std::process::Command;

use attesta_credential::card::{
    CardClaims, CardSigningKey, KeySet, StatusList, StatusListToken, StatusRef, issue_card,
};

const URI: &str = "https://attesta.example.it/api/v1/status-lists/ab";
const IAT: i64 = 1_780_000_000;
const EXP: i64 = IAT + 10 * 365 * 86_400;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn attesta(data_dir: &Path, args: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("DATABASE_URL").env("ATTESTA_LOG", "warn");
    let out = cmd
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn keys_generate_rotate_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = attesta(&data, &["keys", "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("no keys"));
    let out = attesta(&data, &["keys", "rotate"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("attesta keys generate"),
        "{}",
        out.stderr
    );

    let out = attesta(&data, &["keys", "generate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("activated"), "{}", out.stdout);
    let out = attesta(&data, &["keys", "generate"]);
    assert!(out.stdout.contains("published as next"), "{}", out.stdout);
    let files: Vec<_> = std::fs::read_dir(data.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2);
    #[cfg(unix)]
    for f in &files {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = attesta(&data, &["keys", "rotate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = attesta(&data, &["keys", "list"]);
    let lines: Vec<_> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(out.stdout.contains("active") && out.stdout.contains("retired"));
    // No private key material on any output.
    assert!(!out.stdout.contains("PRIVATE") && !out.stderr.contains("PRIVATE"));
}

#[test]
fn card_verify_outcomes_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let key = CardSigningKey::generate();
    let claims = CardClaims {
        issuer: "https://attesta.example.it".into(),
        expires_at: EXP,
        issued_at: IAT,
        serial: "EUDC-IT-55".into(),
        status: StatusRef {
            idx: 3,
            uri: URI.into(),
        },
    };
    let (_, url) = issue_card(&claims, &key, "https://attesta.example.it").unwrap();
    let keys_file = dir.path().join("keys.json");
    std::fs::write(
        &keys_file,
        KeySet::new(vec![key.public().clone()])
            .to_jwks()
            .to_string(),
    )
    .unwrap();
    let list_file = |revoked: bool| {
        let mut list = StatusList::new(1, 64).unwrap();
        if revoked {
            list.set(3, 1);
        }
        let t = StatusListToken {
            uri: URI.into(),
            issued_at: IAT + 100,
            expires_at: Some(IAT + 100 + 86_400),
            ttl: Some(86_400),
            list,
        };
        let path = dir.path().join(format!("list-{revoked}.cwt"));
        std::fs::write(&path, t.sign(&key).unwrap()).unwrap();
        path
    };
    let (good, bad) = (list_file(false), list_file(true));
    let data = dir.path().join("data");
    let keys = keys_file.to_str().unwrap();
    let at = "2026-05-28T21:00:00Z"; // IAT + a few hours
    let verify = |extra: &[&str]| {
        let mut args = vec!["card", "verify", &url, "--keys", keys];
        args.extend_from_slice(extra);
        attesta(&data, &args)
    };

    let out = verify(&["--status-list", good.to_str().unwrap(), "--at", at]);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("valid:"), "{}", out.stdout);
    assert!(out.stdout.contains("EUDC-IT-55"));

    let out = verify(&["--status-list", bad.to_str().unwrap(), "--at", at, "--json"]);
    assert_eq!(out.code, 2);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "revoked");
    assert!(v["reason"].is_string());

    let out = verify(&["--at", at, "--json"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("\"undetermined\""));

    let out = verify(&[
        "--status-list",
        good.to_str().unwrap(),
        "--at",
        "2040-01-01T00:00:00Z",
        "--json",
    ]);
    assert!(out.stdout.contains("\"expired\""), "{}", out.stdout);
    let out = verify(&[
        "--status-list",
        good.to_str().unwrap(),
        "--at",
        "2026-01-01T00:00:00Z",
        "--json",
    ]);
    assert!(out.stdout.contains("\"not_yet_valid\""), "{}", out.stdout);

    // A key set without the signer: invalid_signature naming the kid.
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        KeySet::new(vec![CardSigningKey::generate().public().clone()])
            .to_jwks()
            .to_string(),
    )
    .unwrap();
    let out = attesta(
        &data,
        &[
            "card",
            "verify",
            &url,
            "--keys",
            other.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("invalid_signature") && out.stdout.contains(&key.kid().to_string()),
        "{}",
        out.stdout
    );

    // A bad --at is an error, not an outcome.
    let out = verify(&["--at", "yesterday"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("RFC 3339"));
}

#[test]
fn card_verify_checks_an_eu_dcc_with_its_certificate() {
    let Some(path) = attesta_testkit::require_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/dgc-common/CO3.json"),
    ) else {
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("signer.pem");
    let b64 = v["TESTCTX"]["CERTIFICATE"].as_str().unwrap();
    std::fs::write(
        &cert,
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n"),
    )
    .unwrap();
    let hc1 = v["PREFIX"].as_str().unwrap();
    let clock = v["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap();
    let data = dir.path().join("data");
    let out = attesta(
        &data,
        &[
            "card",
            "verify",
            hc1,
            "--cert",
            cert.to_str().unwrap(),
            "--at",
            clock,
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.contains("\"valid\""));
    // One character changed in the signature part: invalid.
    let mut tampered = hc1.to_owned();
    let n = tampered.len() - 3;
    let c = if &tampered[n..n + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(n..n + 1, c);
    let out = attesta(
        &data,
        &[
            "card",
            "verify",
            &tampered,
            "--cert",
            cert.to_str().unwrap(),
            "--at",
            clock,
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
}
