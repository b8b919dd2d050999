# attesta: English. Every key exists in it/attesta.ftl too.

## Frame (base.html)
skip-link = Skip to main content
tagline = Attestation of civil invalidity, blindness, deafness and handicap status
lang-switch-label = Language
logout = Log out
footer = attesta — a service to attest a recognised disability with a QR code.
header-owner = attesta · Disability status attestation service
crumbs-label = Breadcrumbs
crumbs-home = Home
error-summary-title = There is a problem: fix the fields listed
error-summary-title-prefix = Error:
footer-api = API for developers (OpenAPI)
footer-font-licence = Licence of the Titillium Web font (SIL OFL)
steppers-index = Step { $current } of { $total }
steppers-done = done

## Landing (index.html)
index-title = attesta
index-h1 = Prove your status with a QR code
index-intro = If you hold a definitive verbale of civil invalidity, blindness, deafness or handicap (Law 104/1992), you can generate a QR code and show it, with your codice fiscale, to museums, transport, municipalities and other bodies instead of carrying the paper verbale. The QR holds no personal or health data.
index-citizens = Citizens
index-citizens-text = Log in with SPID, CIE or CNS to generate, print or revoke your QR code and see who checked it.
index-login-demo = Log in (demo)
index-login-idp = Log in with SPID, CIE or CNS
index-no-login = Citizen login is not enabled on this server yet.
index-operators = Operators
index-operators-text = Scan the QR code with any reader: the check page opens. If the camera cannot read it, type the code printed under the QR.
index-check = Check a QR code

## Short code (check.html)
check-title = Check an attestation
check-intro = Scan the QR code with a reader (the whole address is fine), or type the code for manual entry printed under it (26 characters, hyphens optional, any case).
check-code = Code
check-example = Example: K7QH-3MZD-…
check-continue = Continue
check-invalid = The code is not valid: 26 letters and digits (without I, L, O, U), usually in groups of four. Check it and try again.

## Level 1 (verify.html)
verify-title = Level-1 check
verify-intro = Ask the holder for their codice fiscale (it is on their health card) and type it. Nothing about the holder is shown before it matches.
verify-fiscal-code = Holder's codice fiscale
verify-hint = 16 characters, e.g. RSSMRA80A01H501U
verify-error = Check the codice fiscale on the holder's health card and try again.
verify-submit = Check

## Level-1 result (result.html)
result-h1 = QR code check result
result-yes = As of today, the person falls in at least one of the listed cases.
result-no = As of today, the person does NOT fall in any of the listed cases.
result-holder = Holder
result-checked-at = Checked at
result-reference = Verification reference
result-cases = Listed cases
case-invalid-34 = Civil invalid, 34% or more
case-invalid-minor = Invalid minor
case-accompaniment = Receives the accompaniment allowance
case-blindness = Partial or absolute blindness
case-deafness = Deafness
case-law-104 = Covered by Law 104/1992 (art. 3, paragraph 1 or 3)
result-areas = Areas
result-areas-caption = Status areas
result-area = Area
result-outcome = Result
area-civil-invalidity = Civil invalidity
area-civil-blindness = Civil blindness
area-deafness = Deafness
area-handicap = Disability or handicap
yes = Yes
no = No
result-detail = Detail (level 2)
result-detail-ask-text = To see the judgement and percentage you need the holder's consent: they receive a code by SMS and read it to you.
result-detail-ask = Ask for the detail
result-detail-login-before = To see the judgement and percentage, log in with your own operator credentials
result-detail-demo-login = demo login
result-detail-idp-login = log in with SPID, CIE or CNS
result-detail-login-after = , then check the QR again: the holder receives a code by SMS.
result-check-another = Check another QR code

## Errors (error.html, error.rs)
error-status = HTTP status
error-home = Back to the home page
error-invalid = Invalid data
error-login-required = Login required
error-forbidden = Not allowed
error-not-found = Not found
error-gone = No longer valid
error-too-large = Too large
error-too-many = Too many attempts
error-unavailable = Service unavailable
error-other = Error

## Level 2 (otp.html, level2.html, level2_pages.rs)
l2-login-required = Level 2 needs your own operator login (SPID, CIE or CNS): log in, then check the QR again.
otp-sent-title = Code sent to the holder
otp-title = The holder's code
otp-sent-to = A code was sent by SMS to the holder's number
otp-valid-until = valid until
otp-ask-holder = Ask the holder to read it to you.
otp-label = 6-digit code
otp-hint = The holder has just received it by SMS.
otp-submit = Show the detail
otp-resend-heading = No code, or it expired?
otp-resend = Send a new code
l2-title = Level-2 result
l2-checked-at = Checked at
l2-reference = Reference
l2-detail = Detail
l2-detail-caption = Status detail
l2-judgement = Commission's judgement
l2-sources = Source verbali
l2-sources-caption = Which verbale each finding comes from
l2-finding = Finding
l2-verbale = Verbale (kind and date)
l2-recorded = This view is recorded with your name and organisation, and the holder sees it.
l2-not-assessed = Not assessed
l2-not-assessed-f = Not assessed
l2-not-recognised = Not recognised
l2-judgement-code = Judgement (code)
l2-percentage = Invalidity percentage
l2-handicap = Handicap (Law 104/1992)
l2-handicap-severe = Severe, art. 3 c. 3
l2-handicap-not-severe = Art. 3 c. 1 (not severe)
l2-art21 = Art. 21 (invalidity over 2/3)
l2-accompaniment = Accompaniment allowance
l2-blindness = Civil blindness
l2-blindness-absolute = Absolute
l2-blindness-partial = Partial
l2-deafness = Deafness
l2-law68 = Law 68/1999 disability
l2-dl5 = Art. 4 DL 5/2012 requirements
l2-revision = Revision
l2-revision-due = Due
l2-revision-overdue = overdue: benefits continue until the revision visit
l2-revision-exempt = Exempt (DM 2 Aug 2007)
l2-revision-none = No revision planned
l2-src-invalidity = Invalidity
l2-src-accompaniment = Accompaniment
l2-src-blindness = Blindness
l2-src-deafness = Deafness
l2-src-handicap = Handicap
l2-src-law68 = Law 68/1999
l2-src-dl5 = Art. 4 DL 5/2012
kind-first-instance = First instance
kind-aggravation = Aggravation
kind-revision = Revision
kind-extraordinary-check = Extraordinary check
kind-self-correction = Self-correction

## Shared by the citizen's pages
no-status-title = No status that entitles you to a QR code.
no-status-text = No definitive verbale on record places you in any of the cases the QR code attests. Verbali issued before 2010, on paper, or by Valle d'Aosta, Trento or Bolzano may not be in the archive yet: ask INPS (or your patronato) to add them, and they will count as soon as they are loaded.
back-to-area = Back to your area
email = E-mail
mobile = Mobile
not-on-record-f = not on record
not-on-record-m = not on record

## New request (new_request.html)
new-title = New request
new-h1 = New QR code request
new-steps = Steps
new-step-1 = Check your contact data
new-step-2 = Accept the privacy notice and confirm
new-contact = 1. Contact data
new-contact-text = The PDF with the QR code is sent to this e-mail address; the mobile receives the codes with which you authorise level-2 checks. If they are wrong, leave, correct them in your MyINPS registry record and start again.
new-proceed = Continue
new-cancel = Cancel
new-privacy = 2. Privacy notice
new-privacy-text = The QR code holds no personal data. Whoever checks it sees only your name and whether you fall in at least one of the cases, after typing your codice fiscale; the detail needs the code you receive by SMS. Every check is recorded and shown in your area. A new QR code revokes the previous one; you can revoke it at any time.
new-accept = I accept: generate the QR code
new-back = Back

## Demo login (demo.html)
demo-title = Demo login
demo-intro = In production you log in with SPID, CIE or CNS. Here you can log in as one of the demo people.
demo-login-as = Log in as

## The citizen's area (me.html, pages.rs)
other = Other
me-h1 = My attestation
me-h1-of = Attestation of
me-acting-for = You are acting as a delegate for
me-acting-for-recorded = every action is recorded with your name and the holder sees it.
me-back-own = Back to your own area
me-contacts = Contact data
me-name = Name
me-contacts-hint = If these are wrong, correct them in your MyINPS registry record, then come back.
me-privacy = Privacy notice
me-privacy-text = The QR code holds no personal data. Whoever checks it sees only your name and whether you fall in at least one of the cases, after typing your codice fiscale; every check is recorded and shown on this page. You can revoke the QR at any time.
me-privacy-accept = I have read it and accept
me-qr = My QR code
me-manual-code = Code for manual entry
me-generated-on = Generated on
me-pdf = Print or download the PDF
me-email-again = Send by e-mail again
me-regenerate = Revoke and make a new one
me-revoke = Revoke the QR code
me-no-qr = You have no active QR code.
me-checks = Who checked my QR code
me-no-checks = No checks so far.
me-checks-caption = Checks, newest first
me-when = When
me-level = Level
me-outcome = Outcome
me-who = Who
me-action = Action
me-eu-card = EU Disability Card
me-eu-card-text = It gives access to free or reduced-price transport, culture and leisure in Italy and other EU countries.
me-eu-card-link = Apply for the card or see its status
me-benefits = Benefits
me-benefits-link = What you may be entitled to
me-delegates = Delegates
me-delegates-text = A trusted person (a relative, a guardian, an association) can do for you everything you do here. Each of their actions is recorded with their name.
me-no-delegates = No delegates.
me-since = since
me-by-back-office = recorded by the back office
me-remove = Remove
me-delegate-cf = Delegate's codice fiscale
me-add-delegate = Add delegate
me-represented = People you act for
me-act-for = Act for
me-activity = Activity
me-no-activity = No activity so far.
me-activity-caption = Actions in your area, newest first
me-anonymous-operator = Anonymous operator (level 1)
me-by-delegate = delegate
outcome-qualifies = Positive: falls in the cases
outcome-does-not-qualify = Negative: does not fall in the cases
outcome-fiscal-code-mismatch = Wrong codice fiscale
outcome-locked = Locked after too many attempts
outcome-otp-sent = One-time code sent
outcome-otp-failed = Wrong one-time code
outcome-level2-viewed = Detail viewed
outcome-revoked-qr = A revoked QR code was read
action-privacy-notice-accepted = Privacy notice accepted
action-attestation-generated = QR code generated
action-attestation-revoked = QR code revoked
action-attestation-emailed = PDF sent by e-mail
action-delegate-added = Delegate added
action-delegate-removed = Delegate removed
action-card-applied = EU card: application sent
action-card-issued = EU card issued
action-card-rejected = EU card: application rejected
action-card-revoked = EU card revoked
action-card-emailed = EU card: e-mail sent
done-generated = New QR code generated and e-mailed: any previous one no longer works.
done-generated-no-email = New QR code generated; any previous one no longer works. There is no e-mail address on record: download the PDF.
done-generated-email-failed = New QR code generated: any previous one no longer works.
problem-generated-email-failed = The e-mail could not be sent. The QR code is valid: download the PDF or try sending it again.
done-emailed = PDF sent again by e-mail.
problem-email-failed = The e-mail could not be sent: try again in a moment or download the PDF.
done-revoked = QR code revoked: anyone scanning it now sees it is no longer valid.
done-privacy = Privacy notice accepted.
done-delegate-added = Delegate added: after logging in they can act for you.
done-delegate-removed = Delegate removed.

## EU Disability Card check (card.html, card.rs)
card-title = EU Disability Card check
card-valid = Valid card
card-expired = Expired card
card-not-yet-valid = Card not yet valid
card-revoked = Revoked card
card-invalid-signature = Code not authentic or unreadable
card-undetermined = Outcome cannot be determined: try again later
card-number = Card number
card-valid-until = Valid until
card-technical = Technical outcome
card-compare = Compare the number and expiry with those printed on the card, and the photo with the holder.

## Card presented from a wallet (card_present.html, card.html, card.rs)
cardp-title = EU Disability Card from a wallet
cardp-intro = The holder shows the card from their digital wallet (SD-JWT VC) and chooses what to disclose. The check uses only what they disclose.
cardp-step-nonce = 1. Show this code to the holder
cardp-nonce = Verifier code (nonce)
cardp-aud = Verifier (aud)
cardp-nonce-hint = The holder's wallet scans the QR code or copies the code and makes a presentation for it. The code is good for 10 minutes and only on this page.
cardp-step-paste = 2. Paste the presentation
cardp-presentation = Presentation from the wallet
cardp-presentation-hint = The text the wallet gives, starting with eyJ and with ~ between its parts; scanned or pasted.
cardp-check = Check
cardp-empty = Paste the presentation the holder's wallet made.
cardp-nonce-expired = The verifier code has expired or is not one this page gave: show the holder the new code and ask for a new presentation.
cardp-disclosed = What the holder disclosed
cardp-disclosed-none = The holder disclosed nothing beyond the card's validity.
cardp-withheld = Anything else on the card was not disclosed and is not shown.
cardp-portrait-alt = The holder's photo, as disclosed
cardp-another = Check another card
cardp-claim-document-number = Card number
cardp-claim-given-name = Given name
cardp-claim-family-name = Family name
cardp-claim-birth-date = Date of birth
cardp-claim-expiry-date = Valid until
cardp-claim-issuing-authority = Issuing authority
cardp-claim-issuing-country = Issuing country
cardp-claim-attendance = Personal assistance (A)

## Benefits (benefits.html, benefits.rs)
benefits-title = What you may be entitled to
benefits-guide = This is a guide, not a decision.
benefits-guide-text-before = attesta compares your definitive verbali with the INPS tables of
benefits-guide-text-after = You apply to INPS for each benefit; INPS checks every requirement and decides.
benefits-as-of = As of
benefits-source = Source
benefits-amounts = amounts of
benefits-latest = These are the latest tables attesta holds.
benefits-income = Your own annual income, in euros (optional)
benefits-income-hint = Gross for IRPEF, net of deductible charges; yours only, even if married. It only refines the answer: it is not stored.
benefits-update = Update
benefits-economic = Economic benefits
benefits-no-economic = With the verbali on record, no economic benefit matches the health requirements.
benefits-no-income = You gave no income: where there is an income limit, it is shown in the conditions.
benefits-economic-caption = Economic benefits that match your status, amounts of
benefits-benefit = Benefit
benefits-monthly = Monthly amount
benefits-payments = Payments a year
benefits-conditions = Conditions and notes
benefits-not-fixed = not fixed
benefits-other = Other benefits
benefits-no-other = With the verbali on record, no non-economic benefit matches the requirements.
benefits-other-caption = Non-economic benefits that match your status
benefits-back = Back to my attestation
benefits-may = You may be entitled
benefits-depends = Depends on facts attesta does not hold
benefits-excluded-income = Not due with the income you declared
benefits-excluded-age = Not due at your age
benefits-requires = Requires
benefits-provided = Provided
benefits-error-income = The income is not valid: write your own annual income in euros, without thousands separators, for example 12000 or 12000.50.
benefits-error-on = The date is not valid: use the format YYYY-MM-DD, from 2024 on and not before your date of birth.
benefits-error-field = The field { $field } is not valid.

## EU Disability Card application (card_apply.html, card_application.rs)
card-status-pending = Pending decision
card-status-rejected = Rejected
card-status-active = Active
card-status-revoked = Revoked
card-status-expired = Expired
card-done-applied = Application sent: you will receive an e-mail with the decision.
card-done-issued = Card issued: download it below.
cardapp-acting-recorded = every action is recorded with your name.
cardapp-your-card = Your card
cardapp-status = Status
cardapp-applied-on = Applied on
cardapp-number = Number
cardapp-issued-on = Issued on
cardapp-companion = Companion (A)
cardapp-reason = Reason
cardapp-download = Download the card (PDF)
cardapp-download-hint = Card size (85.6 × 54 mm), front and back. The QR code on the back lets anyone check that it is valid.
cardapp-none = You have not applied for the card yet.
cardapp-apply = Apply for the card
cardapp-photo = Passport-style photo (JPEG or PNG)
cardapp-photo-hint = Portrait, at least 300 × 400 pixels, width 0.6 to 0.9 times the height (like 35 × 45 mm), at most 5 MiB. Hidden data in the photo (location, date, camera) is removed.
cardapp-declaration = Declaration (only if it applies)
cardapp-paper = My status rests on paper verbali from before 2010
cardapp-region = My status rests on verbali of Valle d'Aosta, Trento or Bolzano
cardapp-declaration-hint = In these cases you declare that the copies of the verbali match the originals; the back office loads them before deciding.
cardapp-court = Court, if the status was recognised by a judgment
cardapp-court-date = Date of the judgment or decree (YYYY-MM-DD)
cardapp-send = Send the application

## What an error says to a person (error.rs `error_text`): one message per
## SPEC §6 code, `err-` + the code with dashes. $attempts: attempts left;
## $minutes: minutes before trying again (0 when not known).
err-application-not-pending = This application was already decided: only a pending application can be approved or rejected.
err-application-closed = This application is closed (concluded, lapsed or withdrawn), so it takes no more documents. For a worsening, file a new application and send the documents with it.
err-application-open = You already have a pending application or a valid card. You can apply again after a rejection, a revocation or once the card has expired.
err-card-not-active = There is no active card: only an active card can be printed or revoked.
err-citizen-only = This is the citizen's area: log in as a citizen.
err-cross-origin = This request changes data and must come from attesta's own pages. Go back, reload the page and try again.
err-csrf-failed = This form has expired or did not come from attesta. Go back, reload the page and try again.
err-email-unavailable = The e-mail could not be sent right now. Your QR code is valid: download the PDF, or try sending the e-mail again in a moment.
err-fiscal-code-mismatch = The codice fiscale does not match this QR code. Check it on the holder's health card and try again. { $attempts ->
    [0] No attempts left: the QR code is locked for a few minutes.
    [1] 1 attempt left.
   *[other] { $attempts } attempts left.
}
err-internal = Something went wrong on our side. Try again in a moment.
err-invalid-declaration = The declaration has invalid data: check the fields marked.
err-invalid-delegate = You cannot name yourself as your own delegate.
err-invalid-delegation = The delegation has invalid data: a person cannot be their own delegate.
err-invalid-fiscal-code = The codice fiscale is not valid: it has 16 characters, letters and digits. Check it and try again.
err-invalid-login = The login details are not valid.
err-invalid-person = The person's details are not valid.
err-invalid-photo = The photo cannot be used: send a JPEG or PNG file, at least 300 × 400 pixels, in portrait (width 0.6 to 0.9 times the height).
err-invalid-query = The search has invalid values: check them and try again.
err-invalid-reason = Write the reason (at most 1000 characters): the citizen reads it.
err-invalid-message = The message has invalid fields: a subject of 1 to 200 characters and a text of 1 to 10,000.
err-invalid-request = The request could not be read: reload the page and try again.
err-invalid-serial = A card number is IT followed by 10 digits.
err-invalid-verbale = The verbale has invalid data.
err-invalid-payment = The payment has invalid data.
err-login-required = Log in first: this page needs you to be logged in.
err-login-failed = The login through the identity provider did not succeed. Try again; if it keeps failing, the provider may be unavailable.
err-login-expired = The login has expired or the link is not complete. Start the login again.
err-login-cancelled = The login was cancelled or refused at the identity provider. Start it again to use attesta.
err-no-fiscal-code = The identity provider did not tell your codice fiscale, so attesta cannot know who you are.
err-no-attestation = You have no active QR code: generate one.
err-no-card = You have not applied for the EU Disability Card yet.
err-no-delegation = This delegate no longer exists.
err-no-email-on-record = There is no e-mail address on record: add one in the registry section (anagrafica) of MyINPS, or download the PDF instead.
err-no-mobile-on-record = The holder has no mobile number on record, so no code can be sent. They can add one in the registry section (anagrafica) of MyINPS; the level-1 check keeps working.
err-no-next-key = No next signing key is ready.
err-no-qualifying-status = No definitive verbale on record places you in one of the cases of the check, so no QR code can be generated. If you have a verbale that is not on record yet, contact INPS.
err-not-a-delegate = You are not a delegate of this person: they (or the back office, for parents and guardians) must name you first.
err-not-eligible = No definitive verbale on record places you in a case that gives the EU Disability Card. Verbali issued on paper before 2010, by Valle d'Aosta, Trento or Bolzano, or a court judgment may not be on record yet: say so in the application's declaration (the back office checks it and loads the verbale), or ask INPS to add them.
err-not-found = This address does not exist.
err-otp-burned = Too many wrong codes: this code no longer works. Ask for a new one.
err-otp-expired = The code has expired: ask for a new one.
err-otp-invalid = The code is not correct. { $attempts ->
    [0] No attempts left: ask for a new code.
    [1] 1 attempt left.
   *[other] { $attempts } attempts left.
}
err-otp-used = This code was already used: ask for a new one.
err-page-not-found = This page does not exist.
err-payload-too-large = What you sent is too large. Send a smaller file (a photo may be at most 5 MiB) or a shorter text.
err-privacy-notice-not-accepted = Read and accept the privacy notice first.
err-rate-limited = Too many requests from this address. Wait a moment and try again.
err-revoked-token = This QR code was revoked by its holder or replaced by a newer one. Ask the holder for the current QR code.
err-signing-key-unavailable = The card cannot be signed right now: the signing key is not available. Try again later.
err-sms-unavailable = The code could not be sent by SMS right now. Try again in a moment; the level-1 check keeps working.
err-too-many-attempts = Too many wrong codici fiscali for this QR code. { $minutes ->
    [0] Try again later.
    [1] Try again in 1 minute.
   *[other] Try again in { $minutes } minutes.
}
err-too-many-otp-requests = Too many codes were sent to this holder recently. { $minutes ->
    [0] Try again later.
    [1] Try again in 1 minute.
   *[other] Try again in { $minutes } minutes.
}
err-unauthorized = The back-office API key is needed.
err-unknown-application = This application does not exist.
err-unknown-card = This card does not exist.
err-unknown-otp-request = This code request does not exist for your session: ask for a new code.
err-unknown-person = No person with this codice fiscale is on record.
err-unknown-message = This message does not exist.
err-unknown-document = This document does not exist.
err-unknown-status-list = This status list does not exist.
err-unknown-token = This QR code or manual code is not known. Check the code and try again, or ask the holder for a new QR code.
err-verbale-conflict = A verbale with this identifier is already stored with different content.
err-payment-conflict = A payment with this identifier is already stored with different content.

## Why a codice fiscale is not valid (i18n of attesta-domain's FiscalCodeError)
cf-missing = Write the codice fiscale: 16 characters, letters and digits.
cf-length = A codice fiscale has 16 characters; this one has { $count }.
cf-letter = Character { $position } must be a letter.
cf-digit = Character { $position } must be a digit (or an omocodia letter, L–V).
cf-month = Character 9 is the birth month and must be one of A B C D E H L M P R S T.
cf-day = Characters 10–11 are the birth day: 01–31, or 41–71 for women.
cf-check = The last character is a check letter and does not match the other 15: check for a typing error.

## Field errors of the card application form (card_application.rs)
cardapp-err-court-name = Write the court's name (at most 200 characters), or leave both judgment fields empty.
cardapp-err-court-date = Write the date of the judgment or decree (not in the future), or leave both judgment fields empty.

## The QR full screen (show_qr.html) and its links on /me
showqr-h1 = Status attestation QR code
showqr-alt = Attestation QR code of
showqr-hint = Show this screen to the operator. If the reader cannot read the QR code, turn up the screen brightness or read out the manual code.
showqr-fullscreen = Full screen
showqr-close = Close
me-show-qr = Show the QR code full screen
me-pdf-large = Large-print PDF

## The application journey (SPEC §10.2): back-office errors
err-assessment-open = An assessment of the same purposes is still open for this person: wait until it ends.
err-certificate-conflict = A certificate with this identifier is already stored with different content.
err-certificate-expired = The certificate can no longer be used for an application: ask your doctor for a new certificate.
err-certificate-used = This certificate already has its application.
err-home-visit-too-late = A home visit must be asked at least 5 days before the visit.
err-invalid-application = The application cannot be made: check the fields marked.
err-invalid-certificate = The certificate has invalid data: check the fields marked.
err-invalid-event = The event has invalid data: check the fields marked.
err-invalid-transition = The application's current state does not allow this step.
err-silent-assent-applied = INPS's 60 days are over: silent assent applies and the verbale is definitive as it is.
err-unknown-certificate = This certificate does not exist.
err-invalid-grant = The wallet's code is not valid: it is unknown, expired, already used, or the transaction code is wrong. Start again from “Add to my wallet” on your card's page.
err-unsupported-grant-type = Only the pre-authorized code grant is supported.
err-invalid-token = The wallet's access is not valid: it is unknown, expired or already used. Start again from “Add to my wallet”.
err-invalid-proof = The wallet's proof of its key is not valid. Try again from the wallet.
err-invalid-nonce = The wallet's nonce is unknown, expired or already used: the wallet must ask for a new one.
err-invalid-credential-request = The wallet's credential request could not be read.
err-unknown-credential-configuration = This credential is not offered by attesta.
err-credential-request-denied = The card is no longer active, so it cannot go into a wallet.
kind-basic-assessment = Certificate of the disability condition (basic assessment)

## Counter mode and token hygiene (SPEC §12)
check-empty = The code is empty. Scan the QR code with the reader, or type the code printed under it.
next-heading = Next QR code
next-code = Scan the next QR code or type its code
result-yes-short = Falls in the listed cases
result-no-short = Does NOT fall in the listed cases
expired-title = This check has ended
expired-text = For the holder's privacy a check stays open 15 minutes. Scan the QR code again, or type the code printed under it.
guide-link = Operators' tutorial: how to check a QR code

## Operators' tutorial (guide.html, /v/guide.pdf)
guide-title = Tutorial for operators of public bodies and private providers
guide-intro = This guide is for those who check attesta QR codes at a counter: museums, transport, municipalities and other bodies. It explains how to read the QR code, what the check says and what not to do.
guide-pdf = Download the tutorial as a PDF
guide-read-h = How to read the QR code
guide-read-1 = With a camera: open the "Check a QR code" page and press "Scan with the camera", or point a phone's camera at the QR code: the check page opens by itself.
guide-read-2 = With a barcode reader (one that types like a keyboard): on the "Check a QR code" page the code field is already selected. Scan the QR code: the reader types the address and presses Enter. It works even when the reader is set for another keyboard layout and changes the ":" and "/" signs.
guide-read-3 = By hand: type the 26-character code printed under the QR code. Hyphens, spaces and upper or lower case do not matter.
guide-read-4 = Then ask the holder for their codice fiscale (it is on their health card), type it and press Enter. After the result the field for the next QR code is already selected: you can scan the next one at once, with no mouse.
guide-level1-h = What level 1 says, and what it does not say
guide-level1-1 = It only says whether, today, the person falls in at least one of the listed cases (civil invalidity of at least 34%, invalid minor, accompaniment allowance, blindness, deafness, handicap under Law 104/1992), in which areas, and the holder's name.
guide-level1-2 = It does not say the diagnosis, the percentage, the board's judgement or the revision date. It does not prove identity: if the service requires it, compare the name with an identity document.
guide-level1-3 = Every check is recorded, and the holder sees when it was made and by whom.
guide-level2-h = When and how to ask for level 2
guide-level2-1 = Only when the service needs a detail (for example the invalidity percentage) and the holder is present in front of you.
guide-level2-2 = Log in with your own operator credentials of your body, check the QR code at level 1, then press "Ask for the detail".
guide-level2-3 = The holder receives an SMS with a 6-digit code, valid 5 minutes, naming your body: they read it to you and you type it. Without that code you see nothing of the detail.
guide-never-h = What never to do
guide-never-1 = Do not keep copies of the QR code, the code or the result, on paper or in a file.
guide-never-2 = Do not photograph the QR code or the holder's screen.
guide-never-3 = Do not ask for the verbale: the QR code exists so that it need not be shown.
guide-never-4 = Do not ask for the SMS code when the holder is not present.
guide-trouble-h = If something goes wrong
guide-trouble-1 = A revoked or unknown QR code: ask the holder for their current one. A wrong codice fiscale: after 5 attempts the QR code is locked for 15 minutes. A check stays open 15 minutes: after that, scan the QR code again.
index-guide = Operators' tutorial

## Reading with the camera (/v, camera.js)
camera-button = Scan with the camera
camera-video = Camera picture
camera-starting = Starting the camera…
camera-reading = Point the camera at the QR code: the check opens as soon as it is read. Press the button again to stop.
camera-found = QR code read: opening the check…
camera-stopped = Camera off.
camera-denied = The browser did not allow the camera. Scan the QR code with a reader or type the code.
camera-unavailable = The camera could not be used. Scan the QR code with a reader or type the code.

## The citizen's journey (SPEC §10.2): /me/applications and its activity
action-application-filed = Application filed from a certificate
action-reschedule-requested = New visit date requested
action-document-sent = Document sent for an application
action-proactive-consent-given = Consent given to be told when a verbale is issued
action-proactive-consent-withdrawn = Consent withdrawn: no more e-mail or SMS when a verbale is issued
action-wallet-credential-issued = EU card added to a wallet
action-wallet-proof-refused = EU card: a wallet's key proof was refused
journey-crumb-me = Personal area
journey-h1 = My applications
journey-link = My assessment applications
journey-intro = Here are your doctor's certificates and your applications for the assessment of the disability condition (civil invalidity, handicap L. 104/1992), phase by phase, with what to do and by when.
journey-applications = Applications
journey-no-applications = You have no open or concluded applications.
journey-state = State
journey-opened = Opened on
journey-timeline = Phases of the application
journey-overdue-title = Time exceeded.
journey-overdue-text = The time set for this phase has passed. You can remind INPS through its Contact Center or your patronato.
journey-visit = Visit
journey-visit-date = Date
journey-visit-time = Time
journey-italian-time = Italian time
journey-visit-place = Place
journey-visit-home = Home visit
journey-yes-home = Yes, at home
journey-not-home = No, at the place given
journey-next = What to do now:
journey-next-home-visit = if you cannot travel, ask your doctor for a home visit by { $date }.
journey-next-visit = go to the visit on { $date }.
journey-next-inps = INPS decides by { $date }; after that the verbale becomes definitive by itself (silent assent).
journey-next-target = the basic assessment normally ends by { $date }.
journey-next-appeal = you may appeal to the court by { $date }.
journey-concluded-text = The application is concluded: the verbale is definitive and the QR code reflects it from today.
journey-verbale = verbale
journey-make-qr = Generate the QR code
journey-reason-label = Why you ask for a new date
journey-reason-hint = Say why you cannot attend (1 to 1000 characters). The reason stays confidential.
journey-reason-error = Write why you ask for a new date: 1 to 1000 characters.
journey-reschedule = Ask for a new date
journey-certificates = Doctor's certificates
journey-no-certificates = There are no doctor's certificates in your name.
journey-certificate-of = Certificate of
journey-purposes = For
journey-procedure = Procedure
journey-cert-status = Certificate status
journey-apply-by = Apply by
journey-apply = Apply
journey-done-applied = Application filed. You find it above with its phases.
journey-done-rescheduled = Request for a new date sent: INPS will summon you again.
journey-documents = Documents for the commission
journey-documents-none = No document sent yet.
journey-document-sent-on = sent on
journey-document-label = Document to send (medical reports, test results)
journey-document-hint = PDF, JPEG or PNG, up to 10 MiB. Photos are saved again without their hidden data (place, camera).
journey-document-send = Send the document
journey-done-document = Document sent: the commission will find it with your application.
journey-document-too-large = The document is larger than 10 MiB: send a smaller file (scan it at a lower resolution, or split it in parts).
journey-on = on { $date }
journey-due = by { $date }
journey-status-done = done
journey-status-current = in progress
journey-status-todo = to do
journey-status-skipped = skipped
journey-phase-certificate = Doctor's certificate
journey-phase-application = Application
journey-phase-visit = Visit
journey-phase-commission-verbale = Commission's verbale
journey-phase-inps-validation = INPS validation
journey-phase-definitive-verbale = Definitive verbale
journey-phase-convocation = Convocation
journey-phase-disability-certificate = Certificate of the disability condition
journey-state-submitted = filed, waiting for the convocation
journey-state-visit-scheduled = visit scheduled
journey-state-second-summons = second summons after an absence
journey-state-awaiting-inps = waiting for INPS's decision
journey-state-inps-visit = direct INPS visit
journey-state-started = started, waiting for the convocation
journey-state-visit-to-reschedule = visit to be rescheduled
journey-state-documents-requested = documents requested
journey-state-concluded = concluded
journey-state-lapsed = lapsed
journey-state-withdrawn = withdrawn
journey-purpose-invalidity = civil invalidity
journey-purpose-blindness = civil blindness
journey-purpose-deafness = deafness
journey-purpose-handicap = disability condition (handicap, L. 104/1992)
journey-purpose-law68 = disability for targeted employment (L. 68/1999)
journey-procedure-ordinary = ordinary procedure (application and commission)
journey-procedure-reform = basic assessment (D.Lgs. 62/2024)
journey-cert-usable = usable
journey-cert-used = used for an application
journey-cert-expired = expired

# The citizen's own verbale (/me/verbali/{id}).
err-unknown-verbale = None of your verbali has this id. Go back to “My applications” and open the verbale from there.
my-verbale-h1 = Your verbale
my-verbale-intro = What the commission found, as an authorised operator sees it at level 2. Only you (and the people you delegated) can see this page.
my-verbale-id = Verbale id
my-verbale-kind = Kind
my-verbale-session = Session date
my-verbale-definitive = Definitive
my-verbale-since = since
my-verbale-not-yet = Not yet: it waits for INPS's validation
my-verbale-back = Back to “My applications”
journey-open-verbale = Open the verbale

err-service-unavailable = The service cannot reach its database. Try again in a moment.
err-request-timeout = The request stopped arriving before it was complete. Check your connection and send it again.
err-unsupported-content-encoding = The request was sent compressed, which attesta does not accept. Send it again without compression.
err-unsupported-document = This file cannot be used: send a PDF, JPEG or PNG document that opens correctly (the file name does not matter, its content does).

# Messages (SPEC §11)
messages-h1 = Messages
messages-link = Messages
messages-unread-count = unread
messages-intro = Messages from INPS to you, newest first.
messages-none = You have no messages.
messages-received = Received
messages-state = State
messages-unread = Unread
messages-read = Read
messages-mark-read = Mark as read
messages-done-read = The message is marked as read.

## Notices and deadlines (SPEC §11), on /me
notices-h2 = To do and deadlines
notices-none = For now you have nothing to do and no deadline.
notice-certificate-expiring = You can apply with your medical certificate until { $date }.
notice-home-visit-deadline = If you cannot travel, ask for the visit at home by { $date }.
notice-visit-upcoming = Medical visit on { $date }: the date, time and place are in your application.
notice-documents-requested = The commission asked for documents: send them from your application.
notice-appeal-deadline = You can appeal to the court against the verbale until { $date }.
notice-revision-due = Your verbale calls for a revision by { $date }: INPS will call you.
notice-card-expiring = Your EU Disability Card expires on { $date }: ask for a new one.
notice-verbale-issued = Your verbale is definitive since { $date }: read what it means and show your QR at once.
notice-message-unread = { $count ->
    [one] You have one message to read.
   *[other] You have { $count } messages to read.
}
consents-h2 = E-mail and SMS alerts
consents-intro = When a verbale of yours is issued, we can tell you with an e-mail and an SMS that only say a document is waiting in your personal area, with no health data.
consents-proactive = I want to receive the alerts by e-mail and SMS
consents-save = Save my choice
done-consents = Your choice about the alerts is saved.

guide-meaning-h2 = What it means
guide-meaning-more = The table above lists each outcome of the verbale; the commission decided it from the visit and the documents.
guide-benefits-h2 = The benefits for your situation
guide-benefits-text = Which benefits and allowances this status gives you, with the amounts and what cannot be combined:
guide-obligations-h2 = Your obligations
guide-revision-due = The verbale requires a revision: you may be called to a visit from
guide-revision-exempt = You are exempt from future revision visits (DM 2 August 2007).
guide-revision-none = The verbale requires no revision.
guide-appeal-h2 = If you disagree
guide-appeal-text = You can appeal to a court within six months of the day the verbale became definitive, that is by
guide-card-h2 = The EU Disability Card
guide-card-text = With this status you can check whether the EU Disability Card is for you and apply online:
guide-qr-h2 = Your QR code, now
guide-qr-text = No need to wait for the paper verbale: show your QR code now. If you already have an active one you see it (a printed one stays valid); otherwise a new one is made.
guide-qr-button = Show my QR code
guide-code-01 = Code 01: you are not recognised as invalid (no condition, or a reduction of working capacity under one third). No economic benefit.
guide-code-02 = Code 02: you are recognised as invalid with a permanent reduction of working capacity above one third. Prostheses linked to the condition; from 46% the targeted work placement.
guide-code-03 = Code 03: you are recognised as invalid with a reduction of working capacity between 74% and 99%. The monthly allowance, within an income limit.
guide-code-04 = Code 04: you are recognised as totally and permanently unable to work (100%). The incapacity pension, within an income limit.
guide-code-05 = Code 05: 100% invalidity and unable to walk without the permanent help of a companion. The accompaniment allowance, whatever your income.
guide-code-06 = Code 06: 100% invalidity and in need of continuous help with the acts of daily life. The accompaniment allowance.
guide-code-07 = Code 07: a minor with lasting difficulty in the tasks of their age, or a hearing-impaired minor. The attendance allowance or the accompaniment allowance (not both).
guide-code-08 = Code 08: partial blindness (residual vision at most 1/20 in both eyes). The pension and special allowance for the partially blind.
guide-code-09 = Code 09: absolute blindness. The pension and accompaniment allowance for the absolutely blind.
guide-code-10 = Code 10: civil deafness. The pension and the communication allowance.
guide-code-11 = Code 11: a person over 67 with lasting difficulty in the functions of their age. No economic benefit.
guide-code-12 = Code 12: a person over 67 unable to walk without a companion or in need of continuous help. The accompaniment allowance.
guide-finding-handicap-none = No disability condition under Law 104/1992 (handicap) is recognised: the benefits of that law do not apply.
guide-finding-handicap-art3-c1 = A disability condition without severity is recognised (handicap, art. 3 c. 1 Law 104/1992). It gives tax benefits: 4% VAT and a 19% IRPEF deduction for prostheses, aids and technical and IT aids, expenses to remove architectural barriers, medical and specific-assistance expenses. It gives no economic benefit.
guide-finding-handicap-art3-c3 = A disability condition with a need for high or very high support is recognised (severe handicap, art. 3 c. 3 Law 104/1992): your personal autonomy is reduced so much that permanent, continuous assistance is needed. Besides the tax benefits of art. 3 c. 1, it gives paid work permits (3 days a month, art. 33), for you if you work and for the family member who assists you; for the parents of a child in this condition, extended parental leave (until the child is 12) or 2 hours of rest a day (until the child is 3); for the family member who assists you, paid extraordinary leave (up to 2 years). It gives no economic benefit.
guide-finding-art21-yes = Invalidity above two thirds (art. 21 Law 104/1992): if you are a public employee, you have priority in choosing your posting among those available. It gives no permits or leave.
guide-finding-art21-no = Art. 21 Law 104/1992 (invalidity above two thirds) is not recognised: it gives public employees no priority in choosing a posting.
guide-finding-accompaniment-yes = The accompaniment allowance is recognised: it is for those who cannot walk without the permanent help of a companion or need continuous assistance with the acts of daily life, and for the absolutely blind with an allowance of their own. It is paid whatever your income and age.
guide-finding-accompaniment-no = The accompaniment allowance is not recognised.
guide-finding-blindness-none = Civil blindness is not recognised.
guide-finding-blindness-partial = You are recognised as partially blind: residual vision of at most 1/20 in both eyes, even with correction. The pension for the partially blind (within an income limit) and the special allowance (whatever your income, compatible with work).
guide-finding-blindness-absolute = You are recognised as absolutely blind: no sight in both eyes, even with correction. The pension for the absolutely blind (from 18, within an income limit) and the accompaniment allowance for the absolutely blind (whatever your income, compatible with work).
guide-finding-deafness-yes = You are recognised as civil deaf: deafness from birth or acquired during development (by the age of 12). The pension for the deaf (from 18, within an income limit) and the communication allowance (whatever your income).
guide-finding-deafness-no = Civil deafness is not recognised.
guide-finding-law68-yes = Law 68/1999: you have the disability status for targeted work placement.
guide-finding-law68-no = Law 68/1999: the status for targeted work placement is not recognised.
guide-finding-dl5-yes = You meet the health requirements of art. 4 DL 5/2012: they are needed for the disabled parking badge and the tax benefits on vehicles.
guide-finding-dl5-no = The verbale says you meet none of the requirements of art. 4 DL 5/2012 (disabled parking badge, tax benefits on vehicles).

## Payments page (SPEC §11, "Pagamenti e cedolini")
payments-h1 = Payments and payslips
payments-link = Payments and payslips
payments-intro = The payments of your benefits, newest month first: those already paid and those planned.
payments-none = No payment is recorded.
payments-totals-h2 = Totals per benefit
payments-totals-caption = Total paid and planned for each benefit
payments-list-h2 = All payments
payments-list-caption = Payments by month, newest first
payments-benefit = Benefit
payments-total-paid = Paid
payments-total-planned = Planned
payments-period = Month
payments-amount = Amount
payments-state = State
payments-paid-on = Paid on { $date }
payments-planned = Planned, not paid yet
payments-back = Back to the personal area

## The card in the wallet (OpenID4VCI, issue #19)
wallet-h2 = Add to my wallet
wallet-intro = Put the card in a digital identity wallet (such as IT-Wallet): you then choose what to show, for example only that the card is valid and the "A" mark. A 6-digit code goes by SMS to your mobile.
wallet-add = Add to my wallet
wallet-h1 = Add the card to your wallet
wallet-back = Back to your card
wallet-step-scan = Open your wallet app and scan this QR code, or, on this phone, press "Open in the wallet".
wallet-step-code = When the wallet asks for it, type the 6-digit code sent by SMS to { $sent_to }.
wallet-step-accept = Accept the card in the wallet.
wallet-qr-label = QR code of the card's offer for your wallet
wallet-qr-caption = The card's offer for your wallet
wallet-open-link = Open in the wallet
wallet-open-link-hint = The link works on the phone where the wallet app is installed.
wallet-expires = The offer and the code are valid until
wallet-single-use = They work once: for another wallet, start again from your card's page.
wallet-no-mobile = No mobile number is on record, so the wallet's code cannot be sent.
wallet-no-mobile-how = Add your mobile number in the registry section (anagrafica) of MyINPS, then come back to your card's page and press "Add to my wallet" again.
