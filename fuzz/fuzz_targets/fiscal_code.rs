//! The codice fiscale parser on arbitrary UTF-8: it never panics, and a
//! parsed code's canonical text parses back to the same code.
#![no_main]

use attesta_domain::FiscalCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(code) = FiscalCode::parse(input) {
        let canonical = code.as_str();
        assert_eq!(canonical.len(), 16);
        assert_eq!(canonical, canonical.to_ascii_uppercase());
        let again = FiscalCode::parse(canonical).expect("a canonical code parses");
        assert_eq!(again, code);
        assert_eq!(again.to_string(), canonical);
    }
});
