//! Card signing keys, status lists and card credential slots (SPEC §5).
//! Private keys never reach this module.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Millis, Result, Store, StoreError, ids};

/// Where a signing key is in its life (SPEC §5), as stored in
/// `signing_keys.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyState {
    /// Published in the key set, not signing yet (verifiers fetch it first).
    Next,
    /// The one key that signs new cards.
    Active,
    /// No longer signs; published until the last card it signed expires.
    Retired,
}

impl KeyState {
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Active => "active",
            KeyState::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [KeyState::Next, KeyState::Active, KeyState::Retired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A signing key's public half and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    /// The JWK (JSON text) as published.
    pub public_jwk: String,
    pub state: KeyState,
    pub created_at: Millis,
    pub activated_at: Option<Millis>,
    pub retired_at: Option<Millis>,
    pub last_expiry: Option<Millis>,
}

/// A card's credential slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCredentialRecord {
    pub serial: String,
    pub list_id: String,
    pub idx: i64,
    pub kid: String,
    pub issued_at: Millis,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// A status list and its last signed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    pub list_id: String,
    pub bits: i64,
    pub capacity: i64,
    pub next_idx: i64,
    pub created_at: Millis,
    pub token: Option<String>,
    pub token_issued_at: Option<Millis>,
}

// Column lists as macros: sqlx only takes `&'static str` queries.
macro_rules! key_columns {
    () => {
        "kid, public_jwk, state, created_at, activated_at, retired_at, last_expiry"
    };
}
macro_rules! card_columns {
    () => {
        "serial, list_id, idx, kid, issued_at, expires_at, revoked_at"
    };
}

fn key_from_row(r: &AnyRow) -> Result<SigningKeyRecord> {
    Ok(SigningKeyRecord {
        kid: r.try_get("kid")?,
        public_jwk: r.try_get("public_jwk")?,
        state: {
            let text: String = r.try_get("state")?;
            KeyState::parse(&text)
                .ok_or_else(|| StoreError::Corrupt(format!("signing key state {text:?}")))?
        },
        created_at: r.try_get("created_at")?,
        activated_at: r.try_get("activated_at")?,
        retired_at: r.try_get("retired_at")?,
        last_expiry: r.try_get("last_expiry")?,
    })
}

fn card_from_row(r: &AnyRow) -> Result<CardCredentialRecord> {
    Ok(CardCredentialRecord {
        serial: r.try_get("serial")?,
        list_id: r.try_get("list_id")?,
        idx: r.try_get("idx")?,
        kid: r.try_get("kid")?,
        issued_at: r.try_get("issued_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl Store {
    // ---- signing keys -------------------------------------------------

    /// Adds a key in `state` (`next`, or `active` when it is the first).
    /// Fails if `active` is asked while another key is active.
    pub async fn insert_signing_key(
        &self,
        kid: &str,
        public_jwk: &str,
        state: KeyState,
        now: Millis,
    ) -> Result<()> {
        let activated = (state == KeyState::Active).then_some(now);
        sqlx::query(
            "INSERT INTO signing_keys (kid, public_jwk, state, created_at, activated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(kid.to_owned())
        .bind(public_jwk.to_owned())
        .bind(state.as_str())
        .bind(now)
        .bind(activated)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every key ever stored, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            key_columns!(),
            " FROM signing_keys ORDER BY created_at, kid"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// The keys to publish at `now`: next and active ones, and retired ones
    /// until the last credential they signed has expired.
    pub async fn published_signing_keys(&self, now: Millis) -> Result<Vec<SigningKeyRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            key_columns!(),
            " FROM signing_keys \
             WHERE state <> $1 OR (last_expiry IS NOT NULL AND last_expiry > $2) \
             ORDER BY created_at, kid"
        ))
        .bind(KeyState::Retired.as_str())
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    pub async fn active_signing_key(&self) -> Result<Option<SigningKeyRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            key_columns!(),
            " FROM signing_keys WHERE state = $1"
        ))
        .bind(KeyState::Active.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    /// Makes the `next` key `kid` active and retires the active one, in one
    /// transaction. False when `kid` is not a `next` key.
    pub async fn activate_signing_key(&self, kid: &str, now: Millis) -> Result<bool> {
        let mut tx = self.begin().await?;
        let found = sqlx::query("SELECT kid FROM signing_keys WHERE kid = $1 AND state = $2")
            .bind(kid.to_owned())
            .bind(KeyState::Next.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !found {
            return Ok(false);
        }
        sqlx::query("UPDATE signing_keys SET state = $1, retired_at = $2 WHERE state = $3")
            .bind(KeyState::Retired.as_str())
            .bind(now)
            .bind(KeyState::Active.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE signing_keys SET state = $1, activated_at = $2 WHERE kid = $3")
            .bind(KeyState::Active.as_str())
            .bind(now)
            .bind(kid.to_owned())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Remembers that `kid` signed something valid until `expiry`, so the
    /// key stays published that long.
    pub async fn note_signing_key_use(&self, kid: &str, expiry: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE signing_keys SET last_expiry = $2 \
             WHERE kid = $1 AND (last_expiry IS NULL OR last_expiry < $2)",
        )
        .bind(kid.to_owned())
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- card credentials and status lists ---------------------------

    /// Records a card credential signed by `kid`, in one transaction: a
    /// serial seen before keeps its status-list slot (and its revocation);
    /// a new one gets a random free index of a list with room (a new list
    /// of `capacity` one-bit entries when all are full), so a published
    /// list does not tell in which order cards were issued. Returns the record.
    pub async fn record_card_credential(
        &self,
        serial: &str,
        kid: &str,
        issued_at: Millis,
        expires_at: Millis,
        capacity: i64,
    ) -> Result<CardCredentialRecord> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query(concat!(
            "SELECT ",
            card_columns!(),
            " FROM card_credentials WHERE serial = $1"
        ))
        .bind(serial.to_owned())
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            sqlx::query(
                "UPDATE card_credentials SET kid = $2, issued_at = $3, expires_at = $4 \
                 WHERE serial = $1",
            )
            .bind(serial.to_owned())
            .bind(kid.to_owned())
            .bind(issued_at)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        } else {
            let list = sqlx::query(
                "SELECT list_id FROM status_lists WHERE next_idx < capacity \
                 ORDER BY created_at, list_id LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let list_id: String = match list {
                Some(r) => r.try_get("list_id")?,
                None => {
                    let id = ids::random_id();
                    sqlx::query(
                        "INSERT INTO status_lists (list_id, bits, capacity, next_idx, created_at) \
                         VALUES ($1, 1, $2, 0, $3)",
                    )
                    .bind(id.clone())
                    .bind(capacity)
                    .bind(issued_at)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
            };
            // Counting the slot first locks the list's row (PostgreSQL) or
            // the database (SQLite) until commit, so the free slot chosen
            // below cannot be taken by a concurrent issue.
            let used: i64 = sqlx::query(
                "UPDATE status_lists SET next_idx = next_idx + 1 WHERE list_id = $1 \
                 RETURNING next_idx",
            )
            .bind(list_id.clone())
            .fetch_one(&mut *tx)
            .await?
            .try_get("next_idx")?;
            let idx = free_slot(&mut tx, &list_id, capacity, used - 1).await?;
            sqlx::query(concat!(
                "INSERT INTO card_credentials (",
                card_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, NULL)"
            ))
            .bind(serial.to_owned())
            .bind(list_id)
            .bind(idx)
            .bind(kid.to_owned())
            .bind(issued_at)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE signing_keys SET last_expiry = $2 \
             WHERE kid = $1 AND (last_expiry IS NULL OR last_expiry < $2)",
        )
        .bind(kid.to_owned())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            card_columns!(),
            " FROM card_credentials WHERE serial = $1"
        ))
        .bind(serial.to_owned())
        .fetch_one(&mut *tx)
        .await?;
        let record = card_from_row(&row)?;
        tx.commit().await?;
        Ok(record)
    }

    pub async fn card_credential(&self, serial: &str) -> Result<Option<CardCredentialRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            card_columns!(),
            " FROM card_credentials WHERE serial = $1"
        ))
        .bind(serial.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(card_from_row).transpose()
    }

    /// Marks the card revoked (the first revocation counts). `None` when
    /// the serial has no credential.
    pub async fn revoke_card_credential(
        &self,
        serial: &str,
        now: Millis,
    ) -> Result<Option<CardCredentialRecord>> {
        sqlx::query(
            "UPDATE card_credentials SET revoked_at = $2 WHERE serial = $1 AND revoked_at IS NULL",
        )
        .bind(serial.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.card_credential(serial).await
    }

    pub async fn status_list(&self, list_id: &str) -> Result<Option<StatusListRecord>> {
        let row = sqlx::query(
            "SELECT list_id, bits, capacity, next_idx, created_at, token, token_issued_at \
             FROM status_lists WHERE list_id = $1",
        )
        .bind(list_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StatusListRecord {
                list_id: r.try_get("list_id")?,
                bits: r.try_get("bits")?,
                capacity: r.try_get("capacity")?,
                next_idx: r.try_get("next_idx")?,
                created_at: r.try_get("created_at")?,
                token: r.try_get("token")?,
                token_issued_at: r.try_get("token_issued_at")?,
            })
        })
        .transpose()
    }

    /// The indexes of the revoked cards in a list.
    pub async fn revoked_indexes(&self, list_id: &str) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT idx FROM card_credentials WHERE list_id = $1 AND revoked_at IS NOT NULL \
             ORDER BY idx",
        )
        .bind(list_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("idx")?)).collect()
    }

    /// Keeps the latest signed token of a list (never an older one).
    pub async fn save_status_list_token(
        &self,
        list_id: &str,
        token: &str,
        issued_at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE status_lists SET token = $2, token_issued_at = $3 \
             WHERE list_id = $1 AND (token_issued_at IS NULL OR token_issued_at <= $3)",
        )
        .bind(list_id.to_owned())
        .bind(token.to_owned())
        .bind(issued_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the signed token of a list (after a revocation that could
    /// not be signed here: better no list than one that says "valid").
    pub async fn clear_status_list_token(&self, list_id: &str) -> Result<()> {
        sqlx::query(
            "UPDATE status_lists SET token = NULL, token_issued_at = NULL WHERE list_id = $1",
        )
        .bind(list_id.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// A random free index of `list_id` (of `capacity` slots, `used` taken):
/// random probes while the list has room to spare, then a pick among the
/// free slots left.
async fn free_slot(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    list_id: &str,
    capacity: i64,
    used: i64,
) -> Result<i64> {
    let random_below = |n: i64| -> i64 {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        // n is positive and small (a list's capacity); the modulo bias is
        // below 2^-40 for any capacity in use.
        i64::try_from(u64::from_le_bytes(bytes) % n.unsigned_abs()).unwrap_or(0)
    };
    // While at most three quarters are taken, a probe hits a free slot at
    // least one time in four: 32 probes miss with odds below 1e-4.
    if used * 4 <= capacity * 3 {
        for _ in 0..32 {
            let candidate = random_below(capacity);
            let taken =
                sqlx::query("SELECT 1 FROM card_credentials WHERE list_id = $1 AND idx = $2")
                    .bind(list_id.to_owned())
                    .bind(candidate)
                    .fetch_optional(&mut **tx)
                    .await?;
            if taken.is_none() {
                return Ok(candidate);
            }
        }
    }
    let taken: Vec<i64> =
        sqlx::query("SELECT idx FROM card_credentials WHERE list_id = $1 ORDER BY idx")
            .bind(list_id.to_owned())
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("idx"))
            .collect::<std::result::Result<_, _>>()?;
    let free: Vec<i64> = (0..capacity)
        .filter(|i| taken.binary_search(i).is_err())
        .collect();
    let count = i64::try_from(free.len()).unwrap_or(i64::MAX);
    if count == 0 {
        return Err(StoreError::Corrupt(format!(
            "status list {list_id} counts {used} of {capacity} slots taken but has none free"
        )));
    }
    let pick = usize::try_from(random_below(count)).unwrap_or(0);
    Ok(free[pick])
}
