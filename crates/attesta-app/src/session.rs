//! Login sessions. Whatever logs a user in ends in [`App::start_session`]
//! with an [`Identity`]: the identity provider (SPID/CIE/CNS through OpenID
//! Connect, `oidc.rs`) after its callback, and in `--demo`
//! [`App::demo_login`].

use crate::ErrorCode;
use attesta_domain::FiscalCode;
use attesta_store::SessionRecord;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::backoffice::object_with;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Citizen,
    Operator,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Operator => "operator",
        }
    }
}

/// Who is logged in, as the identity provider tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// For a citizen, their person id; for an operator, the provider's
    /// subject.
    pub subject: String,
    pub name: String,
    pub organisation: Option<String>,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie: what OTP requests are bound to.
    pub id: String,
    pub role: Role,
    pub identity: Identity,
    /// The token every HTML form must carry back (CSRF).
    pub csrf_token: String,
    /// The holder (person id) a delegate currently acts for.
    pub acting_for: Option<String>,
}

/// The cookie value to hand to the browser. Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCookie(pub String);

impl std::fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCookie(<redacted>)")
    }
}

/// How long a session lives without a request (issue 16).
pub const SESSION_IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex::encode(buf)
}

fn cookie_hash(cookie: &str) -> String {
    hex::encode(Sha256::digest(cookie.as_bytes()))
}

impl App {
    /// Opens a session for an identity.
    pub async fn start_session(
        &self,
        role: Role,
        identity: Identity,
    ) -> AppResult<(SessionCookie, Session)> {
        let cookie = random_hex(32);
        let now = self.now_millis();
        let session = Session {
            id: cookie_hash(&cookie),
            role,
            identity,
            csrf_token: random_hex(16),
            acting_for: None,
        };
        self.store
            .create_session(&SessionRecord {
                session_hash: session.id.clone(),
                role: role.as_str().into(),
                subject: session.identity.subject.clone(),
                display_name: session.identity.name.clone(),
                organisation: session.identity.organisation.clone(),
                csrf_token: session.csrf_token.clone(),
                created_at: now,
                expires_at: self.session_expiry(now, now),
                acting_for: None,
            })
            .await?;
        Ok((SessionCookie(cookie), session))
    }

    /// The session behind a cookie value, if it is live.
    pub async fn session(&self, cookie: &str) -> AppResult<Option<Session>> {
        let Some(r) = self
            .store
            .session(&cookie_hash(cookie), self.now_millis())
            .await?
        else {
            return Ok(None);
        };
        // Each use moves the idle deadline; written at most once a minute,
        // so a page and its API calls cost one UPDATE, not one each.
        let expires_at = self.session_expiry(r.created_at, self.now_millis());
        if expires_at - r.expires_at > 60_000 {
            self.store
                .touch_session(&r.session_hash, expires_at)
                .await?;
        }
        let role = match r.role.as_str() {
            "citizen" => Role::Citizen,
            _ => Role::Operator,
        };
        Ok(Some(Session {
            id: r.session_hash,
            role,
            identity: Identity {
                subject: r.subject,
                name: r.display_name,
                organisation: r.organisation,
            },
            csrf_token: r.csrf_token,
            acting_for: r.acting_for,
        }))
    }

    /// A session ends 30 minutes after its last use ([`SESSION_IDLE`]), and
    /// at the latest `session_ttl` after its start, however busy.
    fn session_expiry(&self, created_at: i64, now: i64) -> i64 {
        let absolute = created_at + self.config.session_ttl.as_millis() as i64;
        absolute.min(now + SESSION_IDLE.as_millis() as i64)
    }

    pub async fn logout(&self, cookie: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&cookie_hash(cookie)).await?)
    }

    /// The body of `POST /api/v1/demo/login`. Only in demo mode (elsewhere
    /// the endpoint does not exist, whatever the body).
    pub fn demo_login_from_json(&self, body: &Value) -> AppResult<DemoLogin> {
        self.demo_only()?;
        const FIELDS: [&str; 4] = ["fiscal_code", "role", "organisation", "name"];
        let map = object_with(body, &FIELDS)?;
        // A value of another type is refused, never read as absent.
        let wrong: Vec<_> = FIELDS
            .into_iter()
            .filter(|k| map.get(*k).is_some_and(|v| !v.is_string() && !v.is_null()))
            .map(|k| attesta_domain::FieldError::new(k, "must be a string"))
            .collect();
        if !wrong.is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidLogin,
                "The login request has invalid fields: see `fields`.",
            )
            .with_fields(wrong));
        }
        let text = |key: &str| map.get(key).and_then(Value::as_str);
        DemoLogin::parse(
            text("fiscal_code"),
            text("role"),
            text("organisation"),
            text("name"),
        )
    }

    fn demo_only(&self) -> AppResult<()> {
        if self.config.demo {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::NotFound,
                "Demo login exists only in demo mode.",
            ))
        }
    }

    /// `POST /api/v1/demo/login`: logs in as the identity provider would.
    /// Only in demo mode.
    pub async fn demo_login(&self, login: DemoLogin) -> AppResult<(SessionCookie, Session)> {
        self.demo_only()?;
        let DemoLogin {
            fiscal_code: cf,
            role,
            organisation,
            name,
        } = login;
        let identity = match role {
            Role::Citizen => {
                let Some(person) = self.store.person_by_fiscal_code(&cf).await? else {
                    return Err(AppError::new(
                        ErrorCode::UnknownPerson,
                        "No person with this codice fiscale is on record.",
                    ));
                };
                Identity {
                    subject: person.person_id,
                    name: person.person.full_name(),
                    organisation: None,
                }
            }
            Role::Operator => Identity {
                subject: cf.as_str().to_owned(),
                name: name.unwrap_or_else(|| "Demo operator".to_owned()),
                organisation: Some(organisation.unwrap_or_else(|| "Demo organisation".to_owned())),
            },
        };
        self.start_session(role, identity).await
    }
}

/// A demo login, as the demo page's form or the API's body asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub fiscal_code: FiscalCode,
    pub role: Role,
    /// An operator's organisation and name (at most 100 characters each;
    /// empty means the demo default).
    pub organisation: Option<String>,
    pub name: Option<String>,
}

impl DemoLogin {
    /// Every field's error at once (`invalid_login`).
    pub fn parse(
        fiscal_code: Option<&str>,
        role: Option<&str>,
        organisation: Option<&str>,
        name: Option<&str>,
    ) -> AppResult<DemoLogin> {
        let mut fields = Vec::new();
        let cf = match fiscal_code.map(str::trim).map(FiscalCode::parse) {
            Some(Ok(cf)) => Some(cf),
            Some(Err(e)) => {
                fields.push(attesta_domain::FieldError::new(
                    "fiscal_code",
                    e.to_string(),
                ));
                None
            }
            None => {
                fields.push(attesta_domain::FieldError::new(
                    "fiscal_code",
                    "is required",
                ));
                None
            }
        };
        let role = match role.map(str::trim) {
            Some("citizen") => Some(Role::Citizen),
            Some("operator") => Some(Role::Operator),
            _ => {
                fields.push(attesta_domain::FieldError::new(
                    "role",
                    "must be \"citizen\" or \"operator\"",
                ));
                None
            }
        };
        for (key, value) in [("organisation", organisation), ("name", name)] {
            if value.is_some_and(|v| v.trim().chars().count() > 100) {
                fields.push(attesta_domain::FieldError::new(
                    key,
                    "must be at most 100 characters",
                ));
            } else if let Some(c) = value.and_then(|v| {
                v.chars()
                    .find(|c| attesta_domain::person::is_hidden_char(*c))
            }) {
                fields.push(attesta_domain::FieldError::new(
                    key,
                    format!(
                        "must not hold control or invisible characters (U+{:04X})",
                        u32::from(c)
                    ),
                ));
            }
        }
        let (Some(fiscal_code), Some(role), true) = (cf, role, fields.is_empty()) else {
            return Err(AppError::new(
                ErrorCode::InvalidLogin,
                "The login request has invalid fields: see `fields`.",
            )
            .with_fields(fields));
        };
        let short = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(DemoLogin {
            fiscal_code,
            role,
            organisation: short(organisation),
            name: short(name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(e: &AppError) -> Vec<String> {
        e.fields.iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_demo_login_refuses_what_it_cannot_take_whole() {
        let cf = Some("RSSMRA80A01H501U");
        let long = "a".repeat(101);
        let e = DemoLogin::parse(cf, Some("operator"), Some(&long), Some(&long)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidLogin);
        assert_eq!(fields_of(&e), ["organisation", "name"]);
        // At the limit it is kept whole; empty means the default.
        let ok = "é".repeat(100);
        let login = DemoLogin::parse(cf, Some("operator"), Some(&ok), Some("  ")).unwrap();
        assert_eq!(login.organisation.as_deref(), Some(ok.as_str()));
        assert_eq!(login.name, None);
        // Text that would hide or reorder what the citizen reads in their log.
        for bad in ["Comune\u{202E}", "A\nB", "Zero\u{200B}width"] {
            let e = DemoLogin::parse(cf, Some("operator"), Some(bad), None).unwrap_err();
            assert_eq!(fields_of(&e), ["organisation"], "{bad:?}");
        }
    }
}
