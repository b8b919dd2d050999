//! The EU Disability Card credential (SPEC §5): CBOR claims → COSE_Sign1
//! (ES256) → zlib → Base45 with the `EUDC1:` prefix, inside the URL
//! `{public_url}/C/{payload}`; the signing keys and their JWK Set; the
//! IETF Token Status List for revocation; and the offline verifier, which
//! also checks EU DCC `HC1:` texts against an X.509 signer certificate;
//! and the same card as an SD-JWT VC (`sd_jwt.rs`, RFC 9901).
//!
//! Every decoder here caps its input before and after decompression and
//! returns an error, never panics, on any input (see `fuzz/` and the
//! proptest in `tests/card_decoders_never_panic.rs`).

pub mod claims;
pub mod codec;
pub mod cose;
pub mod dcc;
pub mod keys;
pub mod oid4vci;
pub mod png;
pub mod sd_jwt;
pub mod status_list;
pub mod type_metadata;
pub mod verify;

pub use claims::{CardClaims, ClaimsError, StatusRef};
pub use codec::{CARD_PREFIX, CodecError, card_url, extract_payload};
pub use cose::{CoseSigner, PreparedSign1, PublicKey, SignError, prepare_sign1};
pub use keys::{CardPublicKey, CardSigningKey, KeyError, KeySet, Kid};
pub use sd_jwt::{
    CardFacts, Issuance, PresentationVerdict, SdJwtError, issue_card_sd_jwt, looks_like_sd_jwt,
    present, verify_card_presentation,
};
pub use status_list::{StatusList, StatusListError, StatusListToken};
pub use type_metadata::{card_type_metadata, jwt_vc_issuer_metadata};
pub use verify::{Outcome, StatusInput, Verdict, issue_card, verify_card, verify_text};
