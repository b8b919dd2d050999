//! What can be done in a citizen's area, for the activity list (SPEC §6
//! `GET /api/v1/me/activity`): each action is written with who did it.

/// One kind of action in the activity list, as stored in `activity.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    PrivacyNoticeAccepted,
    AttestationGenerated,
    AttestationRevoked,
    AttestationEmailed,
    DelegateAdded,
    DelegateRemoved,
    CardApplied,
    CardIssued,
    CardRejected,
    CardRevoked,
    CardEmailed,
    ApplicationFiled,
    RescheduleRequested,
    DocumentSent,
    /// The proactive consent of the verbale guide (SPEC §11) given.
    ProactiveConsentGiven,
    /// The proactive consent withdrawn.
    ProactiveConsentWithdrawn,
    /// The card issued into a wallet over OpenID4VCI (issue #19).
    WalletCredentialIssued,
    /// A wallet's proof of possession refused at the credential endpoint.
    WalletProofRefused,
}

impl Activity {
    pub const ALL: [Activity; 18] = [
        Activity::PrivacyNoticeAccepted,
        Activity::AttestationGenerated,
        Activity::AttestationRevoked,
        Activity::AttestationEmailed,
        Activity::DelegateAdded,
        Activity::DelegateRemoved,
        Activity::CardApplied,
        Activity::CardIssued,
        Activity::CardRejected,
        Activity::CardRevoked,
        Activity::CardEmailed,
        Activity::ApplicationFiled,
        Activity::RescheduleRequested,
        Activity::DocumentSent,
        Activity::ProactiveConsentGiven,
        Activity::ProactiveConsentWithdrawn,
        Activity::WalletCredentialIssued,
        Activity::WalletProofRefused,
    ];

    /// The wire and storage name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Activity::PrivacyNoticeAccepted => "privacy_notice_accepted",
            Activity::AttestationGenerated => "attestation_generated",
            Activity::AttestationRevoked => "attestation_revoked",
            Activity::AttestationEmailed => "attestation_emailed",
            Activity::DelegateAdded => "delegate_added",
            Activity::DelegateRemoved => "delegate_removed",
            Activity::CardApplied => "card_applied",
            Activity::CardIssued => "card_issued",
            Activity::CardRejected => "card_rejected",
            Activity::CardRevoked => "card_revoked",
            Activity::CardEmailed => "card_emailed",
            Activity::ApplicationFiled => "application_filed",
            Activity::RescheduleRequested => "reschedule_requested",
            Activity::DocumentSent => "document_sent",
            Activity::ProactiveConsentGiven => "proactive_consent_given",
            Activity::ProactiveConsentWithdrawn => "proactive_consent_withdrawn",
            Activity::WalletCredentialIssued => "wallet_credential_issued",
            Activity::WalletProofRefused => "wallet_proof_refused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for a in Activity::ALL {
            assert_eq!(Activity::parse(a.as_str()), Some(a));
        }
        let mut names: Vec<_> = Activity::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Activity::ALL.len());
        assert_eq!(Activity::parse("card_lost"), None);
    }
}
