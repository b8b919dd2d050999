//! `attesta audit verify` (SPEC §12): walks the verification log's hash
//! chain from the oldest kept entry to the head. It needs no secret: anyone
//! with read access to the database can run it. Exit 0 prints the number of
//! entries and the head hash (publish it elsewhere, so that a rewrite of the
//! whole chain shows); exit 1 names the first entry that does not match.

use std::process::ExitCode;

use attesta_store::{AuditReport, Store};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the hash chain of the verification log; exit 1 naming the first entry that does not match.
    Verify,
}

pub async fn run(store: &Store, action: AuditAction) -> anyhow::Result<ExitCode> {
    match action {
        AuditAction::Verify => match store.audit_log().await? {
            AuditReport::Intact { entries, head_hash } => {
                println!("verification log intact: {entries} entries, head {head_hash}");
                Ok(ExitCode::SUCCESS)
            }
            AuditReport::Broken {
                verification_id,
                reason,
            } => {
                if verification_id.is_empty() {
                    println!("verification log broken: {reason}");
                } else {
                    println!("verification log broken at entry {verification_id}: {reason}");
                }
                Ok(ExitCode::from(1))
            }
        },
    }
}
