//! `attesta keys generate|rotate|list` (SPEC §7): the card signing keys.
//! Private keys go to `{data_dir}/keys/{kid}.pem` (PKCS#8, mode 0600) and
//! never to the database or a log.

use std::process::ExitCode;

use attesta_app::App;
use attesta_app::cards_credential::SigningKeyView;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Generate a key: the first becomes active; later ones are published
    /// as `next` and sign only after `rotate`.
    Generate,
    /// Make the newest `next` key active; the old one stays published until
    /// the last card it signed expires.
    Rotate,
    /// List the keys and their state.
    List,
}

fn millis(ms: Option<i64>) -> String {
    ms.and_then(|ms| {
        time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .ok()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".into())
}

fn describe(k: &SigningKeyView) -> String {
    format!(
        "{kid}  {state:<7}  published: {published:<3}  private key here: {here:<3}  created: {created}  signs until: {last}",
        kid = k.kid,
        state = k.state,
        published = if k.published { "yes" } else { "no" },
        here = if k.private_key_here { "yes" } else { "no" },
        created = millis(Some(k.created_at)),
        last = millis(k.last_expiry),
    )
}

pub async fn run(app: &App, action: KeysAction) -> anyhow::Result<ExitCode> {
    let result = match action {
        KeysAction::Generate => app.generate_signing_key().await.map(|k| {
            if k.state == attesta_store::keys::KeyState::Active {
                println!("generated and activated the first key {}", k.kid);
            } else {
                println!(
                    "generated key {} (published as next; run `attesta keys rotate` once \
                     verifiers have refreshed /.well-known/attesta/keys.json)",
                    k.kid
                );
            }
        }),
        KeysAction::Rotate => app.rotate_signing_key().await.map(|k| {
            println!(
                "key {} is now active; the previous key stays published until its cards expire",
                k.kid
            );
        }),
        KeysAction::List => app.signing_keys().await.map(|keys| {
            if keys.is_empty() {
                println!("no keys: run `attesta keys generate`");
            }
            for k in &keys {
                println!("{}", describe(k));
            }
        }),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {}", e.message);
            Ok(ExitCode::from(1))
        }
    }
}
