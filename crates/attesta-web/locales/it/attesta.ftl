# attesta: Italian (the default language). Every key exists in en/attesta.ftl too.

## Frame (base.html)
skip-link = Vai al contenuto principale
tagline = Attestazione dello stato di invalidità civile, cecità, sordità e handicap
lang-switch-label = Lingua
logout = Esci
footer = attesta — servizio di attestazione tramite codice QR.
header-owner = attesta · Servizio di attestazione della disabilità
crumbs-label = Percorso di navigazione
crumbs-home = Home
error-summary-title = C'è un problema: correggi i campi indicati
error-summary-title-prefix = Errore:
footer-api = API per gli sviluppatori (OpenAPI)
footer-font-licence = Licenza del carattere Titillium Web (SIL OFL)
steppers-index = Passo { $current } di { $total }
steppers-done = completato

## Landing (index.html)
index-title = attesta
index-h1 = Attestare la propria condizione con un codice QR
index-intro = Chi ha un verbale definitivo di invalidità civile, cecità, sordità o handicap (Legge 104/1992) può generare un codice QR e mostrarlo, insieme al codice fiscale, a musei, trasporti, comuni e altri enti, invece di portare con sé il verbale. Il QR non contiene dati personali né sanitari.
index-citizens = Cittadini
index-citizens-text = Accedi con SPID, CIE o CNS per generare, stampare o revocare il tuo QR e vedere chi l'ha verificato.
index-login-demo = Accedi (dimostrazione)
index-login-idp = Accedi con SPID, CIE o CNS
index-no-login = L'accesso dei cittadini non è ancora attivo su questo server.
index-operators = Operatori
index-operators-text = Inquadra il QR con qualsiasi lettore: si apre la pagina di verifica. Se la fotocamera non lo legge, inserisci il codice stampato sotto il QR.
index-check = Verifica un QR

## Short code (check.html)
check-title = Verifica un'attestazione
check-intro = Leggi il QR con un lettore (va bene anche l'indirizzo intero), oppure inserisci il codice per l'inserimento manuale stampato sotto (26 caratteri, anche senza trattini; maiuscole e minuscole sono uguali).
check-code = Codice
check-example = Esempio: K7QH-3MZD-…
check-continue = Continua
check-invalid = Il codice non è valido: sono 26 caratteri (lettere e cifre, senza I, L, O, U), di solito scritti a gruppi di quattro. Controllalo e riprova.

## Level 1 (verify.html)
verify-title = Verifica di primo livello
verify-intro = Chiedi al titolare il codice fiscale (è sulla tessera sanitaria) e inseriscilo. Nulla del titolare viene mostrato prima che il codice fiscale corrisponda.
verify-fiscal-code = Codice fiscale del titolare
verify-hint = 16 caratteri, es. RSSMRA80A01H501U
verify-error = Controlla il codice fiscale sulla tessera sanitaria del titolare e riprova.
verify-submit = Verifica

## Level-1 result (result.html)
result-h1 = Esito lettura QR-Code
result-yes = Alla data odierna, l'interessato rientra in almeno una delle casistiche elencate.
result-no = Alla data odierna, l'interessato NON rientra in nessuna delle casistiche elencate.
result-holder = Titolare
result-checked-at = Data e ora della verifica
result-reference = Riferimento della verifica
result-cases = Casistiche
case-invalid-34 = Invalido con giudizio superiore o uguale al 34%
case-invalid-minor = Minore invalido
case-accompaniment = Titolare di indennità di accompagnamento
case-blindness = Cecità parziale o assoluta
case-deafness = Sordità
case-law-104 = Titolare di Legge n. 104/1992 (art. 3, comma 1 o comma 3)
result-areas = Aree
result-areas-caption = Aree dello stato
result-area = Area
result-outcome = Esito
area-civil-invalidity = Invalidità civile
area-civil-blindness = Cecità civile
area-deafness = Sordità
area-handicap = Disabilità o handicap
yes = Sì
no = No
result-detail = Dettaglio (secondo livello)
result-detail-ask-text = Per vedere il giudizio e la percentuale serve il consenso del titolare: riceverà un codice via SMS e te lo leggerà.
result-detail-ask = Chiedi il dettaglio
result-detail-login-before = Per vedere il giudizio e la percentuale accedi con le tue credenziali di operatore
result-detail-demo-login = accesso dimostrativo
result-detail-idp-login = accedi con SPID, CIE o CNS
result-detail-login-after = , poi verifica di nuovo il QR: il titolare riceverà un codice via SMS.
result-check-another = Verifica un altro QR

## Errors (error.html, error.rs)
error-status = Codice di stato HTTP
error-home = Torna alla pagina iniziale
error-invalid = Dati non validi
error-login-required = Accesso richiesto
error-forbidden = Non consentito
error-not-found = Non trovato
error-gone = Non più valido
error-too-large = Dati troppo grandi
error-too-many = Troppi tentativi
error-unavailable = Servizio non disponibile
error-other = Errore

## Level 2 (otp.html, level2.html, level2_pages.rs)
l2-login-required = Per il secondo livello accedi con le tue credenziali di operatore (SPID, CIE o CNS), poi verifica di nuovo il QR.
otp-sent-title = Codice inviato al titolare
otp-title = Codice del titolare
otp-sent-to = Codice inviato via SMS al numero del titolare
otp-valid-until = valido fino alle
otp-ask-holder = Chiedi al titolare di leggertelo.
otp-label = Codice di 6 cifre
otp-hint = Il titolare lo ha ricevuto ora via SMS.
otp-submit = Mostra il dettaglio
otp-resend-heading = Il codice non arriva o è scaduto?
otp-resend = Invia un nuovo codice
l2-title = Esito di secondo livello
l2-checked-at = Data e ora
l2-reference = Riferimento
l2-detail = Dettaglio
l2-detail-caption = Dettaglio dello stato
l2-judgement = Giudizio della commissione
l2-sources = Verbali di provenienza
l2-sources-caption = Da quale verbale viene ogni dato
l2-finding = Dato
l2-verbale = Verbale (tipo e data)
l2-recorded = Questa consultazione è registrata con il tuo nome e la tua organizzazione, e il titolare la vede.
l2-not-assessed = Non valutato
l2-not-assessed-f = Non valutata
l2-not-recognised = Non riconosciuto
l2-judgement-code = Giudizio (codice)
l2-percentage = Percentuale di invalidità
l2-handicap = Handicap (Legge 104/1992)
l2-handicap-severe = Grave, art. 3 c. 3
l2-handicap-not-severe = Art. 3 c. 1 (senza gravità)
l2-art21 = Art. 21 (invalidità > 2/3)
l2-accompaniment = Indennità di accompagnamento
l2-blindness = Cecità civile
l2-blindness-absolute = Assoluta
l2-blindness-partial = Parziale
l2-deafness = Sordità
l2-law68 = Disabilità Legge 68/1999
l2-dl5 = Requisiti art. 4 DL 5/2012
l2-revision = Revisione
l2-revision-due = Prevista
l2-revision-overdue = scaduta: i benefici continuano fino alla visita di revisione
l2-revision-exempt = Esonero (DM 2 agosto 2007)
l2-revision-none = Nessuna revisione prevista
l2-src-invalidity = Invalidità
l2-src-accompaniment = Accompagnamento
l2-src-blindness = Cecità
l2-src-deafness = Sordità
l2-src-handicap = Handicap
l2-src-law68 = Legge 68/1999
l2-src-dl5 = Art. 4 DL 5/2012
kind-first-instance = Prima istanza
kind-aggravation = Aggravamento
kind-revision = Revisione
kind-extraordinary-check = Verifica straordinaria
kind-self-correction = Autotutela

## Shared by the citizen's pages
no-status-title = Nessuno stato che dia diritto al QR.
no-status-text = Nessun verbale definitivo ti colloca in uno dei casi attestati dal QR. I verbali precedenti al 2010, cartacei o rilasciati da Valle d'Aosta, Trento o Bolzano potrebbero non essere ancora in archivio: chiedi all'INPS (o al tuo patronato) di caricarli; conteranno appena caricati.
back-to-area = Torna alla tua area
email = E-mail
mobile = Cellulare
not-on-record-f = non indicata
not-on-record-m = non indicato

## New request (new_request.html)
new-title = Nuova richiesta
new-h1 = Nuova richiesta di QR
new-steps = Passaggi
new-step-1 = Controlla i dati di contatto
new-step-2 = Accetta l'informativa e conferma
new-contact = 1. Dati di contatto
new-contact-text = Il PDF con il QR viene inviato a questo indirizzo e-mail; il cellulare riceve i codici con cui autorizzi le verifiche di secondo livello. Se sono errati, esci, correggili nell'anagrafica di MyINPS e ricomincia.
new-proceed = Procedi
new-cancel = Annulla
new-privacy = 2. Informativa sul trattamento dei dati
new-privacy-text = Il QR non contiene dati personali. Chi lo verifica vede solo il tuo nome e se rientri in almeno uno dei casi, dopo aver inserito il tuo codice fiscale; per il dettaglio serve il codice che ricevi via SMS. Ogni verifica è registrata e la vedi nella tua area. Generare un nuovo QR revoca il precedente; puoi revocarlo in qualsiasi momento.
new-accept = Accetto e genero il QR
new-back = Indietro

## Demo login (demo.html)
demo-title = Accesso dimostrativo
demo-intro = In produzione si accede con SPID, CIE o CNS. Qui puoi entrare come una delle persone di prova.
demo-login-as = Entra come

## The citizen's area (me.html, pages.rs)
other = Altro
me-h1 = La mia attestazione
me-h1-of = Attestazione di
me-acting-for = Stai agendo come delegato per
me-acting-for-recorded = ogni azione viene registrata con il tuo nome e il titolare la vede.
me-back-own = Torna alla tua area
me-contacts = Dati di contatto
me-name = Nome
me-contacts-hint = Se questi dati non sono corretti, aggiornali nell'anagrafica di MyINPS e poi torna qui.
me-privacy = Informativa sul trattamento dei dati
me-privacy-text = Il QR non contiene dati personali. Chi lo verifica vede solo il tuo nome e se rientri in almeno uno dei casi, dopo aver inserito il tuo codice fiscale; ogni verifica è registrata e la vedi in questa pagina. Puoi revocare il QR in qualsiasi momento.
me-privacy-accept = Ho letto e accetto
me-qr = Il mio codice QR
me-manual-code = Codice per l'inserimento manuale
me-generated-on = Generato il
me-pdf = Stampa o scarica il PDF
me-email-again = Invia di nuovo per e-mail
me-regenerate = Revoca e genera un nuovo QR
me-revoke = Revoca il QR
me-no-qr = Non hai un QR attivo.
me-checks = Chi ha verificato il mio QR
me-no-checks = Nessuna verifica finora.
me-checks-caption = Verifiche, dalla più recente
me-when = Quando
me-level = Livello
me-outcome = Esito
me-who = Chi
me-action = Azione
me-eu-card = Carta europea della disabilità
me-eu-card-text = Dà accesso a servizi gratuiti o ridotti per trasporti, cultura e tempo libero, in Italia e negli altri Paesi dell'UE.
me-eu-card-link = Chiedi la carta o vedi il suo stato
me-benefits = Prestazioni
me-benefits-link = Cosa ti può spettare
me-delegates = Delegati
me-delegates-text = Una persona di fiducia (un familiare, un tutore, un'associazione) può fare per te tutto quello che fai qui. Ogni sua azione è registrata con il suo nome.
me-no-delegates = Nessun delegato.
me-since = dal
me-by-back-office = registrato dall'ufficio
me-remove = Rimuovi
me-delegate-cf = Codice fiscale del delegato
me-add-delegate = Aggiungi delegato
me-represented = Persone che rappresenti
me-act-for = Agisci per
me-activity = Attività
me-no-activity = Nessuna attività finora.
me-activity-caption = Azioni nella tua area, dalla più recente
me-anonymous-operator = Operatore anonimo (primo livello)
me-by-delegate = delegato
outcome-qualifies = Esito positivo: rientra nei casi
outcome-does-not-qualify = Esito negativo: non rientra nei casi
outcome-fiscal-code-mismatch = Codice fiscale errato
outcome-locked = Bloccato per troppi tentativi
outcome-otp-sent = Codice OTP inviato
outcome-otp-failed = Codice OTP errato
outcome-level2-viewed = Dettaglio consultato
outcome-revoked-qr = Letto un QR revocato
action-privacy-notice-accepted = Informativa accettata
action-attestation-generated = QR generato
action-attestation-revoked = QR revocato
action-attestation-emailed = PDF inviato per e-mail
action-delegate-added = Delegato aggiunto
action-delegate-removed = Delegato rimosso
action-card-applied = Carta europea: domanda inviata
action-card-issued = Carta europea emessa
action-card-rejected = Carta europea: domanda respinta
action-card-revoked = Carta europea revocata
action-card-emailed = Carta europea: e-mail inviata
done-generated = Nuovo QR generato e inviato per e-mail: il precedente, se c'era, non vale più.
done-generated-no-email = Nuovo QR generato: il precedente, se c'era, non vale più. Non c'è un indirizzo e-mail in anagrafica: scarica il PDF.
done-generated-email-failed = Nuovo QR generato: il precedente, se c'era, non vale più.
problem-generated-email-failed = Non è stato possibile inviare l'e-mail. Il QR è valido: scarica il PDF o riprova l'invio.
done-emailed = PDF inviato di nuovo per e-mail.
problem-email-failed = Non è stato possibile inviare l'e-mail: riprova tra poco o scarica il PDF.
done-revoked = QR revocato: chi lo scansiona ora vede che non è più valido.
done-privacy = Informativa accettata.
done-delegate-added = Delegato aggiunto: dopo l'accesso potrà agire per te.
done-delegate-removed = Delegato rimosso.

## EU Disability Card check (card.html, card.rs)
card-title = Verifica Carta europea della disabilità
card-valid = Tessera valida
card-expired = Tessera scaduta
card-not-yet-valid = Tessera non ancora valida
card-revoked = Tessera revocata
card-invalid-signature = Codice non autentico o illeggibile
card-undetermined = Esito non determinabile: riprovare più tardi
card-number = Numero della tessera
card-valid-until = Valida fino al
card-technical = Esito tecnico
card-compare = Confrontare il numero e la scadenza con quelli stampati sulla tessera e la foto con il titolare.

## Card presented from a wallet (card_present.html, card.html, card.rs)
cardp-title = Carta europea della disabilità dal wallet
cardp-intro = Il titolare mostra la tessera dal suo wallet digitale (SD-JWT VC) e sceglie quali dati mostrare. La verifica usa solo i dati mostrati.
cardp-step-nonce = 1. Mostrare questo codice al titolare
cardp-nonce = Codice del verificatore (nonce)
cardp-aud = Verificatore (aud)
cardp-nonce-hint = Il wallet del titolare inquadra il codice QR o copia il codice e prepara una presentazione per esso. Il codice vale 10 minuti e solo su questa pagina.
cardp-step-paste = 2. Incollare la presentazione
cardp-presentation = Presentazione dal wallet
cardp-presentation-hint = Il testo che dà il wallet, che inizia con eyJ e ha ~ tra le sue parti; scansionato o incollato.
cardp-check = Verifica
cardp-empty = Incollare la presentazione preparata dal wallet del titolare.
cardp-nonce-expired = Il codice del verificatore è scaduto o non è stato dato da questa pagina: mostrare al titolare il nuovo codice e chiedere una nuova presentazione.
cardp-disclosed = Dati mostrati dal titolare
cardp-disclosed-none = Il titolare non ha mostrato altro oltre alla validità della tessera.
cardp-withheld = Gli altri dati della tessera non sono stati mostrati e non compaiono.
cardp-portrait-alt = La foto del titolare, come mostrata
cardp-another = Verifica un'altra tessera
cardp-claim-document-number = Numero della tessera
cardp-claim-given-name = Nome
cardp-claim-family-name = Cognome
cardp-claim-birth-date = Data di nascita
cardp-claim-expiry-date = Valida fino al
cardp-claim-issuing-authority = Ente emittente
cardp-claim-issuing-country = Paese emittente
cardp-claim-attendance = Accompagnatore (A)

## Benefits (benefits.html, benefits.rs)
benefits-title = Cosa ti può spettare
benefits-guide = È un'indicazione, non una decisione.
benefits-guide-text-before = attesta confronta i tuoi verbali definitivi con le tabelle INPS
benefits-guide-text-after = Ogni prestazione si chiede all'INPS, che verifica tutti i requisiti e decide.
benefits-as-of = Situazione al
benefits-source = Fonte
benefits-amounts = importi
benefits-latest = Sono le tabelle più recenti disponibili in attesta.
benefits-income = Il tuo reddito personale annuo, in euro (facoltativo)
benefits-income-hint = Reddito lordo ai fini IRPEF, al netto degli oneri deducibili; solo il tuo, anche se sei sposato/a. Serve solo a precisare la risposta: non viene salvato.
benefits-update = Aggiorna
benefits-economic = Prestazioni economiche
benefits-no-economic = Con i verbali in archivio nessuna prestazione economica corrisponde ai requisiti sanitari.
benefits-no-income = Non hai indicato un reddito: dove c'è un limite di reddito, è scritto nelle condizioni.
benefits-economic-caption = Prestazioni economiche che corrispondono al tuo stato, importi
benefits-benefit = Prestazione
benefits-monthly = Importo mensile
benefits-payments = Mensilità all'anno
benefits-conditions = Condizioni e note
benefits-not-fixed = non fisso
benefits-other = Altre agevolazioni
benefits-no-other = Con i verbali in archivio nessuna agevolazione non economica corrisponde ai requisiti.
benefits-other-caption = Agevolazioni non economiche che corrispondono al tuo stato
benefits-back = Torna alla mia attestazione
benefits-may = Può spettarti
benefits-depends = Dipende da fatti che attesta non conosce
benefits-excluded-income = Non spetta con il reddito dichiarato
benefits-excluded-age = Non spetta per l'età
benefits-requires = Richiede
benefits-provided = A condizione di
benefits-error-income = Il reddito non è valido: scrivi il tuo reddito personale annuo in euro, senza punti delle migliaia, ad esempio 12000 o 12000,50.
benefits-error-on = La data non è valida: usa il formato AAAA-MM-GG, dal 2024 in poi e non prima della tua data di nascita.
benefits-error-field = Il campo { $field } non è valido.

## EU Disability Card application (card_apply.html, card_application.rs)
card-status-pending = In attesa di decisione
card-status-rejected = Respinta
card-status-active = Attiva
card-status-revoked = Revocata
card-status-expired = Scaduta
card-done-applied = Domanda inviata: riceverai un'e-mail con la decisione.
card-done-issued = Carta emessa: scaricala qui sotto.
cardapp-acting-recorded = ogni azione viene registrata con il tuo nome.
cardapp-your-card = La tua carta
cardapp-status = Stato
cardapp-applied-on = Domanda del
cardapp-number = Numero
cardapp-issued-on = Rilasciata il
cardapp-companion = Accompagnatore (A)
cardapp-reason = Motivo
cardapp-download = Scarica la carta in PDF
cardapp-download-hint = Formato tessera (85,6 × 54 mm), fronte e retro. Il codice QR sul retro permette a chiunque di verificarne la validità.
cardapp-none = Non hai ancora chiesto la carta.
cardapp-apply = Chiedi la carta
cardapp-photo = Fotografia formato tessera (JPEG o PNG)
cardapp-photo-hint = Verticale, almeno 300 × 400 pixel, larghezza tra 0,6 e 0,9 volte l'altezza (come 35 × 45 mm), al massimo 5 MiB. I dati nascosti della foto (posizione, data, fotocamera) vengono eliminati.
cardapp-declaration = Dichiarazione (solo se serve)
cardapp-paper = Il mio stato risulta da verbali cartacei precedenti al 2010
cardapp-region = Il mio stato risulta da verbali di Valle d'Aosta, Trento o Bolzano
cardapp-declaration-hint = In questi casi dichiari che le copie dei verbali sono conformi agli originali; l'ufficio li carica prima di decidere.
cardapp-court = Tribunale, se lo stato è stato riconosciuto da una sentenza
cardapp-court-date = Data della sentenza o del decreto (AAAA-MM-GG)
cardapp-send = Invia la domanda

## What an error says to a person (error.rs `error_text`): one message per
## SPEC §6 code, `err-` + the code with dashes. $attempts: attempts left;
## $minutes: minutes before trying again (0 when not known).
err-application-not-pending = Questa domanda è già stata decisa: si può approvare o respingere solo una domanda in attesa.
err-application-closed = Questa domanda è chiusa (conclusa, decaduta o ritirata) e non riceve altri documenti. Per un aggravamento presenta una nuova domanda e invia i documenti con quella.
err-application-open = Hai già una domanda in attesa o una Carta valida. Potrai fare una nuova domanda dopo un rifiuto, una revoca o la scadenza della Carta.
err-card-not-active = Non c'è una Carta attiva: si possono stampare o revocare solo le Carte attive.
err-citizen-only = Questa è l'area del cittadino: accedi come cittadino.
err-cross-origin = Questa richiesta modifica dati e deve partire dalle pagine di attesta. Torna indietro, ricarica la pagina e riprova.
err-csrf-failed = Questo modulo è scaduto o non viene da attesta. Torna indietro, ricarica la pagina e riprova.
err-email-unavailable = Non è stato possibile inviare l'e-mail ora. Il QR è valido: scarica il PDF o riprova l'invio tra poco.
err-fiscal-code-mismatch = Il codice fiscale non corrisponde a questo QR. Controllalo sulla tessera sanitaria del titolare e riprova. { $attempts ->
    [0] Non restano tentativi: il QR è bloccato per qualche minuto.
    [1] Resta 1 tentativo.
   *[other] Restano { $attempts } tentativi.
}
err-internal = Qualcosa non ha funzionato da parte nostra. Riprova tra un momento.
err-invalid-declaration = La dichiarazione contiene dati non validi: controlla i campi segnalati.
err-invalid-delegate = Non puoi indicare te stesso come tuo delegato.
err-invalid-delegation = La delega contiene dati non validi: una persona non può essere delegata di se stessa.
err-invalid-fiscal-code = Il codice fiscale non è valido: sono 16 caratteri, lettere e cifre. Controllalo e riprova.
err-invalid-login = I dati di accesso non sono validi.
err-invalid-person = I dati della persona non sono validi.
err-invalid-photo = La foto non va bene: serve un file JPEG o PNG, almeno 300 × 400 pixel, in verticale (la larghezza tra 0,6 e 0,9 volte l'altezza).
err-invalid-query = La ricerca contiene valori non validi: controllali e riprova.
err-invalid-reason = Scrivi il motivo (al massimo 1000 caratteri): il cittadino lo leggerà.
err-invalid-message = Il messaggio ha campi non validi: un oggetto da 1 a 200 caratteri e un testo da 1 a 10.000.
err-invalid-request = La richiesta non è leggibile: ricarica la pagina e riprova.
err-invalid-serial = Il numero della Carta è IT seguito da 10 cifre.
err-invalid-verbale = Il verbale contiene dati non validi.
err-invalid-payment = Il pagamento contiene dati non validi.
err-login-required = Accedi prima: questa pagina richiede l'accesso.
err-login-failed = L'accesso tramite il gestore dell'identità non è riuscito. Riprova; se continua a non funzionare, il gestore potrebbe non essere disponibile.
err-login-expired = L'accesso è scaduto o il collegamento non è completo. Ricomincia l'accesso.
err-login-cancelled = L'accesso è stato annullato o rifiutato presso il gestore dell'identità. Ricomincia l'accesso per usare attesta.
err-no-fiscal-code = Il gestore dell'identità non ha comunicato il tuo codice fiscale, quindi attesta non può sapere chi sei.
err-no-attestation = Non hai un QR attivo: generane uno.
err-no-card = Non hai ancora chiesto la Carta europea della disabilità.
err-no-delegation = Questo delegato non esiste più.
err-no-email-on-record = Non c'è un indirizzo e-mail registrato: aggiungilo nell'anagrafica di MyINPS, oppure scarica il PDF.
err-no-mobile-on-record = Il titolare non ha un numero di cellulare registrato, quindi non si può inviare il codice. Può aggiungerlo nell'anagrafica di MyINPS; la verifica di primo livello continua a funzionare.
err-no-next-key = Non c'è una chiave di firma successiva pronta.
err-no-qualifying-status = Nessun verbale definitivo in archivio ti colloca in una delle casistiche della verifica, quindi non si può generare un QR. Se hai un verbale non ancora presente, rivolgiti all'INPS.
err-not-a-delegate = Non sei delegato di questa persona: deve indicarti prima lei (o l'ufficio, per genitori e tutori).
err-not-eligible = Nessun verbale definitivo in archivio ti colloca in uno dei casi che danno diritto alla Carta europea della disabilità. I verbali cartacei precedenti al 2010, quelli di Valle d'Aosta, Trento o Bolzano e le sentenze possono non essere ancora in archivio: indicalo nella dichiarazione della domanda (l'ufficio lo verifica e carica il verbale), oppure chiedi all'INPS di aggiungerli.
err-not-found = Questo indirizzo non esiste.
err-otp-burned = Troppi codici sbagliati: questo codice non vale più. Chiedine uno nuovo.
err-otp-expired = Il codice è scaduto: chiedine uno nuovo.
err-otp-invalid = Il codice non è corretto. { $attempts ->
    [0] Non restano tentativi: chiedi un nuovo codice.
    [1] Resta 1 tentativo.
   *[other] Restano { $attempts } tentativi.
}
err-otp-used = Questo codice è già stato usato: chiedine uno nuovo.
err-page-not-found = Questa pagina non esiste.
err-payload-too-large = Quello che hai inviato è troppo grande. Invia un file più piccolo (una foto può essere al massimo di 5 MiB) o un testo più breve.
err-privacy-notice-not-accepted = Prima leggi e accetta l'informativa sulla privacy.
err-rate-limited = Troppe richieste da questo indirizzo. Attendi un momento e riprova.
err-revoked-token = Questo QR è stato revocato dal titolare o sostituito da uno più recente. Chiedi al titolare il QR attuale.
err-signing-key-unavailable = La Carta non può essere firmata ora: la chiave di firma non è disponibile. Riprova più tardi.
err-sms-unavailable = Non è stato possibile inviare il codice via SMS ora. Riprova tra un momento; la verifica di primo livello continua a funzionare.
err-too-many-attempts = Troppi codici fiscali sbagliati per questo QR. { $minutes ->
    [0] Riprova più tardi.
    [1] Riprova tra 1 minuto.
   *[other] Riprova tra { $minutes } minuti.
}
err-too-many-otp-requests = Troppi codici inviati a questo titolare di recente. { $minutes ->
    [0] Riprova più tardi.
    [1] Riprova tra 1 minuto.
   *[other] Riprova tra { $minutes } minuti.
}
err-unauthorized = Serve la chiave dell'API dell'ufficio.
err-unknown-application = Questa domanda non esiste.
err-unknown-card = Questa Carta non esiste.
err-unknown-otp-request = Questa richiesta di codice non esiste per la tua sessione: chiedi un nuovo codice.
err-unknown-person = Nessuna persona con questo codice fiscale è registrata.
err-unknown-message = Questo messaggio non esiste.
err-unknown-document = Questo documento non esiste.
err-unknown-status-list = Questa lista di stato non esiste.
err-unknown-token = Questo QR o codice manuale non è conosciuto. Controlla il codice e riprova, oppure chiedi al titolare un nuovo QR.
err-verbale-conflict = Un verbale con questo identificativo è già registrato con un contenuto diverso.
err-payment-conflict = Un pagamento con questo identificativo è già registrato con un contenuto diverso.

## Why a codice fiscale is not valid (i18n of attesta-domain's FiscalCodeError)
cf-missing = Scrivi il codice fiscale: 16 caratteri, lettere e cifre.
cf-length = Un codice fiscale ha 16 caratteri; questo ne ha { $count }.
cf-letter = Il carattere { $position } deve essere una lettera.
cf-digit = Il carattere { $position } deve essere una cifra (o una lettera di omocodia, L–V).
cf-month = Il carattere 9 è il mese di nascita e deve essere una tra A B C D E H L M P R S T.
cf-day = I caratteri 10–11 sono il giorno di nascita: 01–31, oppure 41–71 per le donne.
cf-check = L'ultimo carattere è di controllo e non corrisponde agli altri 15: controlla che non ci siano errori di battitura.

## Field errors of the card application form (card_application.rs)
cardapp-err-court-name = Scrivi il nome del tribunale (al massimo 200 caratteri), oppure lascia vuoti entrambi i campi della sentenza.
cardapp-err-court-date = Scrivi la data della sentenza o del decreto (non nel futuro), oppure lascia vuoti entrambi i campi della sentenza.

## The QR full screen (show_qr.html) and its links on /me
showqr-h1 = QR-Code di attestazione
showqr-alt = Codice QR dell'attestazione di
showqr-hint = Mostra questa schermata all'operatore. Se il lettore non legge il QR, aumenta la luminosità dello schermo o detta il codice manuale.
showqr-fullscreen = Schermo intero
showqr-close = Chiudi
me-show-qr = Mostra il QR a schermo intero
me-pdf-large = PDF a caratteri grandi

## Il percorso della domanda (SPEC §10.2): errori del back office
err-assessment-open = Per questa persona è ancora aperto un accertamento per le stesse finalità: attendi che si concluda.
err-certificate-conflict = Un certificato con questo identificativo è già registrato con un contenuto diverso.
err-certificate-expired = Il certificato non può più essere usato per una domanda: chiedi al medico un nuovo certificato.
err-certificate-used = Per questo certificato è già stata presentata la domanda.
err-home-visit-too-late = La visita domiciliare va chiesta almeno 5 giorni prima della visita.
err-invalid-application = La domanda non può essere presentata: controlla i campi segnalati.
err-invalid-certificate = Il certificato contiene dati non validi: controlla i campi segnalati.
err-invalid-event = L'evento contiene dati non validi: controlla i campi segnalati.
err-invalid-transition = Lo stato attuale della domanda non consente questo passaggio.
err-silent-assent-applied = I 60 giorni dell'INPS sono trascorsi: vale il silenzio-assenso e il verbale è definitivo così com'è.
err-unknown-certificate = Questo certificato non esiste.
err-invalid-grant = Il codice del wallet non è valido: è sconosciuto, scaduto, già usato, oppure il codice di conferma è sbagliato. Ricomincia da “Aggiungi al wallet” nella pagina della carta.
err-unsupported-grant-type = È supportato solo il codice pre-autorizzato.
err-invalid-token = L'accesso del wallet non è valido: è sconosciuto, scaduto o già usato. Ricomincia da “Aggiungi al wallet”.
err-invalid-proof = La prova della chiave del wallet non è valida. Riprova dal wallet.
err-invalid-nonce = Il nonce del wallet è sconosciuto, scaduto o già usato: il wallet deve chiederne uno nuovo.
err-invalid-credential-request = La richiesta della credenziale del wallet non si può leggere.
err-unknown-credential-configuration = Questa credenziale non è offerta da attesta.
err-credential-request-denied = La carta non è più attiva, quindi non può andare in un wallet.
kind-basic-assessment = Certificato della condizione di disabilità (valutazione di base)

## Modalità sportello e igiene del token (SPEC §12)
check-empty = Il codice è vuoto. Leggi il QR con il lettore, oppure digita il codice stampato sotto.
next-heading = Prossimo QR
next-code = Leggi il prossimo QR o digitane il codice
result-yes-short = Rientra nelle casistiche elencate
result-no-short = NON rientra nelle casistiche elencate
expired-title = Questa verifica è scaduta
expired-text = Per la riservatezza del titolare una verifica resta aperta 15 minuti. Leggi di nuovo il QR, oppure digita il codice stampato sotto.
guide-link = Tutorial per operatori: come verificare un QR

## Tutorial per operatori (guide.html, /v/guide.pdf)
guide-title = Tutorial per operatori di enti pubblici e soggetti privati
guide-intro = Questa guida è per chi verifica i QR di attesta allo sportello: musei, trasporti, comuni e altri enti. Spiega come leggere il QR, cosa dice la verifica e cosa non fare.
guide-pdf = Scarica il tutorial in PDF
guide-read-h = Come leggere il QR
guide-read-1 = Con la fotocamera: apri la pagina «Verifica un QR» e premi «Leggi con la fotocamera», oppure inquadra il QR con la fotocamera del telefono: si apre da sola la pagina di verifica.
guide-read-2 = Con un lettore di codici (che scrive come una tastiera): nella pagina «Verifica un QR» il campo del codice è già selezionato. Leggi il QR: il lettore scrive l'indirizzo e preme Invio. Va bene anche se il lettore è impostato per un'altra tastiera e cambia i segni «:» e «/».
guide-read-3 = A mano: digita il codice di 26 caratteri stampato sotto il QR. Trattini, spazi, maiuscole e minuscole non contano.
guide-read-4 = Poi chiedi al titolare il codice fiscale (è sulla tessera sanitaria), digitalo e premi Invio. Dopo l'esito il campo per il prossimo QR è già selezionato: puoi leggere subito il QR successivo, senza mouse.
guide-level1-h = Cosa dice il primo livello, e cosa non dice
guide-level1-1 = Dice soltanto se, oggi, la persona rientra in almeno una delle casistiche elencate (invalidità civile almeno al 34%, minore invalido, indennità di accompagnamento, cecità, sordità, handicap ai sensi della legge 104/1992), in quali aree, e il nome del titolare.
guide-level1-2 = Non dice la diagnosi, la percentuale, il giudizio della commissione né la data di revisione. Non prova l'identità: se il servizio lo richiede, confronta il nome con un documento.
guide-level1-3 = Ogni verifica viene registrata e il titolare vede quando è stata fatta e da chi.
guide-level2-h = Quando e come chiedere il secondo livello
guide-level2-1 = Solo quando il servizio richiede un dettaglio (per esempio la percentuale di invalidità) e il titolare è presente davanti a te.
guide-level2-2 = Accedi con le tue credenziali di operatore dell'ente, verifica il QR al primo livello, poi premi «Chiedi il dettaglio».
guide-level2-3 = Il titolare riceve un SMS con un codice di 6 cifre, valido 5 minuti, che nomina il tuo ente: te lo legge e tu lo digiti. Senza quel codice non vedi nulla del dettaglio.
guide-never-h = Cosa non fare mai
guide-never-1 = Non conservare copie del QR, del codice o dell'esito, né su carta né in un file.
guide-never-2 = Non fotografare il QR né lo schermo del titolare.
guide-never-3 = Non chiedere il verbale: il QR serve proprio a non doverlo mostrare.
guide-never-4 = Non chiedere il codice SMS se il titolare non è presente.
guide-trouble-h = Se qualcosa non va
guide-trouble-1 = QR revocato o sconosciuto: chiedi al titolare il QR attuale. Codice fiscale sbagliato: dopo 5 tentativi il QR resta bloccato 15 minuti. Una verifica resta aperta 15 minuti: dopo, leggi di nuovo il QR.
index-guide = Tutorial per operatori

## Lettura con la fotocamera (/v, camera.js)
camera-button = Leggi con la fotocamera
camera-video = Immagine della fotocamera
camera-starting = Avvio della fotocamera…
camera-reading = Inquadra il QR: la verifica si apre appena viene letto. Premi di nuovo il pulsante per fermare.
camera-found = QR letto: apertura della verifica…
camera-stopped = Fotocamera spenta.
camera-denied = Il browser non ha dato il permesso di usare la fotocamera. Leggi il QR con un lettore o digita il codice.
camera-unavailable = Non è stato possibile usare la fotocamera. Leggi il QR con un lettore o digita il codice.

## The citizen's journey (SPEC §10.2): /me/applications and its activity
action-application-filed = Domanda presentata da un certificato
action-reschedule-requested = Chiesta una nuova data di visita
action-document-sent = Documento inviato per una domanda
action-proactive-consent-given = Consenso dato agli avvisi quando esce un verbale
action-proactive-consent-withdrawn = Consenso ritirato: niente più e-mail o SMS quando esce un verbale
action-wallet-credential-issued = Carta europea aggiunta a un wallet
action-wallet-proof-refused = Carta europea: la prova della chiave di un wallet è stata rifiutata
journey-crumb-me = Area personale
journey-h1 = Le mie domande
journey-link = Le mie domande di accertamento
journey-intro = Qui trovi i tuoi certificati medici e le domande di accertamento della condizione di disabilità (invalidità civile, handicap L. 104/1992), fase per fase, con cosa fare e entro quando.
journey-applications = Domande
journey-no-applications = Non hai domande in corso o concluse.
journey-state = Stato
journey-opened = Aperta il
journey-timeline = Fasi della domanda
journey-overdue-title = Tempi superati.
journey-overdue-text = Il termine previsto per questa fase è passato. Puoi sollecitare l'INPS tramite il Contact Center o il tuo patronato.
journey-visit = Visita
journey-visit-date = Data
journey-visit-time = Ora
journey-italian-time = ora italiana
journey-visit-place = Luogo
journey-visit-home = Visita domiciliare
journey-yes-home = Sì, a domicilio
journey-not-home = No, presso la sede indicata
journey-next = Cosa fare ora:
journey-next-home-visit = se non puoi spostarti, chiedi al tuo medico la visita domiciliare entro il { $date }.
journey-next-visit = presentati alla visita il { $date }.
journey-next-inps = l'INPS decide entro il { $date }; dopo, il verbale diventa definitivo da solo (silenzio-assenso).
journey-next-target = la valutazione di base si conclude di norma entro il { $date }.
journey-next-appeal = puoi presentare ricorso al giudice entro il { $date }.
journey-concluded-text = La domanda è conclusa: il verbale è definitivo e il codice QR lo riflette da oggi.
journey-verbale = verbale
journey-make-qr = Genera il codice QR
journey-reason-label = Motivo della richiesta di una nuova data
journey-reason-hint = Scrivi perché non puoi presentarti (da 1 a 1000 caratteri). Il motivo resta riservato.
journey-reason-error = Scrivi il motivo della richiesta: da 1 a 1000 caratteri.
journey-reschedule = Chiedi una nuova data
journey-certificates = Certificati medici
journey-no-certificates = Non ci sono certificati medici a tuo nome.
journey-certificate-of = Certificato del
journey-purposes = Per
journey-procedure = Procedura
journey-cert-status = Stato del certificato
journey-apply-by = Presenta la domanda entro il
journey-apply = Presenta la domanda
journey-done-applied = Domanda presentata. La trovi qui sopra con le sue fasi.
journey-done-rescheduled = Richiesta di una nuova data inviata: l'INPS ti convocherà di nuovo.
journey-documents = Documenti per la commissione
journey-documents-none = Nessun documento inviato finora.
journey-document-sent-on = inviato il
journey-document-label = Documento da inviare (referti, esami)
journey-document-hint = PDF, JPEG o PNG, fino a 10 MiB. Le foto vengono salvate di nuovo senza i dati nascosti (luogo, fotocamera).
journey-document-send = Invia il documento
journey-done-document = Documento inviato: la commissione lo troverà con la tua domanda.
journey-document-too-large = Il documento è più grande di 10 MiB: invia un file più piccolo (scansionalo a una risoluzione più bassa, o dividilo in parti).
journey-on = il { $date }
journey-due = entro il { $date }
journey-status-done = fatto
journey-status-current = in corso
journey-status-todo = da fare
journey-status-skipped = non svolto
journey-phase-certificate = Certificato medico
journey-phase-application = Domanda
journey-phase-visit = Visita
journey-phase-commission-verbale = Verbale della commissione
journey-phase-inps-validation = Validazione INPS
journey-phase-definitive-verbale = Verbale definitivo
journey-phase-convocation = Convocazione
journey-phase-disability-certificate = Certificato della condizione di disabilità
journey-state-submitted = presentata, in attesa di convocazione
journey-state-visit-scheduled = visita fissata
journey-state-second-summons = seconda convocazione dopo un'assenza
journey-state-awaiting-inps = in attesa della decisione INPS
journey-state-inps-visit = visita diretta INPS
journey-state-started = avviata, in attesa di convocazione
journey-state-visit-to-reschedule = visita da riprogrammare
journey-state-documents-requested = documenti richiesti
journey-state-concluded = conclusa
journey-state-lapsed = decaduta
journey-state-withdrawn = ritirata
journey-purpose-invalidity = invalidità civile
journey-purpose-blindness = cecità civile
journey-purpose-deafness = sordità
journey-purpose-handicap = condizione di disabilità (handicap, L. 104/1992)
journey-purpose-law68 = disabilità per il collocamento mirato (L. 68/1999)
journey-procedure-ordinary = procedura ordinaria (domanda e commissione)
journey-procedure-reform = valutazione di base (D.Lgs. 62/2024)
journey-cert-usable = utilizzabile
journey-cert-used = usato per una domanda
journey-cert-expired = scaduto

# The citizen's own verbale (/me/verbali/{id}).
err-unknown-verbale = Nessun tuo verbale ha questo identificativo. Torna a «Le mie domande» e apri il verbale da lì.
my-verbale-h1 = Il tuo verbale
my-verbale-intro = Quello che la commissione ha accertato, come lo vede un operatore autorizzato al secondo livello. Solo tu (e chi hai delegato) puoi vedere questa pagina.
my-verbale-id = Identificativo del verbale
my-verbale-kind = Tipo
my-verbale-session = Data della seduta
my-verbale-definitive = Definitivo
my-verbale-since = dal
my-verbale-not-yet = Non ancora: attende la validazione dell'INPS
my-verbale-back = Torna a «Le mie domande»
journey-open-verbale = Apri il verbale

err-service-unavailable = Il servizio non raggiunge il suo database. Riprova tra un momento.
err-request-timeout = La richiesta si è interrotta prima di essere completa. Controlla la connessione e inviala di nuovo.
err-unsupported-content-encoding = La richiesta è stata inviata compressa, e attesta non lo accetta. Inviala di nuovo senza compressione.
err-unsupported-document = Questo file non si può usare: invia un documento PDF, JPEG o PNG che si apra correttamente (conta il contenuto, non il nome del file).

# Comunicazioni (SPEC §11)
messages-h1 = Le comunicazioni
messages-link = Comunicazioni
messages-unread-count = da leggere
messages-intro = Le comunicazioni dell'INPS per te, dalla più recente.
messages-none = Non hai comunicazioni.
messages-received = Ricevuta il
messages-state = Stato
messages-unread = Da leggere
messages-read = Letta
messages-mark-read = Segna come letta
messages-done-read = La comunicazione è segnata come letta.

## Notices and deadlines (SPEC §11), on /me
notices-h2 = Da fare e scadenze
notices-none = Per ora non hai nulla da fare e nessuna scadenza.
notice-certificate-expiring = Puoi presentare la domanda dal tuo certificato medico entro il { $date }.
notice-home-visit-deadline = Se non puoi spostarti, chiedi la visita a domicilio entro il { $date }.
notice-visit-upcoming = Visita medica il { $date }: data, ora e luogo nella tua domanda.
notice-documents-requested = La commissione ha chiesto dei documenti: inviali dalla tua domanda.
notice-appeal-deadline = Puoi fare ricorso in tribunale contro il verbale entro il { $date }.
notice-revision-due = Il tuo verbale prevede una revisione entro il { $date }: l'INPS ti convocherà.
notice-card-expiring = La tua Carta europea della disabilità scade il { $date }: chiedine una nuova.
notice-verbale-issued = Il tuo verbale è definitivo dal { $date }: leggi cosa significa e mostra subito il tuo QR.
notice-message-unread = { $count ->
    [one] Hai una comunicazione da leggere.
   *[other] Hai { $count } comunicazioni da leggere.
}
consents-h2 = Avvisi via e-mail e SMS
consents-intro = Quando viene emesso un tuo verbale, possiamo avvisarti con un'e-mail e un SMS che dicono solo che un documento ti aspetta nella tua area personale, senza alcun dato sanitario.
consents-proactive = Voglio ricevere gli avvisi via e-mail e SMS
consents-save = Salva la scelta
done-consents = La tua scelta sugli avvisi è salvata.

guide-meaning-h2 = Cosa significa
guide-meaning-more = La tabella qui sopra riporta ogni esito del verbale; la commissione lo ha deciso sulla base della visita e dei documenti.
guide-benefits-h2 = Le agevolazioni per la tua situazione
guide-benefits-text = Quali prestazioni e agevolazioni ti spettano con questo stato, con gli importi e le incompatibilità:
guide-obligations-h2 = I tuoi obblighi
guide-revision-due = Il verbale prevede una revisione: potrai essere convocato a visita a partire da
guide-revision-exempt = Sei esonerato da visite di revisione future (DM 2 agosto 2007).
guide-revision-none = Il verbale non prevede una revisione.
guide-appeal-h2 = Se non sei d'accordo
guide-appeal-text = Puoi presentare ricorso al giudice entro sei mesi dal giorno in cui il verbale è diventato definitivo, cioè entro il
guide-card-h2 = La Carta europea della disabilità
guide-card-text = Con questo stato puoi verificare se ti spetta la Carta europea della disabilità e chiederla online:
guide-qr-h2 = Il tuo codice QR, subito
guide-qr-text = Non serve aspettare il verbale cartaceo: mostra subito il tuo codice QR. Se ne hai già uno attivo vedi quello (anche se lo hai stampato resta valido); altrimenti ne creiamo uno nuovo.
guide-qr-button = Mostra il mio codice QR
guide-code-01 = Codice 01: non sei stato riconosciuto invalido (nessuna patologia o riduzione della capacità lavorativa inferiore a un terzo). Non spettano prestazioni economiche.
guide-code-02 = Codice 02: sei riconosciuto invalido con una riduzione permanente della capacità lavorativa superiore a un terzo. Spettano le protesi legate alla patologia; dal 46% si accede al collocamento mirato.
guide-code-03 = Codice 03: sei riconosciuto invalido con una riduzione della capacità lavorativa tra il 74% e il 99%. Spetta l'assegno mensile, entro un limite di reddito.
guide-code-04 = Codice 04: sei riconosciuto totalmente e permanentemente inabile al lavoro (100%). Spetta la pensione di inabilità, entro un limite di reddito.
guide-code-05 = Codice 05: invalidità al 100% con impossibilità di camminare senza l'aiuto permanente di un accompagnatore. Spetta l'indennità di accompagnamento, senza limiti di reddito.
guide-code-06 = Codice 06: invalidità al 100% con bisogno di assistenza continua negli atti quotidiani della vita. Spetta l'indennità di accompagnamento.
guide-code-07 = Codice 07: minore con difficoltà persistenti a svolgere i compiti della sua età, o minore ipoacusico. Spetta l'indennità di frequenza oppure quella di accompagnamento (non entrambe).
guide-code-08 = Codice 08: cecità parziale (residuo visivo non superiore a 1/20 in entrambi gli occhi). Spettano la pensione e l'indennità speciale per i ciechi parziali.
guide-code-09 = Codice 09: cecità assoluta. Spettano la pensione e l'indennità di accompagnamento per i ciechi assoluti.
guide-code-10 = Codice 10: sordità civile. Spettano la pensione e l'indennità di comunicazione.
guide-code-11 = Codice 11: persona oltre i 67 anni con difficoltà persistenti a svolgere le funzioni della sua età. Non spettano prestazioni economiche.
guide-code-12 = Codice 12: persona oltre i 67 anni che non può camminare senza un accompagnatore o ha bisogno di assistenza continua. Spetta l'indennità di accompagnamento.
guide-finding-handicap-none = Non è riconosciuta una condizione di disabilità ai sensi della Legge 104/1992 (handicap): non spettano le agevolazioni di questa legge.
guide-finding-handicap-art3-c1 = È riconosciuta una condizione di disabilità senza connotazione di gravità (handicap, art. 3 c. 1 L. 104/1992). Dà diritto ad agevolazioni fiscali: IVA al 4% e detrazione IRPEF del 19% per protesi, ausili e sussidi tecnici e informatici, spese per abbattere le barriere architettoniche, spese mediche e di assistenza specifica. Non dà prestazioni economiche.
guide-finding-handicap-art3-c3 = È riconosciuta una condizione di disabilità con necessità di sostegno elevato o molto elevato (handicap grave, art. 3 c. 3 L. 104/1992): la tua autonomia personale è ridotta al punto da richiedere un'assistenza permanente e continua. Oltre alle agevolazioni fiscali dell'art. 3 c. 1, dà diritto ai permessi di lavoro retribuiti (3 giorni al mese, art. 33), per te se lavori e per il familiare che ti assiste; per i genitori di un figlio in questa condizione, al prolungamento del congedo parentale (fino ai 12 anni del figlio) o a 2 ore di riposo al giorno (fino ai 3 anni); per il familiare che ti assiste, al congedo straordinario retribuito (fino a 2 anni). Non dà prestazioni economiche.
guide-finding-art21-yes = Invalidità superiore ai due terzi (art. 21 L. 104/1992): se sei un dipendente pubblico, hai la precedenza nella scelta della sede tra quelle disponibili. Non dà permessi né congedi.
guide-finding-art21-no = L'art. 21 L. 104/1992 (invalidità superiore ai due terzi) non è riconosciuto: non dà la precedenza nella scelta della sede ai dipendenti pubblici.
guide-finding-accompaniment-yes = Ti è riconosciuta l'indennità di accompagnamento: spetta a chi non può camminare senza l'aiuto permanente di un accompagnatore o ha bisogno di assistenza continua negli atti quotidiani della vita, e ai ciechi assoluti con una indennità propria. Spetta senza limiti di reddito né di età.
guide-finding-accompaniment-no = L'indennità di accompagnamento non è riconosciuta.
guide-finding-blindness-none = La cecità civile non è riconosciuta.
guide-finding-blindness-partial = Sei riconosciuto cieco parziale: residuo visivo non superiore a 1/20 in entrambi gli occhi, anche con correzione. Spettano la pensione per i ciechi parziali (entro un limite di reddito) e l'indennità speciale (senza limiti di reddito, compatibile con il lavoro).
guide-finding-blindness-absolute = Sei riconosciuto cieco assoluto: totale mancanza della vista in entrambi gli occhi, anche con correzione. Spettano la pensione per i ciechi assoluti (dai 18 anni, entro un limite di reddito) e l'indennità di accompagnamento per i ciechi assoluti (senza limiti di reddito, compatibile con il lavoro).
guide-finding-deafness-yes = Sei riconosciuto sordo civile: sordità congenita o acquisita durante l'età evolutiva (entro i 12 anni). Spettano la pensione per i sordi (dai 18 anni, entro un limite di reddito) e l'indennità di comunicazione (senza limiti di reddito).
guide-finding-deafness-no = La sordità civile non è riconosciuta.
guide-finding-law68-yes = Legge 68/1999: hai la condizione di disabilità utile per il collocamento mirato al lavoro.
guide-finding-law68-no = Legge 68/1999: la condizione utile per il collocamento mirato al lavoro non è riconosciuta.
guide-finding-dl5-yes = Hai i requisiti sanitari dell'art. 4 DL 5/2012: servono per il contrassegno di parcheggio per disabili e per le agevolazioni fiscali sui veicoli.
guide-finding-dl5-no = Il verbale dice che non possiedi alcun requisito dell'art. 4 DL 5/2012 (contrassegno di parcheggio per disabili, agevolazioni fiscali sui veicoli).

## Payments page (SPEC §11, "Pagamenti e cedolini")
payments-h1 = Pagamenti e cedolini
payments-link = Pagamenti e cedolini
payments-intro = I pagamenti delle tue prestazioni, dal mese più recente: quelli già pagati e quelli previsti.
payments-none = Non ci sono pagamenti registrati.
payments-totals-h2 = Totali per prestazione
payments-totals-caption = Totale pagato e previsto per ogni prestazione
payments-list-h2 = Tutti i pagamenti
payments-list-caption = Pagamenti per mese, dal più recente
payments-benefit = Prestazione
payments-total-paid = Pagato
payments-total-planned = Previsto
payments-period = Mese
payments-amount = Importo
payments-state = Stato
payments-paid-on = Pagato il { $date }
payments-planned = Previsto, non ancora pagato
payments-back = Torna all'area personale

## La carta nel wallet (OpenID4VCI, issue #19)
wallet-h2 = Aggiungi al wallet
wallet-intro = Metti la carta in un wallet di identità digitale (come IT-Wallet): potrai scegliere cosa mostrare, per esempio solo che la carta è valida e il segno "A". Un codice di 6 cifre arriva per SMS al tuo cellulare.
wallet-add = Aggiungi al wallet
wallet-h1 = Aggiungi la carta al wallet
wallet-back = Torna alla tua carta
wallet-step-scan = Apri l'app del wallet e inquadra questo codice QR, oppure, da questo telefono, premi "Apri nel wallet".
wallet-step-code = Quando il wallet lo chiede, scrivi il codice di 6 cifre inviato per SMS al { $sent_to }.
wallet-step-accept = Accetta la carta nel wallet.
wallet-qr-label = Codice QR dell'offerta della carta per il tuo wallet
wallet-qr-caption = L'offerta della carta per il tuo wallet
wallet-open-link = Apri nel wallet
wallet-open-link-hint = Il collegamento funziona sul telefono dove è installata l'app del wallet.
wallet-expires = L'offerta e il codice valgono fino a
wallet-single-use = Funzionano una volta sola: per un altro wallet ricomincia dalla pagina della carta.
wallet-no-mobile = Non risulta un numero di cellulare, quindi non si può inviare il codice del wallet.
wallet-no-mobile-how = Aggiungi il tuo numero di cellulare nella sezione anagrafica di MyINPS, poi torna alla pagina della carta e premi di nuovo "Aggiungi al wallet".
