//! The online check of the card's SD-JWT VC presentation (issue #19): the
//! operator's page gives the holder a fresh verifier nonce, the holder's
//! wallet answers with `<issuer JWT>~<disclosures>~<KB-JWT>` for that nonce
//! and attesta's public URL as `aud`, and the page checks it with the
//! published keys and the live status list.
//!
//! The nonce is not stored (no table for it): it is
//! `{expiry}.{random}.{MAC}`, the MAC by the server secret, so any node can
//! tell a nonce it gave out from an invented one, and one past its short
//! life from a live one. Within that life a presentation could be shown
//! twice to the same page; its KB-JWT `iat` window (−300/+60 s) bounds that
//! too.

use attesta_credential::card::sd_jwt::PresentationVerdict;
use attesta_credential::card::{Outcome, StatusInput, verify_card_presentation};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq as _;

use crate::{App, AppResult};

/// How long a verifier nonce the page gives is good for (seconds).
pub const VERIFIER_NONCE_TTL: i64 = 10 * 60;
/// The MAC's purpose label.
const NONCE_MAC: &str = "card-verifier-nonce";
/// The MAC kept in the nonce: 128 bits, hex.
const MAC_CHARS: usize = 32;

impl App {
    /// A fresh verifier nonce for one presentation, good for
    /// [`VERIFIER_NONCE_TTL`] seconds.
    pub fn card_verifier_nonce(&self) -> String {
        let mut random = [0u8; 12];
        getrandom::fill(&mut random).expect("the operating system random number generator failed");
        let body = format!(
            "{}.{}",
            self.now().unix_timestamp() + VERIFIER_NONCE_TTL,
            URL_SAFE_NO_PAD.encode(random)
        );
        let mac = self.secret.mac_hex(NONCE_MAC, body.as_bytes());
        format!("{body}.{}", &mac[..MAC_CHARS])
    }

    /// Whether `nonce` is one [`App::card_verifier_nonce`] gave out and is
    /// still within its life.
    pub fn card_verifier_nonce_is_live(&self, nonce: &str) -> bool {
        let Some((body, mac)) = nonce.rsplit_once('.') else {
            return false;
        };
        let expected = self.secret.mac_hex(NONCE_MAC, body.as_bytes());
        let same = mac.len() == MAC_CHARS
            && bool::from(mac.as_bytes().ct_eq(&expected.as_bytes()[..MAC_CHARS]));
        let now = self.now().unix_timestamp();
        let expiry = body
            .split_once('.')
            .and_then(|(exp, _)| exp.parse::<i64>().ok());
        same && expiry.is_some_and(|exp| now < exp && exp <= now + VERIFIER_NONCE_TTL)
    }

    /// Checks a card presentation made for `nonce` (which the caller has
    /// checked is live) and attesta's public URL as `aud`, with the
    /// published keys and, once the signatures hold, the live status list.
    pub async fn check_card_presentation(
        &self,
        text: &str,
        nonce: &str,
    ) -> AppResult<PresentationVerdict> {
        let keys = self.card_key_set().await?;
        let now = self.now().unix_timestamp();
        let aud = self.config.public_url.as_str();
        let first = verify_card_presentation(text, &keys, StatusInput::None, aud, nonce, now);
        if first.verdict.outcome != Outcome::Undetermined {
            return Ok(first);
        }
        let Some(live) = self
            .own_live_status_list(first.verdict.status.as_ref())
            .await?
        else {
            return Ok(first);
        };
        Ok(verify_card_presentation(
            text,
            &keys,
            StatusInput::Trusted(&live),
            aud,
            nonce,
            now,
        ))
    }
}
