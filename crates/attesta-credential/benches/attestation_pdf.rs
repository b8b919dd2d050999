//! The attestation PDF as the server renders it for
//! `GET /api/v1/me/attestation/pdf` (issue #15, row 3: median ≤ 10 ms):
//! [`attestation_pdf`] on a real token's URL and short code, standard and
//! large print, PDF/UA-1 validation included.
//!
//! `cargo test --benches` (debug build) runs each benchmark once, as CI does.

use std::hint::black_box;

use attesta_credential::{
    AttestationId, AttestationPdf, PrintSize, ServerSecret, Token, attestation_pdf, attestation_url,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn attestation(c: &mut Criterion) {
    let secret = ServerSecret::generate();
    let token = Token::derive(&secret, &AttestationId::generate());
    let url = attestation_url("https://attesta.example.it", &token);
    let short_code = token.short_code();
    let doc = |print| AttestationPdf {
        holder_name: "Maria Addolorata Dell'Orto Ferraris",
        url: &url,
        short_code: &short_code,
        generated_on: time::macros::date!(2026 - 12 - 01),
        print,
    };
    let mut group = c.benchmark_group("attestation_pdf");
    for (id, print) in [
        ("standard", PrintSize::Standard),
        ("large", PrintSize::Large),
    ] {
        let doc = doc(print);
        let pdf = attestation_pdf(&doc).expect("the attestation renders");
        assert!(pdf.starts_with(b"%PDF-1.7"));
        group.bench_function(id, |b| {
            b.iter(|| attestation_pdf(black_box(&doc)).map(|pdf| pdf.len()));
        });
    }
    group.finish();
}

criterion_group!(benches, attestation);
criterion_main!(benches);
