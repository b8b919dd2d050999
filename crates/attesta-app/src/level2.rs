//! Level 2 (SPEC §4, §6): an authenticated operator sees the detail when
//! the citizen, present, reads out a one-time code sent to their mobile.

use crate::ErrorCode;
use attesta_domain::{CheckOutcome, Group, InvalidityCode, group_name};
use attesta_store::{OtpRecord, OtpState, ids};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::notify::OtpSms;
use crate::{App, AppError, AppResult, Level1View, Role, Session, from_millis, to_millis};

/// What `POST /api/v1/verify/level2/otp` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpSent {
    pub otp_request_id: String,
    /// The mobile number, masked (`+39 ••• ••• 67`).
    pub sent_to: String,
    pub expires_at: OffsetDateTime,
}

/// The level-2 answer: level 1 plus the detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Level2View {
    pub level1: Level1View,
    pub detail: Level2Detail,
}

/// SPEC §6 `detail`: the holder's current status (its findings and the
/// verbale each came from), read on the day of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level2Detail {
    pub status: attesta_domain::Status,
    /// The revision month has passed without a newer verbale.
    pub revision_overdue: bool,
}

impl Level2Detail {
    /// The wire form: findings under the verbale field names, plus
    /// `revision_overdue`, `invalidity_code_text` and `sources`.
    pub fn to_json(&self) -> Value {
        let status = &self.status;
        let mut d = status.findings.to_json();
        d.insert("revision_overdue".into(), json!(self.revision_overdue));
        d.insert(
            "invalidity_code_text".into(),
            status
                .findings
                .invalidity
                .map(|i| i.code)
                .map_or(Value::Null, |c: InvalidityCode| {
                    let (it, en) = c.text();
                    json!({"it": it, "en": en})
                }),
        );
        let sources: serde_json::Map<String, Value> = Group::ALL
            .iter()
            .filter_map(|g| status.sources.get(g).map(|s| (g, s)))
            .map(|(g, s)| {
                (
                    group_name(*g).to_owned(),
                    json!({
                        "verbale_kind": s.verbale_kind.as_str(),
                        "session_date": attesta_domain::format_date(s.session_date),
                        "judgement": s.judgement,
                    }),
                )
            })
            .collect();
        d.insert("sources".into(), Value::Object(sources));
        Value::Object(d)
    }
}

fn operator(session: Option<&Session>) -> AppResult<&Session> {
    match session {
        Some(s) if s.role == Role::Operator => Ok(s),
        _ => Err(AppError::new(
            ErrorCode::LoginRequired,
            "Level 2 needs the operator's own login: log in as an operator, then ask again.",
        )),
    }
}

/// Six decimal digits, uniform, from the operating system's CSPRNG.
pub(crate) fn six_digits() -> String {
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).expect("the operating system's random source works");
        let n = u32::from_le_bytes(b);
        // Reject the top sliver so that n % 10^6 is uniform.
        if n < u32::MAX - (u32::MAX % 1_000_000) {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

impl App {
    fn code_mac(&self, otp_request_id: &str, code: &str) -> String {
        self.secret
            .mac_hex("otp", format!("{otp_request_id}:{code}").as_bytes())
    }

    /// `POST /api/v1/verify/level2/otp`.
    pub async fn request_otp(
        &self,
        session: Option<&Session>,
        token: &str,
        fiscal_code: &str,
    ) -> AppResult<OtpSent> {
        let session = operator(session)?;
        let (found, now) = self
            .check_holder(token, fiscal_code, Some(&session.identity))
            .await?;
        let Some(mobile) = found.mobile.clone() else {
            return Err(AppError::new(
                ErrorCode::NoMobileOnRecord,
                "The holder has no mobile number on record, so no code can be sent. They can add one in the registry section (anagrafica) of MyINPS; level 1 keeps working meanwhile.",
            ));
        };
        let now_ms = to_millis(now);
        let limits = &self.config.otp;
        let otp_request_id = ids::random_id();
        let code = six_digits();
        let record = OtpRecord {
            otp_request_id: otp_request_id.clone(),
            attestation_id: found.attestation_id.clone(),
            person_id: found.person_id.clone(),
            session_hash: session.id.clone(),
            operator: session.identity.name.clone(),
            organisation: session.identity.organisation.clone(),
            code_mac: self.code_mac(&otp_request_id, &code),
            created_at: now_ms,
            expires_at: now_ms + limits.ttl.as_millis() as i64,
            failures: 0,
            state: OtpState::Pending,
        };
        // Insert, then count: concurrent requests can only be refused
        // together, never all let through.
        self.store.insert_otp(&record).await?;
        for (window, max) in [
            (limits.short_window, limits.max_per_short_window),
            (limits.long_window, limits.max_per_long_window),
        ] {
            let window_ms = window.as_millis() as i64;
            let times = self
                .store
                .otp_times_since(&found.person_id, now_ms - window_ms + 1)
                .await?;
            if times.len() as i64 > max {
                self.store.delete_otp(&otp_request_id).await?;
                let oldest = times.first().copied().unwrap_or(now_ms);
                let retry = ((oldest + window_ms - now_ms).max(1000) as u64).div_ceil(1000);
                return Err(AppError::new(ErrorCode::TooManyOtpRequests,
                    format!(
                        "Too many codes were sent to this holder recently (at most {max} in {} minutes). Try again later.",
                        window.as_secs() / 60
                    ),
                )
                .with_retry_after(retry));
            }
        }
        let organisation = session
            .identity
            .organisation
            .clone()
            .unwrap_or_else(|| session.identity.name.clone());
        let text = OtpSms {
            organisation: &organisation,
            code: &code,
            minutes: limits.ttl.as_secs() / 60,
        }
        .text()
        .map_err(|e| AppError::internal(&e))?;
        if let Err(e) = self.sms.send(mobile.as_str(), &text).await {
            tracing::warn!(error = %e, "could not send the level-2 code");
            crate::telemetry::sms_failure(&e);
            crate::telemetry::otp_failed("not_sent");
            self.store.delete_otp(&otp_request_id).await?;
            return Err(AppError::new(
                ErrorCode::SmsUnavailable,
                "The code could not be sent by SMS right now. Try again in a moment; the level-1 check keeps working.",
            ));
        }
        crate::telemetry::otp_sent();
        self.log(
            &found,
            now_ms,
            2,
            CheckOutcome::OtpSent,
            Some(&session.identity),
        )
        .await?;
        Ok(OtpSent {
            otp_request_id,
            sent_to: mobile.masked(),
            expires_at: from_millis(record.expires_at),
        })
    }

    /// `POST /api/v1/verify/level2`.
    pub async fn verify_level2(
        &self,
        session: Option<&Session>,
        otp_request_id: &str,
        otp: &str,
    ) -> AppResult<Level2View> {
        let session = operator(session)?;
        let unknown = || {
            AppError::new(
                ErrorCode::UnknownOtpRequest,
                "No such code request for this session: ask for a new code.",
            )
        };
        let Some(request) = self.store.otp(otp_request_id).await? else {
            return Err(unknown());
        };
        if request.session_hash != session.id {
            return Err(unknown());
        }
        let otp = otp.trim();
        if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::invalid_request(
                "The code is the 6 digits the holder received by SMS.",
            ));
        }
        let now = self.now();
        let now_ms = to_millis(now);
        let gone = |state: OtpState, expires_at: i64| match state {
            OtpState::Used => Some(AppError::new(
                ErrorCode::OtpUsed,
                "This code was already used: ask for a new one.",
            )),
            OtpState::Burned => Some(AppError::new(
                ErrorCode::OtpBurned,
                "Too many wrong codes: this one no longer works. Ask for a new one.",
            )),
            OtpState::Pending if expires_at <= now_ms => Some(AppError::new(
                ErrorCode::OtpExpired,
                "The code has expired: ask for a new one.",
            )),
            OtpState::Pending => None,
        };
        if let Some(e) = gone(request.state, request.expires_at) {
            return Err(e);
        }
        let found = self
            .store
            .lookup_token_by_attestation(&request.attestation_id)
            .await?
            .ok_or_else(AppError::unknown_token)?;
        if found.revoked_at.is_some() {
            return Err(AppError::revoked_token());
        }
        let expected = self.code_mac(otp_request_id, otp);
        let correct: bool = expected
            .as_bytes()
            .ct_eq(request.code_mac.as_bytes())
            .into();
        if !correct {
            let max = self.config.otp.max_failures;
            let Some((failures, _state)) = self.store.otp_failure(otp_request_id, max).await?
            else {
                let again = self.store.otp(otp_request_id).await?.ok_or_else(unknown)?;
                return Err(gone(again.state, again.expires_at).unwrap_or_else(unknown));
            };
            crate::telemetry::otp_failed("wrong_code");
            self.log(
                &found,
                now_ms,
                2,
                CheckOutcome::OtpFailed,
                Some(&session.identity),
            )
            .await?;
            let left = (max - failures).max(0);
            return Err(AppError::new(
                ErrorCode::OtpInvalid,
                if left > 0 {
                    format!(
                        "The code is not right. Check it with the holder ({left} attempts left)."
                    )
                } else {
                    "The code is not right, and no attempts are left: ask for a new code."
                        .to_owned()
                },
            )
            .with_attempts_left(left));
        }
        if !self.store.otp_use(otp_request_id, now_ms).await? {
            let again = self.store.otp(otp_request_id).await?.ok_or_else(unknown)?;
            return Err(gone(again.state, again.expires_at).unwrap_or_else(unknown));
        }
        let today = crate::italian_date(now);
        let outcome = found.status.level1(found.birth_date, today);
        let verification_id = self
            .log(
                &found,
                now_ms,
                2,
                CheckOutcome::Level2Viewed,
                Some(&session.identity),
            )
            .await?;
        Ok(Level2View {
            level1: Level1View {
                qualifies: outcome.qualifies,
                holder_name: format!("{} {}", found.given_name, found.family_name),
                statuses: outcome.flags,
                checked_at: from_millis(now_ms),
                verification_id,
            },
            detail: Level2Detail {
                revision_overdue: found.status.revision_overdue(today),
                status: found.status,
            },
        })
    }
}

impl App {
    /// `GET /api/v1/demo/outbox`: demo mode only.
    pub async fn outbox(&self) -> AppResult<Vec<attesta_store::OutboxMessage>> {
        if !self.config.demo {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "The outbox exists only in demo mode.",
            ));
        }
        Ok(self.store.messages(200).await?)
    }
}
