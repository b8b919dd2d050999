//! Documents sent for an application (SPEC §11), on both engines.

use attesta_domain::journey::{ApplicationState, Procedure, Purpose};
use attesta_domain::parse_date;
use attesta_store::Store;
use attesta_store::documents::NewDocument;
use attesta_store::journey::{CertificateRecord, NewApplication};
use attesta_testkit::on_both_engines;
use serde_json::json;

use crate::{NOW, with_person};

on_both_engines!(documents_are_stored_listed_and_read_back);

async fn application(store: &Store, person_id: &str, id: &str) {
    let cert = CertificateRecord {
        certificate_id: format!("C-{id}"),
        person_id: person_id.to_owned(),
        issued_on: parse_date("2026-10-01").unwrap(),
        purposes: vec![Purpose::Invalidity],
        province: "BA".to_owned(),
        oncological: false,
        procedure: Procedure::Ordinary,
        procedure_stated: false,
        doctor: None,
        expired_on: None,
    };
    store
        .put_certificate(&cert, None, NOW)
        .await
        .unwrap()
        .unwrap();
    let new = NewApplication {
        application_id: id.to_owned(),
        certificate_id: cert.certificate_id.clone(),
        person_id: person_id.to_owned(),
        procedure: Procedure::Ordinary,
        purposes: cert.purposes.clone(),
        state: ApplicationState::Submitted,
        opened_on: parse_date("2026-10-05").unwrap(),
        via: None,
        facts: json!({}),
    };
    store.open_application(&new, NOW).await.unwrap().unwrap();
}

fn doc(application_id: &str, person_id: &str, name: &str, bytes: &str) -> NewDocument {
    NewDocument {
        application_id: application_id.to_owned(),
        person_id: person_id.to_owned(),
        content_type: "application/pdf".to_owned(),
        size: 5,
        file_name: name.to_owned(),
        sent_by: person_id.to_owned(),
        content_base64: bytes.to_owned(),
    }
}

async fn documents_are_stored_listed_and_read_back(store: Store) {
    let mario = with_person(&store).await;
    application(&store, &mario, "A-1").await;
    application(&store, &mario, "A-2").await;
    assert!(store.documents_of_person(&mario).await.unwrap().is_empty());
    let first = store
        .add_document(&doc("A-1", &mario, "referto.pdf", "JVBERi0="), NOW)
        .await
        .unwrap();
    let second = store
        .add_document(&doc("A-2", &mario, "esami.pdf", "AAEC"), NOW + 1_000)
        .await
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(first.len(), 32);
    let all = store.documents_of_person(&mario).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.document_id.as_str()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");
    assert_eq!(all[1].file_name, "referto.pdf");
    assert_eq!(all[1].created_at, NOW);
    assert_eq!(all[1].application_id, "A-1");
    let of_one = store.documents_of_application("A-1").await.unwrap();
    assert_eq!(of_one.len(), 1);
    assert_eq!(of_one[0].document_id, first);
    let (record, bytes) = store.document(&second).await.unwrap().unwrap();
    assert_eq!(record.size, 5);
    assert_eq!(record.content_type, "application/pdf");
    assert_eq!(bytes, "AAEC");
    assert!(store.document("nope").await.unwrap().is_none());
    assert!(
        store
            .documents_of_application("A-9")
            .await
            .unwrap()
            .is_empty()
    );
}
