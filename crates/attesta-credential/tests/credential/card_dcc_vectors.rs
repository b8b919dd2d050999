//! Every EU DCC common test vector (`shared/testdata/dgc-common`,
//! Apache-2.0): each stage the vector marks comes out as expected. The
//! COVID schema, JSON and key-usage checks are skipped (not a card concern).

use std::path::PathBuf;

use attesta_credential::card::codec::{self, DCC_PREFIX};
use attesta_credential::card::dcc::{self, Stage};
use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn vectors_dir() -> Option<PathBuf> {
    attesta_testkit::require_path(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/dgc-common"),
    )
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Results {
    unprefix: bool,
    b45: bool,
    compression: bool,
    decode: bool,
    verify: bool,
    expiration: bool,
}

fn run(prefixed: &str, cert_der: &[u8], now: i64) -> Results {
    let mut r = Results::default();
    let hc1 = match dcc::decode_hc1(prefixed) {
        Ok(h) => {
            r.unprefix = true;
            r.b45 = true;
            r.compression = true;
            r.decode = true;
            h
        }
        Err((stage, e)) => {
            eprintln!("stage {stage:?}: {e}");
            r.unprefix = stage != Stage::Unprefix;
            r.b45 = r.unprefix && stage != Stage::Base45;
            r.compression = r.b45 && stage != Stage::Compression;
            return r;
        }
    };
    let sig = dcc::check_signature(&hc1, cert_der);
    if let Err(e) = &sig {
        eprintln!("signature: {e}");
    }
    r.verify = sig.is_ok();
    r.expiration = r.verify && dcc::check_times(&hc1, now).is_ok();
    r
}

#[test]
fn every_dgc_common_vector_passes_its_marked_stages() {
    let Some(dir) = vectors_dir() else { return };
    let mut checked = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "expected the full vector set in {}",
        dir.display()
    );
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let expected = &v["EXPECTEDRESULTS"];
        let ctx = &v["TESTCTX"];
        let prefixed = v["PREFIX"].as_str().unwrap_or_default();
        let cert = base64::engine::general_purpose::STANDARD
            .decode(ctx["CERTIFICATE"].as_str().unwrap_or_default())
            .unwrap_or_default();
        let clock = ctx["VALIDATIONCLOCK"].as_str().unwrap();
        let now = OffsetDateTime::parse(clock, &Rfc3339)
            .unwrap()
            .unix_timestamp();
        let got = run(prefixed, &cert, now);
        for (key, actual) in [
            ("EXPECTEDUNPREFIX", got.unprefix),
            ("EXPECTEDB45DECODE", got.b45),
            ("EXPECTEDCOMPRESSION", got.compression),
            ("EXPECTEDDECODE", got.decode),
            ("EXPECTEDVERIFY", got.verify),
            ("EXPECTEDEXPIRATIONCHECK", got.expiration),
        ] {
            if let Some(want) = expected[key].as_bool() {
                assert_eq!(actual, want, "{name}: {key} ({})", ctx["DESCRIPTION"]);
                checked += 1;
            }
        }
        // The intermediate fields agree with the chain where present.
        if let (Some(b45), true) = (v["BASE45"].as_str(), got.unprefix) {
            assert_eq!(
                codec::unprefix(prefixed, DCC_PREFIX).unwrap(),
                b45,
                "{name}"
            );
        }
        if let (Some(cose), true) = (v["COSE"].as_str(), got.decode) {
            let bytes = hex::decode(cose).unwrap();
            assert!(
                dcc::decode_cose(&bytes).is_ok(),
                "{name}: COSE field decodes"
            );
        }
    }
    assert_eq!(checked, 39, "stage checks that ran");
}
