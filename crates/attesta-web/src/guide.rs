//! The operators' tutorial ("Tutorial per operatori di enti pubblici e
//! soggetti privati", SPEC §12): `GET /v/guide` as a page and
//! `GET /v/guide.pdf` as a tagged PDF, both in the request's language and
//! both made from the same translation keys, so they never say different
//! things.

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::AppError;
use attesta_credential::{TextDocument, TextSection, text_pdf};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::PageError;
use crate::extract::MaybeSession;
use crate::i18n::{Lang, key};
use crate::pages::Layout;

/// The sections: heading key, paragraph keys, and whether the paragraphs
/// are a list (on the page).
const SECTIONS: [(&str, &[&str], bool); 5] = [
    (
        key("guide-read-h"),
        &[
            key("guide-read-1"),
            key("guide-read-2"),
            key("guide-read-3"),
            key("guide-read-4"),
        ],
        false,
    ),
    (
        key("guide-level1-h"),
        &[
            key("guide-level1-1"),
            key("guide-level1-2"),
            key("guide-level1-3"),
        ],
        false,
    ),
    (
        key("guide-level2-h"),
        &[
            key("guide-level2-1"),
            key("guide-level2-2"),
            key("guide-level2-3"),
        ],
        false,
    ),
    (
        key("guide-never-h"),
        &[
            key("guide-never-1"),
            key("guide-never-2"),
            key("guide-never-3"),
            key("guide-never-4"),
        ],
        true,
    ),
    (key("guide-trouble-h"), &[key("guide-trouble-1")], false),
];

/// A section as the page shows it.
pub struct Section {
    pub id: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub list: bool,
}

fn sections(lang: Lang) -> Vec<Section> {
    SECTIONS
        .iter()
        .map(|(h, ps, list)| Section {
            id: h.trim_end_matches("-h").to_owned(),
            heading: lang.t(h),
            paragraphs: ps.iter().map(|p| lang.t(p)).collect(),
            list: *list,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "guide.html")]
struct GuidePage {
    layout: Layout,
    sections: Vec<Section>,
}

pub async fn page(MaybeSession(session): MaybeSession) -> Response {
    let layout = Layout::keyed("guide-title")
        .crumbs(&[(key("check-title"), "/v")])
        .with_session(&session);
    GuidePage {
        sections: sections(layout.lang),
        layout,
    }
    .into_response()
}

/// The same words as a text document; a list's items get a dash, as the
/// page's bullets.
fn document(lang: Lang) -> TextDocument {
    TextDocument {
        title: lang.t("guide-title"),
        lang: lang.code().to_owned(),
        intro: vec![lang.t("guide-intro")],
        sections: sections(lang)
            .into_iter()
            .map(|s| TextSection {
                paragraphs: if s.list {
                    s.paragraphs.iter().map(|p| format!("– {p}")).collect()
                } else {
                    s.paragraphs
                },
                heading: s.heading,
            })
            .collect(),
    }
}

/// The PDF of each language, made once: its words are fixed at build time.
static PDFS: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];

pub async fn pdf(lang: Lang) -> Result<Response, PageError> {
    let slot = &PDFS[usize::from(lang == Lang::En)];
    let bytes = match slot.get() {
        Some(b) => b.clone(),
        None => {
            let made = tokio::task::spawn_blocking(move || text_pdf(&document(lang)))
                .await
                .map_err(|e| PageError(AppError::internal(&e)))?
                .map_err(|e| PageError(AppError::internal(&e)))?;
            slot.get_or_init(|| made).clone()
        }
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let name = if lang == Lang::En {
        "inline; filename=\"attesta-operators-tutorial.pdf\""
    } else {
        "inline; filename=\"attesta-tutorial-operatori.pdf\""
    };
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(name));
    // One address, two languages: a cache must not hand one to the other.
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    Ok(r)
}
