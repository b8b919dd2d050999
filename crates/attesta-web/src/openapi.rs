//! `GET /api/v1/openapi.json`: the JSON API described by hand, next to the
//! router it describes. A test checks that every JSON route is in it.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn error_ref() -> Value {
    json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

pub(crate) fn op(
    summary: &str,
    security: Option<&str>,
    body: Option<Value>,
    ok: (&str, Value),
    errors: &[&str],
) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(ok.0.to_owned(), ok.1);
    for code in errors {
        responses.insert((*code).to_owned(), error_ref());
    }
    let mut o = json!({"summary": summary, "responses": responses});
    if let Some(s) = security {
        o["security"] = json!([{ s: [] }]);
    }
    if let Some(b) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": b}}});
    }
    o
}

/// A codice fiscale as the API reads it: 16 letters and digits in their
/// places (any case, spaces around). The month letter, the day and the check
/// character are the domain's rules (SPEC §2): a code that breaks them is a
/// 422 naming the field (400 `invalid_fiscal_code` on the checks).
pub(crate) fn fiscal_code() -> Value {
    json!({"type": "string",
        "pattern": "^\\s*[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\\s*$",
        "description": "16 characters, e.g. RSSMRA80A01H501U; the check character must match",
        "examples": ["RSSMRA80A01H501U", "BNCGLI85M52A662K"]})
}

/// An identifier the back office gives (verbale, certificate): 1–64
/// letters, digits, `-`, `_`, `.`, `/`.
pub(crate) fn external_id() -> Value {
    json!({"type": "string", "pattern": "^[A-Za-z0-9._/-]{1,64}$"})
}

/// A person's given or family name (SPEC §2): 1–100 characters with a
/// letter; the scripts allowed (Latin, Greek, Cyrillic) are told by 422.
pub(crate) fn name() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S",
        "description": "Latin, Greek or Cyrillic letters, combining accents, apostrophes, hyphens and spaces"})
}

/// Free text that must say something: not empty, not only spaces.
pub(crate) fn text(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "\\S"})
}

fn payment_result() -> Value {
    json!({"type": "object", "required": ["payment_id", "result"], "properties": {
        "payment_id": {"type": "string"}, "result": {"enum": ["created", "paid", "unchanged"]}}})
}

/// A payment as the back office sends it (SPEC §11).
fn payment_schema() -> Value {
    let benefits = attesta_app::payments::payable_benefits().unwrap_or_default();
    json!({"type": "object", "additionalProperties": false,
        "required": ["payment_id", "fiscal_code", "benefit", "period", "amount_eur", "status"],
        "properties": {
            "payment_id": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"},
            "fiscal_code": fiscal_code(),
            "benefit": {"enum": benefits},
            "period": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "description": "the month paid"},
            "amount_eur": {"type": "string", "pattern": "^[0-9]{1,7}(\\.[0-9]{1,2})?$", "description": "euros, a dot before the cents; more than zero"},
            "status": {"enum": ["planned", "paid"]},
            "paid_on": {"type": ["string", "null"], "format": "date", "description": "required when paid, left out when planned; from the period's first day to today"}}})
}

pub(crate) fn ok_json(schema: Value) -> Value {
    json!({"description": "ok", "content": {"application/json": {"schema": schema}}})
}

/// The paths documented, as the router mounts them (used by the test).
pub const DOCUMENTED: &[&str] = &[
    "/api/v1/verify",
    "/api/v1/verify/level2/otp",
    "/api/v1/verify/level2",
    "/api/v1/admin/people/{fiscal_code}",
    "/api/v1/admin/verbali",
    "/api/v1/admin/payments",
    "/api/v1/admin/certificates",
    "/api/v1/admin/applications",
    "/api/v1/admin/applications/{application_id}/events",
    "/api/v1/me/certificates",
    "/api/v1/me/applications",
    "/api/v1/me/applications/{application_id}/reschedule",
    "/api/v1/me",
    "/api/v1/me/privacy-notice",
    "/api/v1/me/attestation",
    "/api/v1/me/attestation/pdf",
    "/api/v1/me/verifications",
    "/api/v1/me/attestation/email",
    "/api/v1/me/activity",
    "/api/v1/me/delegates",
    "/api/v1/me/delegates/{delegation_id}",
    "/api/v1/me/represented",
    "/api/v1/me/acting-for",
    "/api/v1/admin/delegations",
    "/api/v1/me/benefits",
    "/api/v1/admin/people/{fiscal_code}/messages",
    "/api/v1/me/messages",
    "/api/v1/me/messages/{message_id}/read",
    "/api/v1/me/notices",
    "/api/v1/me/applications/{application_id}/documents",
    "/api/v1/me/documents",
    "/api/v1/admin/applications/{application_id}/documents",
    "/api/v1/admin/documents/{document_id}",
    "/api/v1/me/consents",
    "/api/v1/me/payments",
    "/api/v1/me/card",
    "/api/v1/me/card/pdf",
    "/api/v1/admin/cards",
    "/api/v1/admin/cards/{id}/approve",
    "/api/v1/admin/cards/{id}/reject",
    "/api/v1/admin/cards/{id}/revoke",
    "/api/v1/demo/login",
    "/api/v1/demo/outbox",
    "/api/v1/openapi.json",
    "/api/v1/status-lists/{list_id}",
    "/.well-known/attesta/keys.json",
    "/.well-known/jwt-vc-issuer",
    "/credentials/disability-card",
    "/.well-known/vct/credentials/disability-card",
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
    "/oid4vci/token",
    "/oid4vci/nonce",
    "/oid4vci/credential",
    "/healthz",
    "/readyz",
    "/metrics",
];

/// The document as a plain-http server answers it (the test's view).
pub fn spec() -> Value {
    spec_with_cookie(crate::extract::SESSION_COOKIE)
}

/// The document naming the session cookie this server sets
/// (`__Host-attesta_session` when its public URL is https).
pub fn spec_with_cookie(session_cookie: &str) -> Value {
    let verbale = json!({"type": "object", "additionalProperties": false,
    "required": ["verbale_id", "fiscal_code", "kind", "session_date", "definitive", "source"],
    "properties": {
        "verbale_id": external_id(),
        "fiscal_code": fiscal_code(),
        "kind": {"enum": ["first_instance", "aggravation", "revision", "extraordinary_check", "self_correction", "basic_assessment"]},
        "application_id": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "links the verbale to its application (SPEC §10.1); not part of the compared content"},
        "session_date": {"type": "string", "format": "date"},
        "definitive": {"type": "boolean"},
        "source": {"enum": ["telematic", "paper_pre2010", "autonomous_region", "court"]},
        "invalidity_code": {"type": ["string", "null"], "pattern": "^(0[1-9]|1[0-2])$"},
        "invalidity_percentage": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        "accompaniment": {"type": ["boolean", "null"]},
        "blindness": {"enum": ["none", "partial", "absolute", null]},
        "deafness": {"type": ["boolean", "null"]},
        "handicap": {"enum": ["none", "art3_c1", "art3_c3", null]},
        "art21": {"type": ["boolean", "null"]},
        "law68_disability": {"type": ["boolean", "null"]},
        "dl5_2012_art4": {"type": ["boolean", "null"]},
        "revision": {"oneOf": [
            {"type": "null"},
            {"type": "object", "required": ["due"], "properties": {"due": {"type": "string", "pattern": "^\\d{4}-(0[1-9]|1[0-2])$"}}, "additionalProperties": false},
            {"type": "object", "required": ["exempt"], "properties": {"exempt": {"const": true}}, "additionalProperties": false},
            {"type": "object", "required": ["none"], "properties": {"none": {"const": true}}, "additionalProperties": false}
        ]},
        "judgement": {"type": ["string", "null"], "maxLength": 4000}
    }});
    let person = json!({"type": "object", "additionalProperties": false,
    "required": ["given_name", "family_name", "birth_date"],
    "properties": {
        "given_name": name(), "family_name": name(),
        "birth_date": {"type": "string", "format": "date"},
        "email": {"type": ["string", "null"], "maxLength": 254, "pattern": "^\\s*([^\\s@<>\"(),;:\\[\\]\\\\]+@[^\\s@<>\"(),;:\\[\\]\\\\.][^\\s@<>\"(),;:\\[\\]\\\\]*\\.[^\\s@<>\"(),;:\\[\\]\\\\]*[^\\s@<>\"(),;:\\[\\]\\\\.])?\\s*$", "description": "no spaces and none of <>\"(),;:[]\\; empty or null: none"},
        "mobile": {"type": ["string", "null"], "pattern": "^ *(\\+ *[1-9]( *[0-9]){7,14} *)?$", "description": "E.164, e.g. +393331234567 (spaces are dropped); empty or null: none"}
    }});
    let display = json!({"type": "array", "items": {"type": "object", "required": ["locale"], "properties": {
        "locale": {"type": "string"}, "name": {"type": "string"}, "label": {"type": "string"},
        "description": {"type": "string"},
        "rendering": {"type": "object", "properties": {"simple": {"type": "object", "properties": {
            "background_color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "text_color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}}}}}}}});
    let vct_metadata = json!({"type": "object", "required": ["vct", "name", "display", "claims"], "properties": {
        "vct": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
        "display": display,
        "claims": {"type": "array", "items": {"type": "object", "required": ["path", "display", "sd"], "properties": {
            "path": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "display": display, "sd": {"enum": ["always", "allowed", "never"]}}}}}});
    let level1 = json!({"type": "object", "properties": {
        "level": {"const": 1},
        "outcome": {"enum": ["qualifies", "does_not_qualify"]},
        "holder": {"type": "object", "properties": {"name": {"type": "string"}}},
        "statuses": {"type": "object", "properties": {
            "civil_invalidity": {"type": "boolean"}, "civil_blindness": {"type": "boolean"},
            "deafness": {"type": "boolean"}, "handicap": {"type": "boolean"}}},
        "checked_at": {"type": "string", "format": "date-time"},
        "verification_id": {"type": "string"}}});
    let attestation = json!({"type": "object", "properties": {
        "url": {"type": "string"}, "short_code": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "attesta", "version": env!("CARGO_PKG_VERSION"),
            "description": "Prove a recognised disability with a QR code (INPS QR-Code invalidi civili; EU Disability Card)."},
        "components": {
            "securitySchemes": {
                "adminKey": {"type": "http", "scheme": "bearer", "description": "ATTESTA_ADMIN_API_KEY"},
                "session": {"type": "apiKey", "in": "cookie", "name": session_cookie}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "attempts_left": {"type": "integer"},
                        "fields": {"type": "array", "items": {"type": "object", "properties": {
                            "field": {"type": "string"}, "reason": {"type": "string"}}}}}}}},
                "Verbale": verbale,
                "Person": person,
                "Level1": level1,
                "Attestation": attestation
            }
        },
        "paths": {
            "/api/v1/verify": {"post": op("Level-1 check: codice fiscale against a token", None,
                Some(json!({"type": "object", "required": ["token", "fiscal_code"], "additionalProperties": false,
                    "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 200}, "fiscal_code": fiscal_code()}})),
                ("200", ok_json(json!({"$ref": "#/components/schemas/Level1"}))),
                &["400", "403", "404", "410", "413", "429"])},
            "/api/v1/verify/level2/otp": {"post": op("Level 2, step 1: send the holder a one-time code (operator session)", Some("session"),
                Some(json!({"type": "object", "required": ["token", "fiscal_code"], "additionalProperties": false,
                    "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 200}, "fiscal_code": fiscal_code()}})),
                ("202", ok_json(json!({"type": "object", "properties": {
                    "otp_request_id": {"type": "string"}, "sent_to": {"type": "string"},
                    "expires_at": {"type": "string", "format": "date-time"}}}))),
                &["400", "401", "403", "404", "409", "410", "429", "503"])},
            "/api/v1/verify/level2": {"post": op("Level 2, step 2: the code the holder read out → the detail (operator session)", Some("session"),
                Some(json!({"type": "object", "required": ["otp_request_id", "otp"], "additionalProperties": false,
                    "properties": {"otp_request_id": {"type": "string"}, "otp": {"type": "string", "pattern": "^[0-9]{6}$"}}})),
                ("200", ok_json(json!({"type": "object", "description": "level-1 fields with level 2, plus detail"}))),
                &["400", "401", "403", "404", "410"])},
            "/api/v1/admin/people/{fiscal_code}": {"put": {
                "parameters": [{"name": "fiscal_code", "in": "path", "required": true, "schema": fiscal_code()}],
                "summary": "Create or update a person", "security": [{"adminKey": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Person"}}}},
                "responses": {"200": {"description": "updated"}, "201": {"description": "created"},
                    "400": error_ref(), "401": error_ref(), "413": error_ref(), "422": error_ref()}}},
            "/api/v1/admin/verbali": {"post": {
                "summary": "Ingest one verbale (idempotent by verbale_id)", "security": [{"adminKey": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verbale"}}}},
                "responses": {"200": {"description": "unchanged, or confirmed (definitive false → true)"},
                    "201": {"description": "created"}, "400": error_ref(), "401": error_ref(),
                    "409": error_ref(), "413": error_ref(), "422": error_ref()}}},
            "/api/v1/admin/payments": {"post": {
                "summary": "Record one payment of a benefit (idempotent by payment_id; planned → paid may follow)", "security": [{"adminKey": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": payment_schema()}}},
                "responses": {"200": ok_json(payment_result()), "201": ok_json(payment_result()),
                    "400": error_ref(), "401": error_ref(), "409": error_ref(), "413": error_ref(), "422": error_ref()}}},
            "/api/v1/me/payments": {"get": op("The holder's payments of benefits, newest period first", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object",
                    "required": ["payment_id", "benefit", "period", "amount_eur", "status", "paid_on"], "properties": {
                    "payment_id": {"type": "string"}, "benefit": {"type": "string"},
                    "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "amount_eur": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
                    "status": {"enum": ["planned", "paid"]},
                    "paid_on": {"type": ["string", "null"], "format": "date"}}}}))), &["401", "403"])},
            "/api/v1/me": {"get": op("The citizen's record, contact data, privacy-notice acceptance and unread messages", Some("session"), None,
                ("200", ok_json(json!({"type": "object", "required": ["unread_messages", "consents"], "properties": {
                    "unread_messages": {"type": "integer", "minimum": 0, "description": "how many of GET /api/v1/me/messages are unread"},
                    "consents": {"type": "object", "required": ["proactive"], "properties": {
                        "proactive": {"type": "boolean", "description": "e-mail and SMS alerts when a verbale is issued (POST /api/v1/me/consents)"}}}}}))), &["401"])},
            "/api/v1/me/consents": {"post": op("Turn the proactive alerts (an e-mail and an SMS when a verbale is issued, no health data) on or off", Some("session"),
                Some(json!({"type": "object", "required": ["proactive"], "additionalProperties": false, "properties": {
                    "proactive": {"type": "boolean"}}})),
                ("204", json!({"description": "recorded"})), &["400", "401", "403", "413"])},
            "/api/v1/me/privacy-notice": {"post": op("Accept the privacy notice", Some("session"), None,
                ("204", json!({"description": "accepted"})), &["401", "403"])},
            "/api/v1/me/attestation": {
                "get": op("The current attestation", Some("session"), None,
                    ("200", ok_json(json!({"$ref": "#/components/schemas/Attestation"}))), &["401", "404"]),
                "post": op("Generate a new attestation (revokes the previous one)", Some("session"), None,
                    ("201", ok_json(json!({"$ref": "#/components/schemas/Attestation"}))), &["401", "403", "409", "422"]),
                "delete": op("Revoke the current attestation", Some("session"), None,
                    ("204", json!({"description": "revoked"})), &["401", "403", "404"])},
            "/api/v1/me/attestation/pdf": {"get": {"summary": "The attestation PDF (tagged PDF/UA-1; `print=large` for large print)", "security": [{"session": []}],
                "parameters": [{"name": "print", "in": "query", "required": false, "schema": {"enum": ["standard", "large"], "default": "standard"}}],
                "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}, "400": error_ref(), "401": error_ref(), "404": error_ref(), "422": error_ref()}}},
            "/api/v1/me/verifications": {"get": op("Every check made on the citizen, newest first", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"}, "level": {"enum": [1, 2]},
                    "outcome": {"enum": ["qualifies", "does_not_qualify", "fiscal_code_mismatch", "locked",
                        "otp_sent", "otp_failed", "level2_viewed", "revoked_qr"],
                        "description": "revoked_qr: the holder's revoked (or replaced) QR was read or checked"},
                    "operator": {"type": "string"}, "organisation": {"type": "string"}}}}))),
                &["401"])},
            "/api/v1/me/benefits": {"get": {
                "summary": "What the citizen may be entitled to (benefit tables per year; SPEC §9.10)",
                "security": [{"session": []}],
                "parameters": [
                    {"name": "income", "in": "query", "required": false, "description": "own annual income in euros, e.g. 12000.50 (not stored); empty: not given", "schema": {"type": "string", "pattern": "^\\s*(€?\\s*[0-9]{1,10}([.,][0-9]{0,2})?)?\\s*$"}},
                    {"name": "on", "in": "query", "required": false, "description": "the day, YYYY-MM-DD (empty or absent: today in Italy)", "schema": {"type": "string", "pattern": "^\\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\\s*$"}}],
                "responses": {"200": ok_json(json!({"type": "object", "required": ["year", "economic", "non_economic"], "properties": {
                    "year": {"type": "integer", "description": "the year of the tables used"},
                    "on": {"type": "string", "format": "date"}, "source": {"type": "string"},
                    "economic": {"type": "array", "items": {"type": "object", "required": ["id", "name", "monthly_amount_eur", "payments_per_year", "status"], "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}, "name_it": {"type": "string"},
                        "monthly_amount_eur": {"type": "number"}, "payments_per_year": {"type": ["integer", "null"]},
                        "status": {"enum": ["may_be_entitled", "excluded", "depends"]},
                        "reason": {"enum": ["income", "age"]}, "condition": {"type": "string"},
                        "incompatible_with": {"type": "array", "items": {"type": "string"}}, "note": {"type": "string"}}}},
                    "non_economic": {"type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}, "name_it": {"type": "string"}}}}}})),
                    "400": error_ref(), "401": error_ref(), "403": error_ref(), "422": error_ref()}}},
            "/api/v1/me/attestation/email": {"post": op("E-mail the attestation PDF again", Some("session"), None,
                ("202", ok_json(json!({"type": "object"}))), &["401", "403", "404", "409", "503"])},
            "/api/v1/me/activity": {"get": op("What was done in the citizen's area and by whom, newest first", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
                    "by": {"type": "string"}, "by_delegate": {"type": "boolean"}}}}))), &["401", "403"])},
            "/api/v1/me/delegates": {
                "get": op("The holder's delegates", Some("session"), None, ("200", ok_json(json!({"type": "array"}))), &["401", "403"]),
                "post": op("Name a delegate (201; 200 when already named)", Some("session"),
                    Some(json!({"type": "object", "required": ["fiscal_code"], "additionalProperties": false, "properties": {"fiscal_code": fiscal_code()}})),
                    ("201", ok_json(json!({"type": "object", "properties": {"delegation_id": {"type": "string"}}}))),
                    &["400", "401", "403", "422"])},
            "/api/v1/me/delegates/{delegation_id}": {"delete": {
                "parameters": [{"name": "delegation_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "summary": "Remove a delegate", "security": [{"session": []}],
                "responses": {"204": {"description": "removed"}, "401": error_ref(), "403": error_ref(), "404": error_ref()}}},
            "/api/v1/me/represented": {"get": op("Whom the logged-in citizen may act for", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object", "properties": {
                    "fiscal_code": {"type": "string"}, "name": {"type": "string"}}}}))), &["401"])},
            "/api/v1/me/acting-for": {"post": op("Act for a holder who named you (or null to stop)", Some("session"),
                Some(json!({"type": "object", "additionalProperties": false, "properties": {"fiscal_code": {"anyOf": [fiscal_code(), {"type": "null"}], "description": "absent or null: stop acting for anyone"}}})),
                ("200", ok_json(json!({"type": "object"}))), &["400", "401", "403", "422"])},
            "/api/v1/admin/delegations": {"post": op("Record a parent or guardian as delegate (201; 200 when already recorded)", Some("adminKey"),
                Some(json!({"type": "object", "required": ["holder", "delegate"], "additionalProperties": false, "properties": {
                    "holder": fiscal_code(), "delegate": fiscal_code()}})),
                ("201", ok_json(json!({"type": "object", "properties": {"delegation_id": {"type": "string"}}}))),
                &["400", "401", "422"])},
            "/api/v1/admin/people/{fiscal_code}/messages": {"post": {
                "parameters": [{"name": "fiscal_code", "in": "path", "required": true, "schema": fiscal_code()}],
                "summary": "Send the person a message (plain text; SPEC §11)", "security": [{"adminKey": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["subject", "body"], "additionalProperties": false, "properties": {
                        "subject": text(attesta_app::messages::SUBJECT_MAX),
                        "body": text(attesta_app::messages::BODY_MAX)}}}}},
                "responses": {"201": ok_json(json!({"type": "object", "required": ["message_id"], "properties": {"message_id": {"type": "string"}}})),
                    "400": error_ref(), "401": error_ref(), "404": error_ref(), "413": error_ref(), "422": error_ref()}}},
            "/api/v1/me/messages": {"get": op("The messages from the back office, newest first", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object",
                    "required": ["message_id", "at", "subject", "body", "read"], "properties": {
                    "message_id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                    "subject": {"type": "string"}, "body": {"type": "string", "description": "plain text; newlines kept"},
                    "read": {"type": "boolean"}}}}))), &["401", "403"])},
            "/api/v1/me/notices": {"get": op("Notices and deadlines, derived on each read (never stored): the soonest date first, then those without one", Some("session"), None,
                ("200", ok_json(json!({"type": "array", "items": {"type": "object", "additionalProperties": false,
                    "required": ["kind"], "properties": {
                    "kind": {"enum": ["certificate_expiring", "home_visit_deadline", "visit_upcoming", "documents_requested",
                        "appeal_deadline", "revision_due", "card_expiring", "verbale_issued", "message_unread"]},
                    "due": {"type": "string", "format": "date", "description": "the day to act by, or the visit's day"},
                    "ref": {"type": "string", "description": "the certificate, application, verbale or card it is about"},
                    "on": {"type": "string", "format": "date", "description": "verbale_issued: the day it became definitive"},
                    "count": {"type": "integer", "minimum": 1, "description": "message_unread: how many"}}}}))), &["401", "403"])},
            "/api/v1/me/messages/{message_id}/read": {"post": {
                "parameters": [{"name": "message_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "summary": "Mark a message read (again: no change)", "security": [{"session": []}],
                "responses": {"204": {"description": "read"}, "401": error_ref(), "403": error_ref(), "404": error_ref()}}},
            "/api/v1/demo/login": {"post": op("Demo mode only: log in as the identity provider would", None,
                Some(json!({"type": "object", "required": ["fiscal_code", "role"], "additionalProperties": false, "properties": {
                    "fiscal_code": fiscal_code(), "role": {"enum": ["citizen", "operator"]},
                    "organisation": {"type": ["string", "null"], "maxLength": 100, "description": "an operator's; empty or null: the demo default"},
                    "name": {"type": ["string", "null"], "maxLength": 100, "description": "an operator's; empty or null: the demo default"}}})),
                ("200", ok_json(json!({"type": "object"}))), &["400", "422"])},
            "/api/v1/demo/outbox": {"get": op("Demo mode only: SMS and e-mails sent, newest first", None, None,
                ("200", ok_json(json!({"type": "array"}))), &[])},
            "/api/v1/openapi.json": {"get": op("This document", None, None, ("200", ok_json(json!({"type": "object"}))), &[])},
            "/api/v1/status-lists/{list_id}": {"get": {
                "summary": "A card status list (IETF Token Status List): the signed CWT (the default), with Accept: application/statuslist+jwt the same list as a signed JWT (typ statuslist+jwt, ES256 by a card key, kid in the header; claims sub, iat, exp, ttl, status_list), or with Accept: application/json the unsigned JSON form",
                "parameters": [{"name": "list_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the status list",
                    "content": {"application/statuslist+cwt": {},
                        "application/statuslist+jwt": {"schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"}},
                        "application/json": {"schema": {"type": "object",
                        "required": ["sub", "iat", "status_list"], "properties": {
                        "sub": {"type": "string"}, "iat": {"type": "integer"}, "exp": {"type": "integer"}, "ttl": {"type": "integer"},
                        "status_list": {"type": "object", "required": ["bits", "lst"], "properties": {
                            "bits": {"enum": [1, 2, 4, 8]}, "lst": {"type": "string"}}}}}}}},
                    "404": error_ref(), "503": error_ref()}}},
            "/.well-known/jwt-vc-issuer": {"get": op("SD-JWT VC issuer metadata (JWT VC Issuer Metadata): the issuer identifier (the public URL, the credentials' iss) and the card signing keys by value, the same as /.well-known/attesta/keys.json", None, None,
                ("200", ok_json(json!({"type": "object", "required": ["issuer", "jwks"], "properties": {
                    "issuer": {"type": "string"},
                    "jwks": {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {
                        "type": "object", "required": ["kty", "crv", "x", "y", "kid", "use", "alg"], "properties": {
                        "kty": {"const": "EC"}, "crv": {"const": "P-256"}, "x": {"type": "string"}, "y": {"type": "string"},
                        "kid": {"type": "string"}, "alg": {"const": "ES256"}, "use": {"const": "sig"}}}}}}}}))), &[])},
            "/credentials/disability-card": {"get": op("The card credential's SD-JWT VC type metadata (its vct is this URL)", None, None,
                ("200", ok_json(vct_metadata.clone())), &[])},
            "/.well-known/vct/credentials/disability-card": {"get": op("The same type metadata, where wallets of the older SD-JWT VC drafts look for it", None, None,
                ("200", ok_json(vct_metadata)), &[])},
            "/.well-known/attesta/keys.json": {"get": op("The card signing keys as a JWK Set (RFC 7517; EC P-256)", None, None,
                ("200", ok_json(json!({"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {
                    "type": "object", "required": ["kty", "crv", "x", "y", "kid"], "properties": {
                    "kty": {"const": "EC"}, "crv": {"const": "P-256"}, "x": {"type": "string"}, "y": {"type": "string"},
                    "kid": {"type": "string"}, "alg": {"const": "ES256"}, "use": {"const": "sig"}}}}}}))), &[])},
            "/healthz": {"get": op("The process is up", None, None, ("200", ok_json(json!({"type": "object"}))), &[])},
            "/metrics": {"get": {"summary": "Prometheus metrics: requests by route template and status",
                "responses": {"200": {"description": "text format 0.0.4", "content": {"text/plain": {}}}}}},
            "/readyz": {"get": op("The database is reachable", None, None, ("200", ok_json(json!({"type": "object"}))), &["503"])}
        }
    });
    // Naming a delegate twice is not an error: 200 with the same id.
    for path in ["/api/v1/me/delegates", "/api/v1/admin/delegations"] {
        doc["paths"][path]["post"]["responses"]["200"] =
            ok_json(json!({"type": "object", "properties": {"delegation_id": {"type": "string"}}}));
    }
    crate::card_application::document(&mut doc);
    crate::wallet::document(&mut doc);
    crate::documents::document(&mut doc);
    journey(&mut doc);
    crate::journey_citizen::document(&mut doc);
    answers_of_every_operation(&mut doc);
    doc
}

/// The application journey's back-office paths (SPEC §10.2).
/// The answers any operation can give, whatever it does (SPEC §12): 503
/// `service_unavailable` when the database cannot be reached; and for one
/// with a request body, 408 `request_timeout` (the body stalled), 413 (too
/// large, told before it is read) and 415 (`Content-Encoding`, or a body
/// that is not the type it must be); and 429 `rate_limited` on every path
/// the per-IP limit guards (SPEC §6).
fn answers_of_every_operation(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let limited = !crate::limits::exempt(path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            // A POST with an empty body means `{}` (SPEC §6): where `{}` is
            // a valid body, the body may be left out.
            if let Some(body) = operation.get_mut("requestBody") {
                let schema = &body["content"]["application/json"]["schema"];
                if schema["type"] == "object" && schema.get("required").is_none() {
                    body["required"] = Value::Bool(false);
                }
            }
            let has_body = operation.get("requestBody").is_some();
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let mut codes = vec!["503"];
            if limited {
                codes.push("429");
            }
            if has_body {
                codes.extend(["408", "413", "415"]);
            }
            for code in codes {
                responses.entry(code).or_insert_with(error_ref);
            }
        }
    }
}

fn journey(doc: &mut Value) {
    let date = || json!({"type": "string", "format": "date"});
    let words = |all: &[&str]| json!({"enum": all});
    use attesta_domain::journey::{
        ApplicationState, DeadlineWhat, EventKind, Phase, PhaseStatus, Procedure, Purpose, Via,
    };
    let purposes: Vec<&str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
    let procedures: Vec<&str> = Procedure::ALL.iter().map(|p| p.as_str()).collect();
    let vias: Vec<&str> = Via::ALL.iter().map(|p| p.as_str()).collect();
    let events: Vec<&str> = EventKind::BACK_OFFICE.iter().map(|p| p.as_str()).collect();
    let states: Vec<&str> = ApplicationState::ALL.iter().map(|p| p.as_str()).collect();
    let phases: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
    let statuses: Vec<&str> = PhaseStatus::ALL.iter().map(|p| p.as_str()).collect();
    let deadlines: Vec<&str> = DeadlineWhat::ALL.iter().map(|p| p.as_str()).collect();
    let visit = json!({"type": "object", "required": ["at", "place"], "additionalProperties": false, "properties": {
        "at": {"type": "string", "format": "date-time"}, "place": {"type": "string", "maxLength": 200},
        "home": {"type": "boolean"}}});
    let application = json!({"type": "object", "required": ["application_id", "procedure", "purposes", "state", "opened_on", "phases", "overdue"],
        "properties": {
            "application_id": {"type": "string"}, "procedure": words(&procedures),
            "purposes": {"type": "array", "items": words(&purposes)},
            "state": words(&states), "opened_on": date(),
            "phases": {"type": "array", "items": {"type": "object", "required": ["phase", "status"], "properties": {
                "phase": words(&phases), "status": words(&statuses), "on": date(), "due": date()}}},
            "visit": visit,
            "next_deadline": {"type": "object", "required": ["what", "due"], "properties": {"what": words(&deadlines), "due": date()}},
            "overdue": {"type": "boolean", "description": "a time target has passed (shown, never enforced)"},
            "verbale_id": {"type": "string"}}});
    doc["components"]["schemas"]["Application"] = application;
    let paths = &mut doc["paths"];
    paths["/api/v1/admin/certificates"] = json!({"post": op(
        "Store a doctor's certificate (idempotent by certificate_id); a reform certificate opens its application. 409 certificate_conflict, assessment_open; 422 invalid_certificate, unknown_person",
        Some("adminKey"),
        Some(json!({"type": "object", "required": ["certificate_id", "fiscal_code", "issued_on", "purposes", "province"], "additionalProperties": false, "properties": {
            "certificate_id": external_id(), "fiscal_code": fiscal_code(),
            "issued_on": date(), "purposes": {"type": "array", "minItems": 1, "uniqueItems": true, "items": words(&purposes)},
            "province": {"type": "string", "pattern": "^[A-Z]{2}$"}, "oncological": {"type": "boolean"},
            "procedure": words(&procedures), "doctor": {"type": "string", "maxLength": 200}}})),
        ("201", ok_json(json!({"type": "object", "required": ["certificate_id", "procedure"], "properties": {
            "certificate_id": {"type": "string"}, "procedure": words(&procedures),
            "application_id": {"type": "string", "description": "reform: the application the certificate opened"}}}))),
        &["200", "400", "401", "409", "413", "422"])});
    paths["/api/v1/admin/applications"] = json!({"post": op(
        "File an ordinary application from a certificate (a patronato or an association). 404 unknown_certificate; 409 certificate_used, assessment_open; 422 certificate_expired, invalid_application",
        Some("adminKey"),
        Some(json!({"type": "object", "required": ["certificate_id"], "additionalProperties": false, "properties": {
            "certificate_id": external_id(), "on": date(), "via": words(&vias)}})),
        ("201", ok_json(json!({"type": "object", "required": ["application_id"], "properties": {"application_id": {"type": "string"}}}))),
        &["400", "401", "404", "409", "413", "422"])});
    let mut event = op(
        "Record an event of the application; answers the application as the citizen sees it. 404 unknown_application; 409 invalid_transition (the message names the state), silent_assent_applied; 422 home_visit_too_late, invalid_event",
        Some("adminKey"),
        Some(
            json!({"type": "object", "required": ["event", "on"], "additionalProperties": false, "properties": {
            "event": words(&events), "on": date(), "visit": visit,
            "justified": {"type": "boolean", "description": "absent only (required there)"}}}),
        ),
        (
            "200",
            ok_json(json!({"$ref": "#/components/schemas/Application"})),
        ),
        &["400", "401", "404", "409", "413", "422"],
    );
    event["parameters"] = json!([{"name": "application_id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    paths["/api/v1/admin/applications/{application_id}/events"] = json!({"post": event});
}

/// Public and the same for everyone: cacheable like the key set.
pub async fn document(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> Response {
    let mut r = Json(spec_with_cookie(crate::extract::session_cookie_name(
        &state,
    )))
    .into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_path_is_in_the_document() {
        let spec = spec();
        let paths = spec["paths"].as_object().unwrap();
        for p in DOCUMENTED {
            assert!(paths.contains_key(*p), "{p}");
        }
        assert_eq!(paths.len(), DOCUMENTED.len());
    }

    /// Every operation documents 503, one with a body 408, 413, 415, and
    /// one the per-IP limit guards 429.
    #[test]
    fn every_operation_documents_the_answers_any_request_can_get() {
        let spec = spec();
        let (mut with_body, mut limited) = (0, 0);
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if method == "parameters" {
                    continue;
                }
                let responses = &operation["responses"];
                assert!(responses.get("503").is_some(), "{method} {path}: 503");
                let exempt = crate::limits::exempt(path);
                assert_eq!(
                    responses.get("429").is_some(),
                    !exempt,
                    "{method} {path}: 429"
                );
                limited += usize::from(!exempt);
                if operation.get("requestBody").is_some() {
                    with_body += 1;
                    for code in ["408", "413", "415"] {
                        assert!(responses.get(code).is_some(), "{method} {path}: {code}");
                    }
                }
            }
        }
        assert!(with_body > 5, "{with_body} operations with a body");
        assert!(limited > 20, "{limited} operations under the per-IP limit");
        // The admin API and the probes are not under it: no 429 promised there.
        let people = &spec["paths"]["/api/v1/admin/people/{fiscal_code}"]["put"]["responses"];
        assert!(people.get("429").is_none());
    }

    /// The codice fiscale pattern takes what the domain parses and its
    /// structure alone; the check character is the domain's.
    #[test]
    fn the_fiscal_code_pattern_matches_the_parser() {
        let pattern = fiscal_code()["pattern"].as_str().unwrap().to_owned();
        let re = regex::Regex::new(&pattern).unwrap();
        for ok in ["RSSMRA80A01H501U", " rssmra80a01h501u ", "RSSMRA80A01H5LMX"] {
            assert!(re.is_match(ok), "{ok}");
            assert!(attesta_domain::FiscalCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "RSSMRA80A01H501",
            "RSSMRA80Z01H501U",
            "0000000000000000",
            "RSSMRA80A01H501UX",
        ] {
            assert!(!re.is_match(bad), "{bad}");
            assert!(attesta_domain::FiscalCode::parse(bad).is_err(), "{bad}");
        }
    }
}
