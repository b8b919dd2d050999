//! Login through the identity provider (SPID / CIE / CNS behind an OpenID
//! Connect provider): authorization code flow with PKCE, `state` and
//! `nonce`, the ID token's signature checked against the provider's JWKS.
//!
//! Nothing is kept on the server between the redirect and the callback: the
//! state, nonce, PKCE verifier and role travel in a short-lived cookie
//! MAC'd with the server secret ([`LoginTicket`]), so any node can finish a
//! login any node began.
//!
//! The codice fiscale comes from the `fiscal_number` claim (the Italian
//! eID attribute, `TINIT-` + the code; also accepted under its full URI
//! name). A citizen must be on record; an operator's organisation comes
//! from the `organization` claim when the provider sends one.

use crate::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

use attesta_domain::FiscalCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

use attesta_credential::ServerSecret;

use crate::{App, AppError, AppResult, Identity, Role, Session, SessionCookie};

/// The provider and this service's registration with it.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer URL; `{issuer}/.well-known/openid-configuration` is read.
    pub issuer: String,
    pub client_id: String,
    /// Sent with HTTP Basic to the token endpoint (`client_secret_basic`).
    pub client_secret: SecretString,
    /// `{public_url}/auth/callback`, as registered with the provider.
    pub redirect_uri: String,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// What the provider publishes, read once and kept.
#[derive(Debug, Clone)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// The client: configuration, HTTP and what was discovered. The derived
/// `Debug` shows the configuration through its own, which hides the secret.
#[derive(Debug, Clone)]
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovery: Arc<RwLock<Option<Discovery>>>,
    jwks: Arc<RwLock<Option<Value>>>,
}

/// How long a login may take between the redirect and the callback.
pub const TICKET_LIFETIME: Duration = Duration::from_secs(10 * 60);
const TICKET_MAC: &str = "oidc-login-ticket";
const FISCAL_NUMBER_CLAIMS: [&str; 2] = [
    "fiscal_number",
    "https://attributes.eid.gov.it/fiscal_number",
];

/// The state of a login in progress, carried by a cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginTicket(pub String);

fn login_failed(why: impl std::fmt::Display) -> AppError {
    tracing::warn!(reason = %why, "identity-provider login failed");
    AppError::new(
        ErrorCode::LoginFailed,
        "The login through the identity provider did not succeed. Try again; if it keeps failing, the provider may be unavailable.",
    )
}

fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    B64URL.encode(buf)
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Self, String> {
        crate::sms::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            config,
            http,
            discovery: Arc::default(),
            jwks: Arc::default(),
        })
    }

    async fn get_json(&self, url: &str) -> AppResult<Value> {
        let r = self.http.get(url).send().await.map_err(login_failed)?;
        if !r.status().is_success() {
            return Err(login_failed(format!("{url} answered {}", r.status())));
        }
        r.json().await.map_err(login_failed)
    }

    async fn discovery(&self) -> AppResult<Discovery> {
        if let Some(d) = self.discovery.read().await.clone() {
            return Ok(d);
        }
        let issuer = self.config.issuer.trim_end_matches('/');
        let doc = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        if doc["issuer"].as_str().map(|i| i.trim_end_matches('/')) != Some(issuer) {
            return Err(login_failed("the discovery document names another issuer"));
        }
        let field = |name: &str| {
            doc[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| login_failed(format!("the discovery document has no {name}")))
        };
        let d = Discovery {
            authorization_endpoint: field("authorization_endpoint")?,
            token_endpoint: field("token_endpoint")?,
            jwks_uri: field("jwks_uri")?,
        };
        *self.discovery.write().await = Some(d.clone());
        Ok(d)
    }

    /// The provider's key `kid` (the JWKS is read again once when a key is
    /// new, so the provider can rotate keys).
    async fn key(&self, kid: Option<&str>, jwks_uri: &str) -> AppResult<Value> {
        let find = |jwks: &Value| {
            jwks["keys"].as_array().and_then(|keys| {
                keys.iter()
                    .find(|k| {
                        kid.is_none_or(|kid| k["kid"].as_str() == Some(kid))
                            && k["use"].as_str().is_none_or(|u| u == "sig")
                    })
                    .cloned()
            })
        };
        if let Some(jwks) = self.jwks.read().await.as_ref()
            && let Some(k) = find(jwks)
        {
            return Ok(k);
        }
        let fresh = self.get_json(jwks_uri).await?;
        let key = find(&fresh);
        *self.jwks.write().await = Some(fresh);
        key.ok_or_else(|| login_failed("the ID token's key is not in the provider's JWKS"))
    }
}

/// A ticket's content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Ticket {
    state: String,
    nonce: String,
    verifier: String,
    role: String,
    /// Unix seconds.
    expires: i64,
}

fn seal(secret: &ServerSecret, ticket: &Ticket) -> LoginTicket {
    let body = B64URL.encode(serde_json::to_vec(ticket).expect("a ticket serialises"));
    let mac = secret.mac_hex(TICKET_MAC, body.as_bytes());
    LoginTicket(format!("{body}.{mac}"))
}

/// The ticket behind a cookie, if this server made it and it is fresh.
fn open(secret: &ServerSecret, ticket: &str, now: i64) -> AppResult<Ticket> {
    let (body, mac) = ticket
        .split_once('.')
        .ok_or_else(|| login_failed("malformed login ticket"))?;
    let expected = secret.mac_hex(TICKET_MAC, body.as_bytes());
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        mac.as_bytes(),
    )) {
        return Err(login_failed("login ticket MAC mismatch"));
    }
    let t: Ticket = B64URL
        .decode(body)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| login_failed("unreadable login ticket"))?;
    if t.expires < now {
        return Err(AppError::new(
            ErrorCode::LoginExpired,
            "The login took too long and has expired. Start it again.",
        ));
    }
    Ok(t)
}

impl App {
    fn oidc(&self) -> AppResult<&Oidc> {
        self.oidc.as_ref().ok_or_else(|| {
            AppError::new(ErrorCode::NotFound,
                "Login through an identity provider is not configured on this server (ATTESTA_OIDC_ISSUER).",
            )
        })
    }

    /// Whether an identity provider is configured.
    pub fn has_identity_provider(&self) -> bool {
        self.oidc.is_some()
    }

    /// Step 1: where to send the browser, and the ticket to set as a cookie.
    pub async fn begin_login(&self, role: Role) -> AppResult<(String, LoginTicket)> {
        let oidc = self.oidc()?;
        let d = oidc.discovery().await?;
        let ticket = Ticket {
            state: random_b64(24),
            nonce: random_b64(24),
            verifier: random_b64(48),
            role: role.as_str().to_owned(),
            expires: self.now().unix_timestamp()
                + i64::try_from(TICKET_LIFETIME.as_secs()).unwrap_or(600),
        };
        let challenge = B64URL.encode(Sha256::digest(ticket.verifier.as_bytes()));
        let mut url = reqwest::Url::parse(&d.authorization_endpoint)
            .map_err(|e| login_failed(format!("authorization endpoint: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &oidc.config.client_id)
            .append_pair("redirect_uri", &oidc.config.redirect_uri)
            .append_pair("scope", "openid profile")
            .append_pair("state", &ticket.state)
            .append_pair("nonce", &ticket.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok((url.into(), seal(&self.secret, &ticket)))
    }

    /// Step 2: the provider sent the browser back with `code` and `state`.
    /// The code is exchanged, the ID token checked, a session opened.
    pub async fn finish_login(
        &self,
        ticket: &str,
        code: &str,
        state: &str,
    ) -> AppResult<(SessionCookie, Session)> {
        let oidc = self.oidc()?;
        let t = open(&self.secret, ticket, self.now().unix_timestamp())?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            t.state.as_bytes(),
            state.as_bytes(),
        )) {
            return Err(login_failed("state mismatch"));
        }
        let d = oidc.discovery().await?;
        let r = oidc
            .http
            .post(&d.token_endpoint)
            .basic_auth(
                &oidc.config.client_id,
                Some(oidc.config.client_secret.expose_secret()),
            )
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", oidc.config.redirect_uri.as_str()),
                ("code_verifier", t.verifier.as_str()),
            ])
            .send()
            .await
            .map_err(login_failed)?;
        if !r.status().is_success() {
            return Err(login_failed(format!(
                "the token endpoint answered {}",
                r.status()
            )));
        }
        let tokens: Value = r.json().await.map_err(login_failed)?;
        let id_token = tokens["id_token"]
            .as_str()
            .ok_or_else(|| login_failed("no id_token in the token response"))?;
        let claims = self.verified_claims(oidc, &d, id_token, &t.nonce).await?;
        let role = if t.role == "operator" {
            Role::Operator
        } else {
            Role::Citizen
        };
        let identity = self.identity_from(role, &claims).await?;
        self.start_session(role, identity).await
    }

    async fn verified_claims(
        &self,
        oidc: &Oidc,
        d: &Discovery,
        id_token: &str,
        nonce: &str,
    ) -> AppResult<Value> {
        let mut parts = id_token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(login_failed("the ID token is not a compact JWS"));
        };
        let decode = |part: &str| {
            B64URL
                .decode(part)
                .map_err(|_| login_failed("the ID token is not base64url"))
        };
        let header: Value = serde_json::from_slice(&decode(h)?)
            .map_err(|_| login_failed("the ID token header is not JSON"))?;
        let key = oidc.key(header["kid"].as_str(), &d.jwks_uri).await?;
        let signed = format!("{h}.{p}");
        verify_signature(
            header["alg"].as_str().unwrap_or(""),
            &key,
            signed.as_bytes(),
            &decode(s)?,
        )?;
        let claims: Value = serde_json::from_slice(&decode(p)?)
            .map_err(|_| login_failed("the ID token claims are not JSON"))?;
        let issuer = oidc.config.issuer.trim_end_matches('/');
        if claims["iss"].as_str().map(|i| i.trim_end_matches('/')) != Some(issuer) {
            return Err(login_failed(
                "the ID token's issuer is not the configured one",
            ));
        }
        let client = oidc.config.client_id.as_str();
        let audience_ok = match &claims["aud"] {
            Value::String(a) => a == client,
            Value::Array(list) => list.iter().any(|a| a.as_str() == Some(client)),
            _ => false,
        };
        if !audience_ok {
            return Err(login_failed("the ID token is for another client"));
        }
        let now = self.now().unix_timestamp();
        // A minute of leeway for clocks that differ a little.
        if claims["exp"].as_i64().is_none_or(|exp| exp + 60 < now) {
            return Err(login_failed("the ID token has expired"));
        }
        if claims["nonce"].as_str() != Some(nonce) {
            return Err(login_failed("nonce mismatch"));
        }
        Ok(claims)
    }

    async fn identity_from(&self, role: Role, claims: &Value) -> AppResult<Identity> {
        let fiscal = FISCAL_NUMBER_CLAIMS
            .iter()
            .find_map(|c| claims[*c].as_str())
            .map(|v| v.trim().trim_start_matches("TINIT-"))
            .and_then(|v| FiscalCode::parse(v).ok())
            .ok_or_else(|| {
                AppError::new(ErrorCode::NoFiscalCode,
                    "The identity provider did not tell your codice fiscale (the fiscal_number attribute), so attesta cannot know who you are.",
                )
            })?;
        let name = [
            claims["given_name"].as_str(),
            claims["family_name"].as_str(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        match role {
            Role::Citizen => {
                let Some(person) = self.store.person_by_fiscal_code(&fiscal).await? else {
                    return Err(AppError::new(
                        ErrorCode::UnknownPersonAtLogin,
                        "No person with your codice fiscale is on record: attesta knows the people INPS has assessed.",
                    ));
                };
                Ok(Identity {
                    subject: person.person_id,
                    name: person.person.full_name(),
                    organisation: None,
                })
            }
            Role::Operator => Ok(Identity {
                subject: fiscal.as_str().to_owned(),
                // Shown to the citizen in their log: nothing that could
                // hide or reorder text.
                name: if name.is_empty() {
                    fiscal.as_str().to_owned()
                } else {
                    visible(&name)
                },
                organisation: claims["organization"].as_str().map(visible),
            }),
        }
    }
}

/// An identity provider's text as attesta shows it: control and invisible
/// characters dropped, at most 100 characters.
fn visible(text: &str) -> String {
    text.chars()
        .filter(|c| !attesta_domain::person::is_hidden_char(*c))
        .take(100)
        .collect()
}

/// Checks a JWS signature with a JWK: RS256 (RSA, the usual for SPID/CIE
/// providers) or ES256.
fn verify_signature(alg: &str, jwk: &Value, signed: &[u8], signature: &[u8]) -> AppResult<()> {
    use ring::signature::{self, UnparsedPublicKey};
    let b64 = |name: &str| {
        jwk[name]
            .as_str()
            .and_then(|v| B64URL.decode(v).ok())
            .ok_or_else(|| login_failed(format!("the JWK has no usable {name}")))
    };
    let ok = match (alg, jwk["kty"].as_str()) {
        ("RS256", Some("RSA")) => {
            let key = signature::RsaPublicKeyComponents {
                n: b64("n")?,
                e: b64("e")?,
            };
            key.verify(&signature::RSA_PKCS1_2048_8192_SHA256, signed, signature)
                .is_ok()
        }
        ("ES256", Some("EC")) => {
            let mut point = vec![0x04];
            point.extend(b64("x")?);
            point.extend(b64("y")?);
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signed, signature)
                .is_ok()
        }
        _ => {
            return Err(login_failed(format!(
                "unsupported ID token algorithm {alg:?}"
            )));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(login_failed("the ID token's signature does not verify"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_bound_to_the_server_and_expire() {
        let secret = ServerSecret::generate();
        let t = Ticket {
            state: "s".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            role: "citizen".into(),
            expires: 1_000,
        };
        let sealed = seal(&secret, &t);
        assert_eq!(open(&secret, &sealed.0, 999).unwrap(), t);
        assert_eq!(
            open(&secret, &sealed.0, 1_001).unwrap_err().code,
            ErrorCode::LoginExpired
        );
        // Another server's ticket, or an edited one, is refused.
        assert_eq!(
            open(&ServerSecret::generate(), &sealed.0, 999)
                .unwrap_err()
                .code,
            ErrorCode::LoginFailed
        );
        let (body, mac) = sealed.0.split_once('.').unwrap();
        let forged = format!(
            "{}.{mac}",
            B64URL.encode(
                br#"{"state":"s","nonce":"n","verifier":"v","role":"operator","expires":9999}"#
            )
        );
        assert_eq!(
            open(&secret, &forged, 999).unwrap_err().code,
            ErrorCode::LoginFailed
        );
        assert_eq!(
            open(&secret, body, 999).unwrap_err().code,
            ErrorCode::LoginFailed
        );
    }

    #[test]
    fn es256_signatures_verify_and_tampering_fails() {
        use ring::rand::SystemRandom;
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let public = pair.public_key().as_ref();
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256",
            "x": B64URL.encode(&public[1..33]), "y": B64URL.encode(&public[33..65]),
        });
        let sig = pair.sign(&rng, b"header.claims").unwrap();
        assert!(verify_signature("ES256", &jwk, b"header.claims", sig.as_ref()).is_ok());
        assert!(verify_signature("ES256", &jwk, b"header.claimz", sig.as_ref()).is_err());
        assert!(verify_signature("none", &jwk, b"header.claims", b"").is_err());
        assert!(verify_signature("RS256", &jwk, b"header.claims", sig.as_ref()).is_err());
    }
}
