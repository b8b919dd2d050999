//! The citizen's page of messages from the back office, `/me/messages`
//! (SPEC §11, "Le comunicazioni"): newest first, unread said in words, the
//! plain text escaped with its line breaks kept by CSS, and a form per
//! unread message to mark it read.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{MaybeSession, PageQuery};
use crate::i18n::key;
use crate::no_store;
use crate::pages::{Layout, citizen, csrf_ok};

type PageResult = Result<Response, PageError>;

struct MessageLine {
    id: String,
    at: String,
    subject: String,
    body: String,
    read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages.html")]
struct MessagesPage {
    layout: Layout,
    csrf: String,
    acting_for: Option<String>,
    notice: Option<String>,
    messages: Vec<MessageLine>,
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn layout(session: &Option<attesta_app::Session>) -> Layout {
    Layout::keyed("messages-h1")
        .crumbs(&[(key("journey-crumb-me"), "/me")])
        .with_session(session)
}

/// `GET /me/messages`.
pub async fn page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    PageQuery(q): PageQuery<DoneQuery>,
) -> PageResult {
    let layout = layout(&session);
    let (session, actor) = citizen(&s, session).await?;
    let notice = (q.done.as_deref() == Some("read")).then(|| layout.t("messages-done-read"));
    let messages = s
        .app
        .messages(&actor)
        .await?
        .into_iter()
        .map(|m| MessageLine {
            id: m.message_id,
            at: crate::format_italian_datetime(m.at),
            subject: m.subject,
            body: m.body,
            read: m.read,
        })
        .collect();
    let acting_for = if actor.is_delegate() {
        Some(s.app.me(&actor).await?.record.person.full_name())
    } else {
        None
    };
    let page = MessagesPage {
        layout,
        csrf: session.csrf_token.clone(),
        acting_for,
        notice,
        messages,
    };
    Ok(no_store(page.into_response()))
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    csrf: String,
}

/// `POST /me/messages/{message_id}/read`: marks it read, back to the list.
pub async fn page_read(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(message_id): Path<String>,
    Form(f): Form<ReadForm>,
) -> PageResult {
    let (session, actor) = citizen(&s, session).await?;
    csrf_ok(&session, &f.csrf)?;
    s.app.mark_message_read(&actor, &message_id).await?;
    Ok(Redirect::to("/me/messages?done=read").into_response())
}
