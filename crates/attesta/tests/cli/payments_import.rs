//! `attesta import` of payments (SPEC §11, told by the `payment_id` key):
//! idempotent as `POST /api/v1/admin/payments`, planned → paid an update,
//! any other difference a refused row naming the fields.

use attesta_domain::PaymentStatus;

use super::*;

fn payment(id: &str, who: &str, period: &str, amount: &str, paid_on: Option<&str>) -> String {
    let paid = match paid_on {
        Some(day) => format!(r#""status": "paid", "paid_on": "{day}""#),
        None => r#""status": "planned""#.to_owned(),
    };
    format!(
        r#"{{"payment_id": "{id}", "fiscal_code": "{who}", "benefit": "monthly_allowance", "period": "{period}", "amount_eur": "{amount}", {paid}}}"#
    )
}

pub(super) async fn payments_import_idempotently_and_refuse_what_conflicts(env: Env) {
    import_examples(&env);
    let file = env.file(
        "payments.jsonl",
        &[
            payment("P-1", MARIO, "2026-10", "336.00", Some("2026-10-01")),
            payment("P-2", MARIO, "2026-11", "336.00", None),
            // Every reason at once, nothing written.
            r#"{"payment_id": "P-3", "fiscal_code": "RSSMRA80A01H501U", "benefit": "holiday_bonus", "period": "2026-13", "amount_eur": 336, "status": "planned"}"#.to_owned(),
            payment("P-4", &stranger(), "2026-11", "336.00", None),
            r#"{"payment_id": "P-5", "fiscal_code": "RSSMRA80A01H501U", "benefit": "monthly_allowance", "period": "2026-11", "amount_eur": "1.00", "status": "planned", "iban": "IT60X0542811101000000123456"}"#.to_owned(),
        ]
        .join("\n"),
    );
    let run = env.import(&file, 2);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout.contains("imported payments from",)
            && run
                .stdout
                .contains("5 rows, 2 created, 0 updated, 0 unchanged, 3 rejected"),
        "{}",
        run.stdout
    );
    assert_not_reported(&run, 1);
    assert_not_reported(&run, 2);
    assert_reported(
        &run,
        3,
        &[
            "invalid_payment",
            "benefit",
            "monthly_allowance",
            "period",
            "YYYY-MM",
            "amount_eur",
            "string",
        ],
    );
    assert_reported(&run, 4, &["unknown_person", "fiscal_code"]);
    assert_reported(&run, 5, &["unknown field(s): iban"]);
    // No codice fiscale in what the import prints.
    assert!(
        !run.stderr.contains(MARIO) && !run.stdout.contains(MARIO),
        "{run:?}"
    );

    let store = env.store().await;
    let mario = store
        .person_by_fiscal_code(&cf(MARIO))
        .await
        .unwrap()
        .unwrap();
    let stored = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let ids = |payments: &[attesta_store::PaymentRecord]| {
        payments
            .iter()
            .map(|p| p.payment_id.clone())
            .collect::<Vec<_>>()
    };
    let payments = store.payments_for(&mario.person_id).await.unwrap();
    // Newest period first.
    assert_eq!(ids(&payments), stored(&["P-2", "P-1"]));
    assert_eq!(payments[1].amount.cents(), 33_600);

    // Run again: the same rows are unchanged; P-2 paid is an update; a
    // changed amount is a conflict naming the field, and changes nothing.
    let again = env.file(
        "again.jsonl",
        &[
            payment("P-1", MARIO, "2026-10", "336.00", Some("2026-10-01")),
            payment("P-2", MARIO, "2026-11", "336.00", Some("2026-11-02")),
            payment("P-1", MARIO, "2026-10", "363.00", Some("2026-10-01")),
        ]
        .join("\n"),
    );
    let run = env.import(&again, 500);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("3 rows, 0 created, 1 updated, 1 unchanged, 1 rejected"),
        "{}",
        run.stdout
    );
    assert_reported(&run, 3, &["payment_conflict", "amount_eur"]);
    let payments = store.payments_for(&mario.person_id).await.unwrap();
    assert_eq!(ids(&payments), stored(&["P-2", "P-1"]));
    assert_eq!(payments[0].status, PaymentStatus::Paid);
    assert_eq!(
        payments[0].paid_on,
        Some(time::macros::date!(2026 - 11 - 02))
    );
    assert_eq!(
        payments[1].amount.cents(),
        33_600,
        "the conflict wrote nothing"
    );

    // Paid back to planned is a difference too.
    let back = env.file(
        "back.csv",
        &format!(
            "payment_id;fiscal_code;benefit;period;amount_eur;status;paid_on\n\
             P-2;{MARIO};monthly_allowance;2026-11;336,00;planned;\n\
             P-6;{MARIO};monthly_allowance;2026-12;336,5;planned;\n"
        ),
    );
    let run = env.import(&back, 500);
    assert_eq!(run.code, 2, "{run:?}");
    assert_reported(&run, 2, &["payment_conflict", "status", "paid_on"]);
    assert_not_reported(&run, 3);
    let payments = store.payments_for(&mario.person_id).await.unwrap();
    assert_eq!(ids(&payments), stored(&["P-6", "P-2", "P-1"]));
    assert_eq!(payments[0].amount.cents(), 33_650);
    assert_eq!(payments[1].status, PaymentStatus::Paid);
}
