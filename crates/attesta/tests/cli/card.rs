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

#[test]
fn card_verify_checks_an_sd_jwt_vc_presentation() {
    use attesta_credential::card::sd_jwt::random_salt;
    use attesta_credential::card::{CardFacts, Issuance, issue_card_sd_jwt, present};

    let dir = tempfile::tempdir().unwrap();
    let issuer = CardSigningKey::generate();
    let holder = CardSigningKey::generate();
    let facts = CardFacts {
        serial: "EUDC-IT-77".into(),
        given_name: "Maria".into(),
        family_name: "Rossi".into(),
        birth_date: "1980-03-14".into(),
        portrait_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
        expiry_date: "2036-05-27".into(),
        issuing_authority: "INPS".into(),
        issuing_country: "IT".into(),
        constant_attendance_allowance: true,
        status: StatusRef {
            idx: 3,
            uri: URI.into(),
        },
    };
    let sd_jwt = issue_card_sd_jwt(
        &facts,
        Issuance {
            issuer: "https://attesta.example.it",
            vct: "https://attesta.example.it/credentials/disability-card",
            issued_at: IAT,
            expires_at: EXP,
            holder: holder.public(),
            decoys: 2,
            salt: &mut random_salt,
        },
        &issuer,
    )
    .unwrap();
    let keys_file = dir.path().join("keys.json");
    std::fs::write(
        &keys_file,
        KeySet::new(vec![issuer.public().clone()])
            .to_jwks()
            .to_string(),
    )
    .unwrap();
    // The status list as a CWT (good) and as a JWT (revoked): told apart
    // by content.
    let token = |revoked: bool| {
        let mut list = StatusList::new(1, 64).unwrap();
        if revoked {
            list.set(3, 1);
        }
        StatusListToken {
            uri: URI.into(),
            issued_at: IAT + 100,
            expires_at: Some(EXP),
            ttl: None,
            list,
        }
    };
    let good = dir.path().join("list.cwt");
    std::fs::write(&good, token(false).sign(&issuer).unwrap()).unwrap();
    let revoked = dir.path().join("list.jwt");
    std::fs::write(&revoked, token(true).sign_jwt(&issuer).unwrap()).unwrap();
    let good_jwt = dir.path().join("good.jwt");
    std::fs::write(&good_jwt, token(false).sign_jwt(&issuer).unwrap()).unwrap();

    let at = "2026-05-28T21:00:00Z";
    let at_secs = 1_780_002_000;
    let (aud, nonce) = ("https://verifier.example.it", "n-7d1c");
    let keep = ["document_number", "constant_attendance_allowance"];
    let text = present(&sd_jwt, &keep, &holder, aud, nonce, at_secs).unwrap();
    let data = dir.path().join("data");
    let keys = keys_file.to_str().unwrap();
    let run = |text: &str, list: &Path, extra: &[&str]| {
        let mut args = vec![
            "card",
            "verify",
            text,
            "--keys",
            keys,
            "--status-list",
            list.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        attesta(&data, &args)
    };
    let bound = ["--aud", aud, "--nonce", nonce, "--at", at];

    let out = run(&text, &good, &bound);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("valid:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\ndocument_number: EUDC-IT-77\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\nconstant_attendance_allowance: true\n"),
        "{}",
        out.stdout
    );
    for withheld in [
        "birth_date",
        "1980-03-14",
        "Maria",
        "given_name",
        "portrait",
    ] {
        assert!(!out.stdout.contains(withheld), "{withheld}: {}", out.stdout);
    }
    // The same through the JWT form of the list, and as JSON.
    let out = run(&text, &good_jwt, &[&bound[..], &["--json"]].concat());
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "valid");
    assert_eq!(
        v["disclosed"],
        serde_json::json!({"document_number": "EUDC-IT-77", "constant_attendance_allowance": true})
    );
    assert!(!out.stdout.contains("birth_date"));

    // The portrait, when disclosed, is shown as its size.
    let with_photo = present(&sd_jwt, &["portrait"], &holder, aud, nonce, at_secs).unwrap();
    let out = run(&with_photo, &good, &bound);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("portrait: image/jpeg, 4 bytes"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("base64"), "{}", out.stdout);

    // Another verifier's audience, another nonce: invalid_signature.
    for (a, n) in [("https://elsewhere.example", nonce), (aud, "n-other")] {
        let out = run(
            &text,
            &good,
            &["--aud", a, "--nonce", n, "--at", at, "--json"],
        );
        assert_eq!(out.code, 2, "{}", out.stdout);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v["outcome"], "invalid_signature", "{}", out.stdout);
        assert!(v.get("disclosed").is_none());
    }

    // A changed disclosure: its digest is in no payload.
    let parts: Vec<&str> = text.split('~').collect();
    let forged = attesta_credential::card::sd_jwt::Disclosure::parse(parts[1]).unwrap();
    let changed = attesta_credential::card::sd_jwt::Disclosure::object(
        b"another-salt-xyz",
        forged.name.as_deref().unwrap(),
        serde_json::json!("EUDC-IT-99"),
    );
    let tampered = text.replace(parts[1], &changed.encoded);
    let out = run(&tampered, &good, &bound);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.starts_with("invalid_signature:"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("EUDC-IT-99"));

    // Later than exp (the KB-JWT made at that time): expired.
    let late = "2040-01-01T00:00:00Z";
    let late_text = present(&sd_jwt, &keep, &holder, aud, nonce, 2_208_988_800).unwrap();
    let out = run(
        &late_text,
        &good,
        &["--aud", aud, "--nonce", nonce, "--at", late],
    );
    assert_eq!(out.code, 2);
    assert!(out.stdout.starts_with("expired:"), "{}", out.stdout);

    // A list that says revoked.
    let out = run(&text, &revoked, &bound);
    assert_eq!(out.code, 2);
    assert!(out.stdout.starts_with("revoked:"), "{}", out.stdout);

    // Without --nonce (or --aud): an error saying what to add, exit 1.
    let out = run(&text, &good, &["--aud", aud, "--at", at]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("add --nonce") && !out.stderr.contains("--aud and"),
        "{}",
        out.stderr
    );
    let out = run(&text, &good, &["--at", at]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("add --aud and --nonce"),
        "{}",
        out.stderr
    );
    // --aud/--nonce with a card QR: refused with a clear message.
    let claims = CardClaims {
        issuer: "https://attesta.example.it".into(),
        expires_at: EXP,
        issued_at: IAT,
        serial: "EUDC-IT-77".into(),
        status: StatusRef {
            idx: 3,
            uri: URI.into(),
        },
    };
    let (_, url) = issue_card(&claims, &issuer, "https://attesta.example.it").unwrap();
    let out = run(&url, &good, &bound);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("--aud and --nonce are for an SD-JWT VC presentation"),
        "{}",
        out.stderr
    );
}
