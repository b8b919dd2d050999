//! The card in the citizen's wallet (issue #19, OpenID4VCI 1.0, the
//! pre-authorized code flow): offers, access tokens, nonces and the wallet
//! credentials issued. Only hashes of the codes, tokens and nonces are
//! here (migration 0015).
//!
//! Every step that must happen once is one conditional update: an offer is
//! redeemed by one caller, a wrong transaction code is counted exactly (the
//! level-2 OTP's pattern), a nonce is used once, a token is spent once and
//! its credential recorded in the same transaction.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Millis, Result, Store, StoreError};

/// Where an offer is in its life, as stored in `wallet_offers.state`.
/// (Expiry is not a state: it is read from `expires_at` against the clock.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfferState {
    /// Waiting for the wallet to redeem it.
    Pending,
    /// Redeemed at the token endpoint.
    Used,
    /// Too many wrong transaction codes: it never works again.
    Burned,
}

impl OfferState {
    pub const fn as_str(self) -> &'static str {
        match self {
            OfferState::Pending => "pending",
            OfferState::Used => "used",
            OfferState::Burned => "burned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [OfferState::Pending, OfferState::Used, OfferState::Burned]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

fn offer_state(text: String) -> Result<OfferState> {
    OfferState::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("offer state {text:?}")))
}

/// A credential offer for one card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletOfferRecord {
    pub offer_id: String,
    pub person_id: String,
    /// The card's serial.
    pub serial: String,
    /// SHA-256 (hex) of the pre-authorized code.
    pub code_hash: String,
    /// HMAC (hex) of the transaction code, keyed with the server secret.
    pub tx_code_mac: String,
    pub failures: i64,
    pub state: OfferState,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
}

/// A live access token and the offer it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletTokenGrant {
    pub offer_id: String,
    pub person_id: String,
    pub serial: String,
    pub expires_at: Millis,
}

/// One wallet credential issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletCredentialRecord {
    pub credential_id: String,
    pub person_id: String,
    pub serial: String,
    /// RFC 7638 JWK thumbprint of the holder's key.
    pub holder_thumbprint: String,
    pub issued_at: Millis,
}

macro_rules! offer_columns {
    () => {
        "offer_id, person_id, serial, code_hash, tx_code_mac, failures, state, created_at, \
         expires_at, used_at"
    };
}

fn offer_from_row(r: &AnyRow) -> Result<WalletOfferRecord> {
    Ok(WalletOfferRecord {
        offer_id: r.try_get("offer_id")?,
        person_id: r.try_get("person_id")?,
        serial: r.try_get("serial")?,
        code_hash: r.try_get("code_hash")?,
        tx_code_mac: r.try_get("tx_code_mac")?,
        failures: r.try_get("failures")?,
        state: offer_state(r.try_get("state")?)?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        used_at: r.try_get("used_at")?,
    })
}

impl Store {
    /// Stores a new offer (its state and failures as given, normally
    /// pending and 0).
    pub async fn insert_wallet_offer(&self, r: &WalletOfferRecord) -> Result<()> {
        sqlx::query(concat!(
            "INSERT INTO wallet_offers (",
            offer_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(r.offer_id.clone())
        .bind(r.person_id.clone())
        .bind(r.serial.clone())
        .bind(r.code_hash.clone())
        .bind(r.tx_code_mac.clone())
        .bind(r.failures)
        .bind(r.state.as_str())
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(r.used_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes an offer whose transaction code could not be sent.
    pub async fn delete_wallet_offer(&self, offer_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM wallet_offers WHERE offer_id = $1")
            .bind(offer_id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The offer of a pre-authorized code (by its hash), whatever its state.
    pub async fn wallet_offer_by_code(&self, code_hash: &str) -> Result<Option<WalletOfferRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            offer_columns!(),
            " FROM wallet_offers WHERE code_hash = $1"
        ))
        .bind(code_hash.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(offer_from_row).transpose()
    }

    /// Counts a wrong transaction code on a pending offer, burning it at
    /// `max` failures. Returns the failures and state after the update, or
    /// `None` if the offer was no longer pending.
    pub async fn wallet_offer_failure(
        &self,
        offer_id: &str,
        max: i64,
    ) -> Result<Option<(i64, OfferState)>> {
        let row = sqlx::query(
            "UPDATE wallet_offers SET failures = failures + 1, \
             state = CASE WHEN failures + 1 >= $2 THEN 'burned' ELSE state END \
             WHERE offer_id = $1 AND state = 'pending' RETURNING failures, state",
        )
        .bind(offer_id.to_owned())
        .bind(max)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("failures")?, offer_state(r.try_get("state")?)?)))
            .transpose()
    }

    /// Redeems a pending, unexpired offer and stores its access token (by
    /// hash, until `token_expires_at`), in one transaction. True for exactly
    /// one caller.
    pub async fn redeem_wallet_offer(
        &self,
        offer_id: &str,
        token_hash: &str,
        now: Millis,
        token_expires_at: Millis,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE wallet_offers SET state = 'used', used_at = $2 \
             WHERE offer_id = $1 AND state = 'pending' AND expires_at > $2",
        )
        .bind(offer_id.to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO wallet_access_tokens (token_hash, offer_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_owned())
        .bind(offer_id.to_owned())
        .bind(now)
        .bind(token_expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The grant behind an access token (by hash) if it is unspent and
    /// unexpired at `now`.
    pub async fn wallet_token(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<WalletTokenGrant>> {
        let row = sqlx::query(
            "SELECT o.offer_id, o.person_id, o.serial, t.expires_at \
             FROM wallet_access_tokens t JOIN wallet_offers o ON o.offer_id = t.offer_id \
             WHERE t.token_hash = $1 AND t.spent_at IS NULL AND t.expires_at > $2",
        )
        .bind(token_hash.to_owned())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(WalletTokenGrant {
                offer_id: r.try_get("offer_id")?,
                person_id: r.try_get("person_id")?,
                serial: r.try_get("serial")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Spends an unspent, unexpired access token and records the credential
    /// it was issued for, in one transaction. True for exactly one caller;
    /// false writes nothing.
    pub async fn spend_wallet_token(
        &self,
        token_hash: &str,
        now: Millis,
        credential: &WalletCredentialRecord,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE wallet_access_tokens SET spent_at = $2 \
             WHERE token_hash = $1 AND spent_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO wallet_credentials (credential_id, person_id, serial, \
             holder_thumbprint, issued_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(credential.credential_id.clone())
        .bind(credential.person_id.clone())
        .bind(credential.serial.clone())
        .bind(credential.holder_thumbprint.clone())
        .bind(credential.issued_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The wallet credentials issued for a card, oldest first.
    pub async fn wallet_credentials_of(&self, serial: &str) -> Result<Vec<WalletCredentialRecord>> {
        let rows = sqlx::query(
            "SELECT credential_id, person_id, serial, holder_thumbprint, issued_at \
             FROM wallet_credentials WHERE serial = $1 ORDER BY issued_at, credential_id",
        )
        .bind(serial.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WalletCredentialRecord {
                    credential_id: r.try_get("credential_id")?,
                    person_id: r.try_get("person_id")?,
                    serial: r.try_get("serial")?,
                    holder_thumbprint: r.try_get("holder_thumbprint")?,
                    issued_at: r.try_get("issued_at")?,
                })
            })
            .collect()
    }

    /// Stores a nonce (by hash) until `expires_at`; the nonces expired at
    /// `now` are deleted in the same call, so the table holds only the
    /// last minutes'.
    pub async fn insert_wallet_nonce(
        &self,
        nonce_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query("DELETE FROM wallet_nonces WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO wallet_nonces (nonce_hash, expires_at) VALUES ($1, $2)")
            .bind(nonce_hash.to_owned())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses an unused, unexpired nonce. True for exactly one caller.
    pub async fn use_wallet_nonce(&self, nonce_hash: &str, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE wallet_nonces SET used_at = $2 \
             WHERE nonce_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(nonce_hash.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
