//! Every message attesta sends, e-mail or SMS, rendered from the askama
//! templates in `crates/attesta-app/templates/` (`email/`, `sms/`). Each
//! message type is one struct holding only what its text needs; the HTML
//! part is escaped by askama, the text parts are plain.
//!
//! The e-mails share one letter (`email/letter.txt` and `.html`): the
//! greeting, the Italian paragraph, the English one, the signature. No body
//! carries health data or the codice fiscale (SPEC §9.11): the structs have
//! no field for them.

use askama::Template;
use attesta_domain::{CardSerial, RevokeReason};

use crate::mail::Email;

/// An e-mail to one person, with its subject and, maybe, a PDF.
pub trait Letter {
    /// The subject line (Italian / English).
    const SUBJECT: &'static str;
    /// The HTML part's title.
    const TITLE: &'static str = Self::SUBJECT;
    /// The PDF's file name, when the e-mail carries one.
    const ATTACHMENT: Option<&'static str> = None;

    /// The plain-text and HTML bodies.
    fn bodies(&self) -> askama::Result<(String, String)>;

    /// The e-mail to `to`, with `pdf` attached when the message carries one.
    fn email(&self, to: String, pdf: Option<Vec<u8>>) -> askama::Result<Email> {
        let (text, html) = self.bodies()?;
        Ok(Email {
            to,
            subject: Self::SUBJECT.to_owned(),
            text,
            html,
            pdf: Self::ATTACHMENT.zip(pdf).map(|(n, p)| (n.to_owned(), p)),
        })
    }
}

/// The two templates of a letter: `$text` (plain) and `$html` (escaped).
macro_rules! letter {
    ($msg:ident, $text_ty:ident => $text:literal, $html_ty:ident => $html:literal) => {
        #[derive(Template)]
        #[template(path = $text)]
        struct $text_ty<'b, 'a> {
            m: &'b $msg<'a>,
        }

        #[derive(Template)]
        #[template(path = $html)]
        struct $html_ty<'b, 'a> {
            m: &'b $msg<'a>,
            title: &'static str,
        }

        impl $msg<'_> {
            fn render_bodies(&self) -> askama::Result<(String, String)> {
                let title = <Self as Letter>::TITLE;
                Ok((
                    $text_ty { m: self }.render()?,
                    $html_ty { m: self, title }.render()?,
                ))
            }
        }
    };
}

/// The attestation PDF (`attestazione-qr.pdf`): no code in the body, the
/// PDF carries the QR.
#[derive(Debug, Clone, Copy)]
pub struct AttestationEmail<'a> {
    pub name: &'a str,
}

letter!(AttestationEmail, AttestationText => "email/attestation.txt", AttestationHtml => "email/attestation.html");

impl Letter for AttestationEmail<'_> {
    const SUBJECT: &'static str = "La tua attestazione QR / Your QR attestation";
    const TITLE: &'static str = "La tua attestazione QR";
    const ATTACHMENT: Option<&'static str> = Some("attestazione-qr.pdf");

    fn bodies(&self) -> askama::Result<(String, String)> {
        self.render_bodies()
    }
}

/// The card is issued: the card's PDF is attached.
#[derive(Debug, Clone, Copy)]
pub struct CardIssuedEmail<'a> {
    pub name: &'a str,
}

letter!(CardIssuedEmail, CardIssuedText => "email/card_issued.txt", CardIssuedHtml => "email/card_issued.html");

/// The PDF of a card e-mail.
pub const CARD_PDF_NAME: &str = "carta-europea-disabilita.pdf";

impl Letter for CardIssuedEmail<'_> {
    const SUBJECT: &'static str = "La tua Carta europea della disabilità / Your EU Disability Card";
    const ATTACHMENT: Option<&'static str> = Some(CARD_PDF_NAME);

    fn bodies(&self) -> askama::Result<(String, String)> {
        self.render_bodies()
    }
}

/// The application is refused. The back office's reason is free text that
/// may tell of health, so the e-mail does not quote it: the citizen reads
/// it on `/me/card`.
#[derive(Debug, Clone, Copy)]
pub struct CardRejectedEmail<'a> {
    pub name: &'a str,
}

letter!(CardRejectedEmail, CardRejectedText => "email/card_rejected.txt", CardRejectedHtml => "email/card_rejected.html");

impl Letter for CardRejectedEmail<'_> {
    const SUBJECT: &'static str =
        "Domanda di Carta europea della disabilità / EU Disability Card application";

    fn bodies(&self) -> askama::Result<(String, String)> {
        self.render_bodies()
    }
}

/// The card is revoked; the reason is worded without health data.
#[derive(Debug, Clone, Copy)]
pub struct CardRevokedEmail<'a> {
    pub name: &'a str,
    pub serial: &'a CardSerial,
    pub reason: RevokeReason,
}

letter!(CardRevokedEmail, CardRevokedText => "email/card_revoked.txt", CardRevokedHtml => "email/card_revoked.html");

impl Letter for CardRevokedEmail<'_> {
    const SUBJECT: &'static str =
        "Carta europea della disabilità revocata / EU Disability Card revoked";

    fn bodies(&self) -> askama::Result<(String, String)> {
        self.render_bodies()
    }
}

/// The verbale guide's alert (SPEC §11): a document waits in the
/// citizen's area at `url` (the public address of `/me`). No field for
/// anything else: no percentage, code, judgement or diagnosis can reach it.
#[derive(Debug, Clone, Copy)]
pub struct VerbaleIssuedEmail<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

letter!(VerbaleIssuedEmail, VerbaleIssuedText => "email/verbale_issued.txt", VerbaleIssuedHtml => "email/verbale_issued.html");

impl Letter for VerbaleIssuedEmail<'_> {
    const SUBJECT: &'static str =
        "Un documento ti aspetta nella tua area / A document is waiting in your area";

    fn bodies(&self) -> askama::Result<(String, String)> {
        self.render_bodies()
    }
}

/// The verbale guide's SMS: as the e-mail, short.
#[derive(Debug, Clone, Copy, Template)]
#[template(path = "sms/verbale_issued.txt")]
pub struct VerbaleIssuedSms<'a> {
    pub url: &'a str,
}

impl VerbaleIssuedSms<'_> {
    /// The text message.
    pub fn text(&self) -> askama::Result<String> {
        self.render()
    }
}

/// SPEC §9.11, the level-2 one-time code: who asks, the code, its
/// validity, the warning; no health data.
#[derive(Debug, Clone, Copy, Template)]
#[template(path = "sms/otp.txt")]
pub struct OtpSms<'a> {
    pub organisation: &'a str,
    pub code: &'a str,
    pub minutes: u64,
}

impl OtpSms<'_> {
    /// The text message.
    pub fn text(&self) -> askama::Result<String> {
        self.render()
    }
}

/// The wallet's transaction code (issue #19): the code, what it is for,
/// how long it lasts; nothing else (no name, no card number, no link).
#[derive(Debug, Clone, Copy, Template)]
#[template(path = "sms/wallet.txt")]
pub struct WalletTxCodeSms<'a> {
    pub code: &'a str,
    pub minutes: u64,
}

impl WalletTxCodeSms<'_> {
    /// The text message.
    pub fn text(&self) -> askama::Result<String> {
        self.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wallet_sms_says_the_code_its_use_and_its_life_only() {
        let text = WalletTxCodeSms {
            code: "123456",
            minutes: 10,
        }
        .text()
        .unwrap();
        assert!(text.contains("123456"), "{text}");
        assert!(
            text.contains("wallet") && text.contains("10 minut"),
            "{text}"
        );
        assert!(!text.contains("http"), "{text}");
    }

    /// The letter as it was written by hand before the templates. Only
    /// the spelling of the escapes changed: askama writes numeric
    /// references (`&#38;` for `&amp;`), the same characters to a reader.
    fn by_hand(name: &str, title: &str, it: &str, en: &str) -> (String, String) {
        let esc = |s: &str| {
            s.replace('&', "&#38;")
                .replace('<', "&#60;")
                .replace('>', "&#62;")
                .replace('"', "&#34;")
        };
        let text = format!("Gentile {name},\n\n{it}\n\nDear {name},\n\n{en}\n\nattesta");
        let html = format!(
            "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>{s}</title></head><body><p>Gentile {n},</p><p>{it}</p><div lang=\"en\"><p>Dear {n},</p><p>{en}</p></div><p>attesta</p></body></html>",
            s = esc(title),
            n = esc(name),
            it = esc(it),
            en = esc(en),
        );
        (text, html)
    }

    const NAME: &str = "Mario & <Rossi>";

    #[test]
    fn the_card_issued_email_reads_as_before() {
        let m = CardIssuedEmail { name: NAME };
        assert_eq!(
            m.bodies().unwrap(),
            by_hand(
                NAME,
                CardIssuedEmail::SUBJECT,
                "la tua Carta europea della disabilità è stata emessa: la trovi in allegato in PDF (fronte e retro, formato tessera) e nella tua area personale. Il codice QR sul retro permette a chiunque di verificarne la validità.",
                "your EU Disability Card has been issued: the PDF (front and back, card size) is attached and in your personal area. The QR code on the back lets anyone check that it is valid.",
            )
        );
        let email = m
            .email("m@example.it".into(), Some(b"%PDF".to_vec()))
            .unwrap();
        assert_eq!(email.subject, CardIssuedEmail::SUBJECT);
        assert_eq!(
            email.pdf,
            Some((CARD_PDF_NAME.to_owned(), b"%PDF".to_vec()))
        );
        assert_eq!(email.to, "m@example.it");
    }

    #[test]
    fn the_rejection_sends_the_citizen_to_their_area_for_the_reason() {
        let m = CardRejectedEmail { name: NAME };
        assert_eq!(
            m.bodies().unwrap(),
            by_hand(
                NAME,
                CardRejectedEmail::SUBJECT,
                "la tua domanda di Carta europea della disabilità non è stata accolta. Il motivo è nella tua area personale, alla pagina della Carta, da dove puoi anche presentare una nuova domanda.",
                "your EU Disability Card application was not accepted. The reason is in your personal area, on the card page, where you can also apply again.",
            )
        );
        assert!(m.email("x@y".into(), Some(vec![1])).unwrap().pdf.is_none());
    }

    #[test]
    fn the_revocation_words_each_reason() {
        let serial = CardSerial::parse("IT1234567897").unwrap();
        for (reason, it, en) in [
            (
                RevokeReason::NoLongerEligible,
                "a seguito di un nuovo verbale, le condizioni per la carta non sono più soddisfatte",
                "following a new verbale, the conditions for the card are no longer met",
            ),
            (
                RevokeReason::BackOffice,
                "decisione dell'ufficio",
                "a decision of the back office",
            ),
        ] {
            let m = CardRevokedEmail {
                name: NAME,
                serial: &serial,
                reason,
            };
            assert_eq!(
                m.bodies().unwrap(),
                by_hand(
                    NAME,
                    CardRevokedEmail::SUBJECT,
                    &format!(
                        "la tua Carta europea della disabilità n. IT1234567897 è stata revocata ({it}) e non è più valida. Per chiarimenti rivolgiti all'INPS."
                    ),
                    &format!(
                        "your EU Disability Card no. IT1234567897 has been revoked ({en}) and is no longer valid. For questions, contact INPS."
                    ),
                )
            );
        }
    }

    #[test]
    fn the_attestation_email_reads_as_before() {
        let m = AttestationEmail { name: NAME };
        assert_eq!(
            m.bodies().unwrap(),
            by_hand(
                NAME,
                "La tua attestazione QR",
                "in allegato trovi il PDF con il tuo codice QR per attestare il tuo stato. Stampalo o conservalo sul telefono e mostralo insieme al tuo codice fiscale. Puoi revocarlo in qualsiasi momento dalla tua area personale, dove vedi anche chi lo ha verificato.",
                "attached is the PDF with your QR code to prove your status. Print it or keep it on your phone and show it with your codice fiscale. You can revoke it at any time from your personal area, where you also see who checked it.",
            )
        );
        let email = m.email("m@example.it".into(), Some(vec![1])).unwrap();
        assert_eq!(
            email.subject,
            "La tua attestazione QR / Your QR attestation"
        );
        assert_eq!(email.pdf.unwrap().0, "attestazione-qr.pdf");
    }

    #[test]
    fn the_otp_sms_reads_as_before() {
        assert_eq!(
            OtpSms {
                organisation: "Comune di Roma",
                code: "123456",
                minutes: 5,
            }
            .text()
            .unwrap(),
            "attesta: Comune di Roma chiede di vedere il dettaglio della tua invalidità. Codice 123456, valido 5 minuti. Dallo solo a chi hai di fronte. / Comune di Roma asks to see your disability details. Code 123456, valid 5 minutes. Give it only to someone in front of you."
        );
    }
}
