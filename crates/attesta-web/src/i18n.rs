//! Languages of the pages: Italian by default, English complete. Every
//! string a page shows lives in `locales/{it,en}/attesta.ftl` (Fluent).
//!
//! The language of a request: `?lang=it|en` (which also sets the
//! `attesta_lang` cookie, so the choice is remembered), else that cookie,
//! else the first supported `Accept-Language` tag by q order, else Italian.
//! The middleware [`negotiate`] decides it once per request, puts it in the
//! request's extensions (read by the [`Lang`] extractor) and in a task-local
//! so that page frames and error pages rendered later in the same request
//! find it too.

use std::fmt;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "it",
        // Without this, Fluent wraps arguments in U+2068/U+2069 marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Marks a literal as a translation key chosen in code (say by a `match`),
/// so the key test finds it.
pub const fn key(k: &'static str) -> &'static str {
    k
}

pub const LANG_COOKIE: &str = "attesta_lang";

static ITALIAN: LanguageIdentifier = langid!("it");
static ENGLISH: LanguageIdentifier = langid!("en");

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    It,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::It => "Italiano",
            Lang::En => "English",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::It => &ITALIAN,
            Lang::En => &ENGLISH,
        }
    }

    /// The text of `key` in this language.
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The text of `key` with Fluent arguments.
    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let args = args
            .iter()
            .map(|(k, v)| (std::borrow::Cow::Borrowed(*k), v.clone().into()))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// The text of `key` with numeric arguments (Fluent selects plurals on
    /// numbers only), or `None` when neither language has the key.
    pub fn try_t_num(self, key: &str, args: &[(&'static str, i64)]) -> Option<String> {
        let args = args
            .iter()
            .map(|(k, v)| {
                (
                    std::borrow::Cow::Borrowed(*k),
                    fluent_templates::fluent_bundle::FluentValue::from(*v),
                )
            })
            .collect();
        LOCALES.try_lookup_with_args(self.id(), key, &args)
    }

    /// The language of the request being served (Italian outside one).
    pub fn current() -> Lang {
        CURRENT.try_with(|c| c.lang).unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the page frame needs of the request: the language and where the
/// language switch points.
#[derive(Debug, Clone, Default)]
pub struct RequestLang {
    pub lang: Lang,
    /// The request's path and query without `lang`, e.g. `/me?done=x`.
    pub here: String,
}

tokio::task_local! {
    static CURRENT: RequestLang;
}

/// The current request's language and address (defaults outside one).
pub fn current() -> RequestLang {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| RequestLang {
            lang: Lang::It,
            here: "/".into(),
        })
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    crate::extract::cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v))
}

/// The first supported tag of an `Accept-Language` header, by q order.
pub fn accept_language(value: &str) -> Option<Lang> {
    let mut tags: Vec<(f32, usize, Lang)> = value
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                return None;
            }
            Lang::parse(tag).map(|l| (q, i, l))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.first().map(|t| t.2)
}

/// The language of a request, and whether `?lang=` chose it.
pub fn choose(query: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
    if let Some(l) = query_lang(query) {
        return (l, true);
    }
    let lang = cookie_lang(headers)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(accept_language)
        })
        .unwrap_or_default();
    (lang, false)
}

fn here(path: &str, query: Option<&str>) -> String {
    // The operator's pages never link back to an address that held a
    // token (SPEC §12): the QR's own `/v/{token}` (an error page there
    // switches language on `/v`) or an old `/v?code=`. A check's page keeps
    // its handle's address.
    if let Some(rest) = path
        .strip_prefix("/v/")
        .or_else(|| path.strip_prefix("/V/"))
    {
        let kept = rest.starts_with("check/") || rest == "guide";
        return if kept {
            path.to_owned()
        } else {
            "/v".to_owned()
        };
    }
    if path == "/v" {
        return path.to_owned();
    }
    let rest: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang=") && *p != "lang")
        .collect();
    if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}

/// Middleware: decides the request's language (see the module docs).
pub async fn negotiate(mut req: Request, next: Next) -> Response {
    let (lang, chosen) = choose(req.uri().query(), req.headers());
    let ctx = RequestLang {
        lang,
        here: here(req.uri().path(), req.uri().query()),
    };
    req.extensions_mut().insert(lang);
    let mut r = CURRENT.scope(ctx, next.run(req)).await;
    if chosen {
        r.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&format!(
                "{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
            ))
            .expect("language codes are valid header text"),
        );
    }
    r.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    r
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<Lang>() {
            Some(l) => *l,
            None => choose(parts.uri.query(), &parts.headers).0,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn keys(lang: &str) -> BTreeSet<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang)
            .join("attesta.ftl");
        let text = std::fs::read_to_string(&path).expect("the .ftl file exists");
        text.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('='))
            .map(|(k, _)| k.trim().to_owned())
            .collect()
    }

    /// Every key given literally to `t`, `t_args`, `keyed` or `key` in the
    /// templates and the code.
    fn used_keys() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        let open = ["(", "\""].concat();
        for dir in ["templates", "src"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("the directory exists") {
                let path = entry.expect("a directory entry").path();
                let text = std::fs::read_to_string(&path).expect("a text file");
                for (i, _) in text.match_indices(open.as_str()) {
                    let before = &text[..i];
                    let name_start = before
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(0, |j| j + 1);
                    if !matches!(&before[name_start..], "t" | "t_args" | "keyed" | "key") {
                        continue;
                    }
                    let rest = &text[i + open.len()..];
                    if let Some(end) = rest.find('"') {
                        used.insert(rest[..end].to_owned());
                    }
                }
            }
        }
        used
    }

    #[test]
    fn both_languages_have_every_key() {
        let it = keys("it");
        let en = keys("en");
        assert!(!it.is_empty());
        let only_it: Vec<_> = it.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&it).collect();
        assert!(only_it.is_empty(), "missing in English: {only_it:?}");
        assert!(only_en.is_empty(), "missing in Italian: {only_en:?}");
    }

    #[test]
    fn every_key_used_exists() {
        let it = keys("it");
        let en = keys("en");
        let used = used_keys();
        assert!(!used.is_empty());
        let missing: Vec<_> = used
            .iter()
            .filter(|k| !it.contains(*k) || !en.contains(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used but not translated: {missing:?}"
        );
    }

    /// Every SPEC §6 code ([`ErrorCode::ALL`], made by the same macro as
    /// the enum, so none is left out) has its message in both languages,
    /// so no page shows attesta-app's English on an Italian page.
    #[test]
    fn every_error_code_has_a_message_in_both_languages() {
        let it = keys("it");
        let en = keys("en");
        let missing: Vec<_> = attesta_app::ErrorCode::ALL
            .iter()
            .map(|c| c.message_key())
            .filter(|k| !it.contains(*k) || !en.contains(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "error codes without a message: {missing:?}"
        );
        // And no message is left without its code.
        let orphans: Vec<_> = it
            .iter()
            .filter(|k| k.starts_with("err-"))
            .filter(|k| {
                !attesta_app::ErrorCode::ALL
                    .iter()
                    .any(|c| c.message_key() == k.as_str())
            })
            .collect();
        assert!(orphans.is_empty(), "messages without a code: {orphans:?}");
    }

    #[test]
    fn every_key_resolves_without_isolation_marks() {
        for lang in Lang::ALL {
            for key in keys(lang.code()) {
                let text = lang.t(&key);
                assert!(!text.contains('\u{2068}'), "{key}");
                assert!(!text.is_empty(), "{key}");
            }
        }
    }

    #[test]
    fn choice_order() {
        let mut h = HeaderMap::new();
        assert_eq!(choose(None, &h), (Lang::It, false));
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-DE, en-GB;q=0.8, it;q=0.5"),
        );
        assert_eq!(choose(None, &h), (Lang::En, false));
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en;q=0.3, it-IT;q=0.9"),
        );
        assert_eq!(choose(None, &h), (Lang::It, false));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; attesta_lang=en"),
        );
        assert_eq!(choose(None, &h), (Lang::En, false));
        assert_eq!(choose(Some("x=1&lang=it"), &h), (Lang::It, true));
        assert_eq!(here("/me", Some("done=x&lang=en")), "/me?done=x");
        assert_eq!(here("/", Some("lang=en")), "/");
        let token = "/V/7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assert_eq!(here(token, None), "/v", "a token's address is never linked");
        assert_eq!(here("/v", Some("code=7ZZZ&lang=en")), "/v");
        assert_eq!(here("/v/check/00ff", Some("lang=en")), "/v/check/00ff");
    }
}
