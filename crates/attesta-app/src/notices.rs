//! `GET /api/v1/me/notices` (SPEC §11): the holder's notices and deadlines,
//! derived on each read from what is stored (see
//! [`attesta_domain::journey::notices`]); nothing here is written.

use attesta_domain::Revision;
use attesta_domain::journey::{CertificateFact, Notice, NoticeFacts, notices};

use crate::{Actor, App, AppResult};

impl App {
    /// The notices of the person `actor` acts for, today.
    pub async fn my_notices(&self, actor: &Actor) -> AppResult<Vec<Notice>> {
        let record = self.person(&actor.person_id).await?;
        let certificates = self
            .my_certificates(actor)
            .await?
            .into_iter()
            .map(|c| CertificateFact {
                certificate_id: c.certificate_id,
                status: c.status,
                apply_by: c.apply_by,
            })
            .collect();
        let revision = match record.status.findings.revision {
            Some(Revision::Due(month)) => Some(month),
            _ => None,
        };
        let cards = self
            .store
            .active_cards_of(&actor.person_id)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.serial?.as_str().to_owned(), c.expires_on?)))
            .collect();
        let unread = self.store.unread_message_count(&actor.person_id).await?;
        let facts = NoticeFacts {
            certificates,
            applications: self.my_applications(actor).await?,
            definitive_verbali: self.store.definitive_verbali_of(&actor.person_id).await?,
            revision,
            cards,
            unread_messages: u32::try_from(unread).unwrap_or(u32::MAX),
        };
        Ok(notices(&facts, self.today()))
    }
}
