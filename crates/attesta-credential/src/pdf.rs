//! The printable attestation: the holder's name, the QR, the short code and
//! bilingual instructions for the operator, on one A4 page, or on two or more
//! in large print ([`PrintSize::Large`]).
//!
//! # Validation mode
//!
//! The document is written as **PDF/UA-1** (PDF 1.7) with krilla's built-in
//! PDF/UA-1 validator switched on (the kit in `pdf_ua.rs`): export fails instead of producing a PDF
//! that lacks a title, a document language, an outline, alt text on the QR
//! figure, heading titles, or that uses a glyph the font cannot show. Beyond
//! what the validator can check, the code follows the PDF/UA rules by
//! construction: every piece of content sits in a structure element (H1, H2,
//! P, Figure) in reading order, nothing is left untagged, the English parts
//! carry `Lang en`, and the fonts are embedded.
//!
//! # Large print
//!
//! For holders and operators with low vision (WCAG 2.x 1.4.4 and 1.4.12 as
//! taken up by EN 301 549 clause 10): no text below 18 pt, headings and the
//! name larger, the short code at 32 pt, lines 1.5 apart, a 90 mm QR, and
//! everything aligned to the left margin, because centred text is hard to
//! follow under a magnifier. The first page has the title, the name, the QR
//! and the code; the instructions start on a new page and flow onto further
//! pages as needed. A line that does not fit is wrapped, never shrunk.
//!
//! Both sizes share one layout, parameterised by [`Metrics`]. The layout is
//! computed first (the page and position of every line), then painted page by
//! page: a krilla page borrows the document, so a writer that started new pages
//! while drawing would have to own both.
//!
//! The codice fiscale is deliberately not an input: the QR and the codice
//! fiscale are the two factors of a check, so a lost printout alone must not
//! reveal both.

use krilla::destination::XyzDestination;
use krilla::geom::{Path, PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{BBox, ContentTag, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::TextDirection;

use crate::pdf_ua::{
    DOC_LANG, EN, FontPair, Fonts, MAX_NAME_LINES, MM, PdfError, clean_name, export_error, heading,
    paragraph_group, ua_document, wrap,
};
use crate::qr::{QR_QUIET_ZONE, dark_runs, qr_matrix};

/// A4 portrait in PDF points (1 pt = 1/72 in).
const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
/// Depth below the baseline that a line needs, as a fraction of the font size
/// (DejaVu Sans descends 0.236 em).
const DESCENT: f32 = 0.25;

const TITLE_SEP: &str = " — ";

/// How large the attestation is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintSize {
    /// One A4 page: body text 10.5 pt and a 70 mm QR.
    #[default]
    Standard,
    /// Large print for low vision (caratteri grandi): no text below 18 pt,
    /// line spacing 1.5, left-aligned, a 90 mm QR; two A4 pages or more.
    Large,
}

/// Everything printed on an attestation.
#[derive(Debug, Clone, Copy)]
pub struct AttestationPdf<'a> {
    /// The holder's full name, as it should be printed.
    pub holder_name: &'a str,
    /// The attestation URL (see [`crate::attestation_url`]); the QR encodes exactly this.
    pub url: &'a str,
    /// The short code for manual entry (see [`crate::Token::short_code`]).
    pub short_code: &'a str,
    /// The day the PDF was generated, printed on it.
    pub generated_on: time::Date,
    /// Standard or large print.
    pub print: PrintSize,
}

/// Sizes and spacing of one [`PrintSize`], in points. Font sizes are named
/// after what they print.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Metrics {
    /// Page margin on every side.
    margin: f32,
    /// Width of the QR including its quiet zone.
    qr_size: f32,
    /// The H1 title.
    title: f32,
    /// The labels above the name and the code ("Titolare / Holder").
    label: f32,
    /// The holder's name.
    name: f32,
    /// The short code (monospaced bold).
    code: f32,
    /// The H2 headings of the instructions.
    heading: f32,
    /// The instructions and the date.
    body: f32,
    /// The closing note.
    note: f32,
    /// Distance between baselines, as a multiple of the font size.
    leading: f32,
    /// Scales the fixed gaps between blocks.
    gap: f32,
    /// Extra space after each paragraph of the instructions and the note.
    paragraph_gap: f32,
    /// Centre the title, name, QR and code; otherwise everything starts at
    /// the left margin.
    centred: bool,
    /// A too-wide line that mixes languages is shrunk to fit (keeps the
    /// standard version on one page); otherwise it wraps, so no text is ever
    /// smaller than its metric.
    shrink_to_fit: bool,
    /// The instructions start on a new page and flow onto as many pages as
    /// they need; otherwise everything must fit on one page.
    instructions_on_new_page: bool,
    /// The title, Italian and English parts.
    title_it: &'static str,
    title_en: &'static str,
}

impl Metrics {
    const STANDARD: Self = Self {
        margin: 20.0 * MM,
        // 70 mm, comfortably above the ~60 mm that phone cameras and ZBar
        // read reliably from a worn printout.
        qr_size: 70.0 * MM,
        title: 20.0,
        label: 10.0,
        name: 16.0,
        code: 22.0,
        heading: 13.0,
        body: 10.5,
        note: 9.5,
        leading: 1.35,
        gap: 1.0,
        paragraph_gap: 3.0,
        centred: true,
        shrink_to_fit: true,
        instructions_on_new_page: false,
        title_it: "Attestazione di stato",
        title_en: "Status attestation",
    };

    /// 18 pt is the usual floor for large print (RNIB, APH); 1.5 line
    /// spacing and paragraph spacing of one body size follow WCAG 1.4.12.
    /// The code is 32 pt and wraps between its groups: its 32 characters of
    /// DejaVu Sans Mono take 190 mm at 28 pt. The 15 mm margins and the 90 mm
    /// QR (above what a scanner needs, and still one size up) are what lets a
    /// three-line name, the QR and the code share the first page.
    const LARGE: Self = Self {
        margin: 15.0 * MM,
        qr_size: 90.0 * MM,
        title: 28.0,
        label: 18.0,
        name: 26.0,
        code: 32.0,
        heading: 24.0,
        body: 18.0,
        note: 18.0,
        leading: 1.5,
        gap: 1.5,
        paragraph_gap: 18.0,
        centred: false,
        shrink_to_fit: false,
        instructions_on_new_page: true,
        title_it: "Attestazione di stato (caratteri grandi)",
        title_en: "Status attestation (large print)",
    };

    fn of(print: PrintSize) -> Self {
        match print {
            PrintSize::Standard => Self::STANDARD,
            PrintSize::Large => Self::LARGE,
        }
    }

    fn content_width(&self) -> f32 {
        PAGE_W - 2.0 * self.margin
    }
}

/// Runs of text in one line, each with its language (`None`: the document's).
type Runs = Vec<(String, Option<&'static str>)>;

/// Greedy word wrap of text made of segments in different languages, breaking
/// at spaces and between segments that have no space between them (so a short
/// code given as its hyphen-ended groups breaks after a hyphen). Each line
/// keeps its languages in separate runs, so English stays tagged as English.
fn flow(
    segments: &[(&str, Option<&'static str>)],
    max_width: f32,
    measure: impl Fn(&str) -> f32,
) -> Vec<Runs> {
    // Words with their language and whether a space comes before them.
    let mut words = Vec::new();
    let mut space = false;
    for &(text, lang) in segments {
        let mut pending = space || text.starts_with(char::is_whitespace);
        for word in text.split_whitespace() {
            words.push((word, lang, pending));
            pending = true;
        }
        space = if text.trim().is_empty() {
            pending
        } else {
            text.ends_with(char::is_whitespace)
        };
    }

    let mut lines = Vec::new();
    let mut line = String::new();
    let mut runs: Runs = Vec::new();
    for (word, lang, space) in words {
        let sep = if space { " " } else { "" };
        if !line.is_empty() && measure(&format!("{line}{sep}{word}")) <= max_width {
            line.push_str(sep);
            line.push_str(word);
            match runs.last_mut() {
                Some((text, l)) if *l == lang => {
                    text.push_str(sep);
                    text.push_str(word);
                }
                Some((text, _)) => {
                    // The space between two languages goes with the first.
                    text.push_str(sep);
                    runs.push((word.to_owned(), lang));
                }
                None => runs.push((word.to_owned(), lang)),
            }
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut runs));
        }
        // The word starts a line; `wrap` splits it if it is wider than one.
        let mut pieces = wrap(word, max_width, &measure);
        line = pieces.pop().unwrap_or_default();
        lines.extend(pieces.into_iter().map(|p| vec![(p, lang)]));
        runs.push((line.clone(), lang));
    }
    if !runs.is_empty() {
        lines.push(runs);
    }
    lines
}

/// [`flow`] into as few lines as fit in `max_width`, but with the lines as
/// even as possible ("Attestazione di stato / (caratteri grandi) —" rather
/// than "Attestazione di stato (caratteri / grandi) —"), as CSS
/// `text-wrap: balance` does for headings.
fn balanced(
    segments: &[(&str, Option<&'static str>)],
    max_width: f32,
    measure: impl Fn(&str) -> f32,
) -> Vec<Runs> {
    let greedy = flow(segments, max_width, &measure);
    let lines = greedy.len();
    if lines <= 1 {
        return greedy;
    }
    // The narrowest width that still gives the same number of lines, to
    // within a tenth of a point.
    let (mut narrow, mut wide) = (0.0, max_width);
    while wide - narrow > 0.1 {
        let mid = f32::midpoint(narrow, wide);
        if flow(segments, mid, &measure).len() > lines {
            narrow = mid;
        } else {
            wide = mid;
        }
    }
    flow(segments, wide, &measure)
}

/// What is drawn: a run of text, or the QR's dark modules.
enum Mark<'f> {
    Text {
        font: &'f FontPair,
        size: f32,
        /// Left end of the baseline, from the top left of the page.
        at: (f32, f32),
        text: String,
        lang: Option<&'static str>,
        /// What assistive technology and text extraction read instead of `text`.
        actual_text: Option<String>,
    },
    Qr(Path),
}

/// A mark on a page, inside one structure element (an index into `Layout::groups`).
struct Placed<'f> {
    page: usize,
    group: usize,
    mark: Mark<'f>,
}

/// The laid-out document: structure elements in reading order, and the marks
/// that fill them, each on its page.
struct Layout<'f> {
    m: Metrics,
    groups: Vec<TagGroup>,
    marks: Vec<Placed<'f>>,
    /// Outline entries as (text, group): the first is the document title and
    /// the others its children. Each points at the first line of its group.
    bookmarks: Vec<(String, usize)>,
    /// Index of the current (last) page.
    page: usize,
    /// Baseline of the next line, from the top of the page.
    y: f32,
    /// Nothing is on the current page yet, so gaps are dropped.
    at_top: bool,
    /// A line that does not fit starts a new page; otherwise it sets `overflow`.
    flow: bool,
    overflow: bool,
}

impl<'f> Layout<'f> {
    fn new(m: Metrics) -> Self {
        Self {
            m,
            groups: Vec::new(),
            marks: Vec::new(),
            bookmarks: Vec::new(),
            page: 0,
            y: m.margin,
            at_top: true,
            flow: false,
            overflow: false,
        }
    }

    /// How far down a line or the QR may reach. A page that cannot flow onto
    /// the next may use half of the bottom margin before the layout gives up
    /// (the standard page always could).
    fn bottom(&self) -> f32 {
        if self.flow {
            PAGE_H - self.m.margin
        } else {
            PAGE_H - self.m.margin / 2.0
        }
    }

    /// Adds a structure element after the others; returns its index.
    fn group(&mut self, group: TagGroup) -> usize {
        self.groups.push(group);
        self.groups.len() - 1
    }

    /// A gap of `points` scaled by the metrics, unless at the top of a page.
    fn space(&mut self, points: f32) {
        if !self.at_top {
            self.y += points * self.m.gap;
        }
    }

    /// Extra space after a paragraph.
    fn paragraph_space(&mut self) {
        if !self.at_top {
            self.y += self.m.paragraph_gap;
        }
    }

    fn new_page(&mut self) {
        self.page += 1;
        self.y = self.m.margin;
        self.at_top = true;
    }

    /// When flowing, starts a new page unless `height` more points fit on
    /// this one (keeps a heading with the first lines after it).
    fn keep(&mut self, height: f32) {
        if self.flow && !self.at_top && self.y + height > self.bottom() {
            self.new_page();
        }
    }

    /// The baseline for a line of `size` points; moves past the line.
    fn next_baseline(&mut self, size: f32) -> f32 {
        if !self.at_top && self.y + size * DESCENT > self.bottom() {
            if self.flow {
                self.new_page();
            } else {
                self.overflow = true;
            }
        }
        if self.at_top {
            self.y = self.m.margin + size;
            self.at_top = false;
        }
        let y = self.y;
        self.y += size * self.m.leading;
        y
    }

    /// One line of runs in `font` at `size`, centred or at the left margin.
    fn line(&mut self, group: usize, font: &'f FontPair, size: f32, runs: Runs, centred: bool) {
        let y = self.next_baseline(size);
        let width: f32 = runs.iter().map(|(t, _)| font.width(t, size)).sum();
        let mut x = if centred {
            (PAGE_W - width) / 2.0
        } else {
            self.m.margin
        };
        for (text, lang) in runs {
            let advance = font.width(&text, size);
            self.marks.push(Placed {
                page: self.page,
                group,
                mark: Mark::Text {
                    font,
                    size,
                    at: (x, y),
                    text,
                    lang,
                    actual_text: None,
                },
            });
            x += advance;
        }
    }

    /// A wrapped, left-aligned paragraph in one language, kept on one page
    /// when flowing (unless it is longer than a page).
    fn paragraph(&mut self, group: usize, font: &'f FontPair, size: f32, text: &str) {
        let lines = wrap(text, self.m.content_width(), |s| font.width(s, size));
        // A handful of lines per paragraph: exact in f32.
        let height = lines.len() as f32 * size * self.m.leading;
        self.keep(height);
        for line in lines {
            self.line(group, font, size, vec![(line, None)], false);
        }
    }

    /// Text made of segments in different languages (e.g. "italiano — English"):
    /// one line if it fits; otherwise shrunk to one line or wrapped, as the
    /// metrics say.
    fn mixed(
        &mut self,
        group: usize,
        font: &'f FontPair,
        size: f32,
        segments: &[(&str, Option<&'static str>)],
        centred: bool,
    ) {
        let joined: String = segments.iter().map(|(t, _)| *t).collect();
        let full = font.width(joined.trim(), size);
        let max = self.m.content_width();
        if full <= max || self.m.shrink_to_fit {
            let size = size * (max / full).min(1.0);
            for runs in flow(segments, f32::INFINITY, |s| font.width(s, size)) {
                self.line(group, font, size, runs, centred);
            }
            return;
        }
        // Wrapped, each language starts a line: "Attestazione di stato —" and
        // "Status attestation" rather than a line that switches halfway.
        for part in segments.chunk_by(|a, b| a.1 == b.1) {
            for runs in balanced(part, max, |s| font.width(s, size)) {
                self.line(group, font, size, runs, centred);
            }
        }
    }

    /// The short code, given to [`Self::mixed`] as its groups so that it can
    /// only wrap after a hyphen.
    fn code(&mut self, group: usize, font: &'f FontPair, size: f32, code: &str, centred: bool) {
        let groups: Vec<_> = code.split_inclusive('-').map(|g| (g, None)).collect();
        let first = self.marks.len();
        self.mixed(group, font, size, &groups, centred);
        // Wrapped, it is still one string: the first line carries it whole as
        // ActualText and the others an empty one, so that a screen reader and
        // copy-paste get the exact code (text extraction otherwise takes the
        // hyphen at the end of a line for a soft hyphen and drops it).
        if self.marks.len() - first > 1 {
            for (i, placed) in self.marks[first..].iter_mut().enumerate() {
                if let Mark::Text { actual_text, .. } = &mut placed.mark {
                    *actual_text = Some(if i == 0 {
                        code.to_owned()
                    } else {
                        String::new()
                    });
                }
            }
        }
    }

    /// The QR as a Figure with `alt` text, drawn as vector squares (one
    /// rectangle per horizontal run of dark modules, so the printout is
    /// sharp at any resolution). Its top edge, quiet zone included, goes
    /// slightly into the space below the previous line.
    fn qr(&mut self, alt: String, width: usize, dark: &[bool]) {
        let size = self.m.qr_size;
        let left = if self.m.centred {
            (PAGE_W - size) / 2.0
        } else {
            self.m.margin
        };
        let mut top = if self.at_top {
            self.m.margin
        } else {
            self.y - 6.0 * self.m.gap
        };
        if top + size > self.bottom() {
            if self.flow {
                self.new_page();
                top = self.m.margin;
            } else {
                self.overflow = true;
            }
        }
        // Module counts are tiny (at most 177 + 8), exact in f32.
        let module = size / (width + 2 * QR_QUIET_ZONE) as f32;
        let at = |modules: usize| modules as f32 * module;
        let mut pb = PathBuilder::new();
        for (row, col, len) in dark_runs(width, dark) {
            if let Some(rect) = Rect::from_xywh(left + at(col), top + at(row), at(len), module) {
                pb.push_rect(rect);
            }
        }
        let mut figure = Tag::Figure(Some(alt));
        if let Some(bbox) = Rect::from_xywh(left, top, size, size) {
            figure.set_bbox(Some(BBox::new(self.page, bbox)));
        }
        let group = self.group(TagGroup::new(figure));
        if let Some(path) = pb.finish() {
            self.marks.push(Placed {
                page: self.page,
                group,
                mark: Mark::Qr(path),
            });
        }
        self.y = top + size;
        self.at_top = false;
    }
}

/// "attesta.example.it/v" from "HTTPS://ATTESTA.EXAMPLE.IT/V/TOKEN": the page
/// where the operator types the short code.
///
/// The URL is upper case (for the QR's alphanumeric mode), so the host is
/// shown in lower case; a path prefix in `public_url` is lower-cased too.
fn manual_entry_address(url: &str) -> String {
    let lower = url.to_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let base = without_scheme
        .rfind("/v/")
        .map_or(without_scheme, |i| &without_scheme[..i]);
    format!("{base}/v")
}

/// The operator instructions, Italian then English.
fn instructions(address: &str) -> ([String; 3], [String; 3]) {
    (
        [
            format!(
                "1. Inquadrare il codice QR con un qualsiasi lettore di codici QR, oppure aprire \
                 {address} e digitare il codice per l'inserimento manuale."
            ),
            "2. Digitare il codice fiscale del titolare, riportato sulla sua tessera sanitaria."
                .to_owned(),
            "3. Il risultato indica soltanto se la persona rientra, alla data odierna, in almeno \
             uno dei casi elencati. Nulla viene mostrato prima che il codice fiscale corrisponda."
                .to_owned(),
        ],
        [
            format!(
                "1. Scan the QR code with any QR reader, or open {address} and type the code \
                 for manual entry."
            ),
            "2. Type the holder's codice fiscale (Italian tax code), shown on their health card \
             (tessera sanitaria)."
                .to_owned(),
            "3. The result says only whether the person falls in at least one of the listed \
             cases as of today. Nothing is shown before the codice fiscale matches."
                .to_owned(),
        ],
    )
}

const NOTE_IT: &str = "Questo codice QR è legato alla persona, non a un verbale: ogni verifica \
                       legge lo stato attuale. Il titolare può revocarlo in qualsiasi momento.";
const NOTE_EN: &str = "This QR code is tied to the person, not to a verbale (assessment report): \
                       every check reads the current status. The holder can revoke it at any time.";

/// Builds the attestation PDF (A4, PDF/UA-1, fonts embedded), in standard or
/// large print.
///
/// Generated on request and never stored, so it always shows the current
/// token; the codice fiscale is not an input and cannot appear in it.
pub fn attestation_pdf(doc: &AttestationPdf) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let layout = lay_out(doc, fonts)?;
    let title = format!("{}{TITLE_SEP}{}", layout.m.title_it, layout.m.title_en);
    let mut metadata = Metadata::new()
        .title(title)
        .language(DOC_LANG.to_owned())
        .creator("attesta".to_owned());
    let d = doc.generated_on;
    if let (Ok(year), month, day) = (u16::try_from(d.year()), u8::from(d.month()), d.day()) {
        metadata = metadata.creation_date(DateTime::new(year).month(month).day(day));
    }
    paint(layout, metadata)
}

/// Places every line and the QR for `doc`'s print size.
fn lay_out<'f>(doc: &AttestationPdf, fonts: &'f Fonts) -> Result<Layout<'f>, PdfError> {
    let m = Metrics::of(doc.print);
    let name = clean_name(doc.holder_name);
    if name.is_empty() {
        return Err(PdfError::EmptyHolderName);
    }
    if let Some(c) = name.chars().find(|c| !fonts.bold.covers(*c)) {
        return Err(PdfError::UnsupportedCharacter(c));
    }
    let (name_size, name_lines) = fit_name(&name, &m, fonts)?;
    let (qr_width, qr_dark) = qr_matrix(doc.url)?;

    let title = format!("{}{TITLE_SEP}{}", m.title_it, m.title_en);
    let alt = format!(
        "Codice QR dell'attestazione. Codice per l'inserimento manuale: {}",
        doc.short_code
    );
    let address = manual_entry_address(doc.url);
    let (steps_it, steps_en) = instructions(&address);
    let d = doc.generated_on;
    let date_it = format!(
        "Generato il {:02}/{:02}/{:04}",
        d.day(),
        u8::from(d.month()),
        d.year()
    );
    let date_en = format!(
        "Generated on {:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    );

    let mut l = Layout::new(m);

    // Title.
    let h1 = l.group(heading(1, &title, None));
    l.bookmarks.push((title, h1));
    l.mixed(
        h1,
        &fonts.bold,
        m.title,
        &[
            (m.title_it, None),
            (TITLE_SEP, None),
            (m.title_en, Some(EN)),
        ],
        m.centred,
    );
    l.space(14.0);

    // Holder.
    let holder = l.group(paragraph_group(None));
    l.mixed(
        holder,
        &fonts.regular,
        m.label,
        &[("Titolare", None), (" / ", None), ("Holder", Some(EN))],
        m.centred,
    );
    l.space(4.0);
    for line in name_lines {
        l.line(
            holder,
            &fonts.bold,
            name_size,
            vec![(line, None)],
            m.centred,
        );
    }

    l.qr(alt, qr_width, &qr_dark);
    l.space(14.0);

    // Short code.
    let code_label = l.group(paragraph_group(None));
    l.mixed(
        code_label,
        &fonts.regular,
        m.label,
        &[
            ("Codice per l'inserimento manuale", None),
            (" / ", None),
            ("Code for manual entry", Some(EN)),
        ],
        m.centred,
    );
    l.space(16.0);
    let code = l.group(paragraph_group(None));
    l.code(code, &fonts.mono, m.code, doc.short_code, m.centred);
    l.space(14.0);

    if m.instructions_on_new_page {
        // Only the name varies in length on the first page.
        if l.overflow {
            return Err(PdfError::HolderNameTooLong);
        }
        l.new_page();
        l.flow = true;
    }

    // Instructions, Italian then English.
    for (lang, head, steps) in [
        (None, "Istruzioni per l'operatore", &steps_it),
        (Some(EN), "Instructions for the operator", &steps_en),
    ] {
        // A heading is not left alone at the foot of a page.
        l.keep((m.heading + 2.0 * m.body) * m.leading + 2.0 * m.gap);
        let h2 = l.group(heading(2, head, lang));
        l.bookmarks.push((head.to_owned(), h2));
        l.mixed(h2, &fonts.bold, m.heading, &[(head, None)], false);
        l.space(2.0);
        for step in steps {
            let p = l.group(paragraph_group(lang));
            l.paragraph(p, &fonts.regular, m.body, step);
            l.paragraph_space();
        }
        l.space(8.0);
    }

    // Date and note.
    let date = l.group(paragraph_group(None));
    l.mixed(
        date,
        &fonts.regular,
        m.body,
        &[(&date_it, None), (TITLE_SEP, None), (&date_en, Some(EN))],
        false,
    );
    l.space(4.0);
    for (lang, note) in [(None, NOTE_IT), (Some(EN), NOTE_EN)] {
        let p = l.group(paragraph_group(lang));
        l.paragraph(p, &fonts.regular, m.note, note);
        l.paragraph_space();
    }
    if l.overflow {
        return Err(PdfError::HolderNameTooLong);
    }
    Ok(l)
}

/// Smallest size a holder name is shrunk to. Every name the domain accepts
/// (two names of at most 100 characters, SPEC §2) fits in three lines at it,
/// even in the widest glyphs; the names people have keep the full size.
const NAME_MIN_SIZE: f32 = 3.0;

/// The holder name's size and lines: the print size's own when the name
/// fits in [`MAX_NAME_LINES`], else shrunk step by step until it does, so
/// that an accepted name never fails to print.
fn fit_name(name: &str, m: &Metrics, fonts: &Fonts) -> Result<(f32, Vec<String>), PdfError> {
    let mut size = m.name;
    loop {
        let lines = wrap(name, m.content_width(), |s| fonts.bold.width(s, size));
        if lines.len() <= MAX_NAME_LINES {
            return Ok((size, lines));
        }
        if size <= NAME_MIN_SIZE {
            return Err(PdfError::HolderNameTooLong);
        }
        size = (size - 1.0).max(NAME_MIN_SIZE);
    }
}

/// Draws the marks page by page, each inside its structure element, and
/// writes the PDF with the validator on.
fn paint(layout: Layout, metadata: Metadata) -> Result<Vec<u8>, PdfError> {
    let Layout {
        m,
        mut groups,
        marks,
        bookmarks,
        page: last_page,
        ..
    } = layout;
    let mut document = ua_document()?;
    let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Export("invalid page size".into()))?;

    for index in 0..=last_page {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for placed in marks.iter().filter(|p| p.page == index) {
            let id = match &placed.mark {
                Mark::Text {
                    font,
                    size,
                    at: (x, y),
                    text,
                    lang,
                    actual_text,
                } => {
                    let id = surface.start_tagged(ContentTag::Span(
                        SpanTag::empty()
                            .with_lang(*lang)
                            .with_actual_text(actual_text.as_deref()),
                    ));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font.pdf.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::LeftToRight,
                    );
                    id
                }
                Mark::Qr(path) => {
                    let id = surface.start_tagged(ContentTag::Other);
                    surface.draw_path(path);
                    id
                }
            };
            surface.end_tagged();
            groups[placed.group].push(id);
        }
        surface.finish();
        page.finish();
    }

    // Each bookmark points at the top of the first line of its group.
    let destination = |group: usize| {
        marks
            .iter()
            .find(|p| p.group == group)
            .map_or((0, m.margin), |p| match p.mark {
                Mark::Text { size, at, .. } => (p.page, at.1 - size),
                Mark::Qr(_) => (p.page, m.margin),
            })
    };
    let mut outline = Outline::new();
    let mut nodes = bookmarks.into_iter().map(|(text, group)| {
        let (page, y) = destination(group);
        OutlineNode::new(text, XyzDestination::new(page, Point::from_xy(m.margin, y)))
    });
    if let Some(mut root) = nodes.next() {
        for child in nodes {
            root.push_child(child);
        }
        outline.push_child(root);
    }

    let mut tree = TagTree::new().with_lang(Some(DOC_LANG.to_owned()));
    for group in groups {
        tree.push(group);
    }
    document.set_metadata(metadata);
    document.set_outline(outline);
    document.set_tag_tree(tree);
    document.finish().map_err(export_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, print: PrintSize) -> AttestationPdf<'_> {
        AttestationPdf {
            holder_name: name,
            url: "HTTPS://ATTESTA.EXAMPLE.IT/V/5H92BJFCK058708Z5J6XC0MK3S",
            short_code: "5H92-BJFC-K058-708Z-5J6X-C0MK-3S",
            generated_on: time::macros::date!(2025 - 03 - 07),
            print,
        }
    }

    fn sample(name: &str) -> Result<Vec<u8>, PdfError> {
        attestation_pdf(&doc(name, PrintSize::Standard))
    }

    #[test]
    fn both_sizes_are_tagged_pdf_ua() {
        // Export runs krilla's PDF/UA-1 validator, so success is the first check.
        for (print, sample_path) in [
            (PrintSize::Standard, "/tmp/attesta-sample.pdf"),
            (PrintSize::Large, "/tmp/attesta-sample-large.pdf"),
        ] {
            let bytes = attestation_pdf(&doc("Mario Rossi", print)).unwrap();
            if std::env::var_os("ATTESTA_WRITE_SAMPLE_PDF").is_some() {
                std::fs::write(sample_path, &bytes).unwrap();
            }
            assert!(bytes.starts_with(b"%PDF-1.7"));
            let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
            assert!(find(b"/StructTreeRoot"), "{print:?}");
            assert!(find(b"/Marked true"), "{print:?}");
            assert!(find(b"/Lang(it-IT)"), "{print:?}");
            assert!(find(b"pdfuaid:part"), "{print:?}");
            assert!(find(b"/Outlines"), "{print:?}");
        }
    }

    #[test]
    fn large_print_metrics() {
        let m = Metrics::of(PrintSize::Large);
        let texts = [m.title, m.label, m.name, m.code, m.heading, m.body, m.note];
        assert!(texts.iter().all(|&size| size >= 18.0), "{m:?}");
        assert!(m.title >= 28.0 && m.name >= 24.0 && m.code >= 28.0);
        assert!(m.heading > m.body && m.title > m.heading);
        assert!(m.leading >= 1.5);
        assert!(m.qr_size >= 90.0 * MM);
        assert!(!m.centred && !m.shrink_to_fit && m.instructions_on_new_page);
        assert_eq!(Metrics::of(PrintSize::default()), Metrics::STANDARD);
    }

    /// The text of every line on `page`, in order.
    fn page_text(layout: &Layout, page: usize) -> String {
        layout
            .marks
            .iter()
            .filter(|p| p.page == page)
            .filter_map(|p| match &p.mark {
                Mark::Text { text, .. } => Some(text.as_str()),
                Mark::Qr(_) => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn large_print_layout() {
        let fonts = Fonts::load().unwrap();
        // Three lines of name at 26 pt: the most the first page must hold.
        let name = "Maria Addolorata Benedetta Giuseppina Dell'Orto Ferraris di Sant'Agata";
        let m = Metrics::LARGE;
        let lines = wrap(name, m.content_width(), |s| fonts.bold.width(s, m.name));
        assert_eq!(lines.len(), MAX_NAME_LINES);
        let layout = lay_out(&doc(name, PrintSize::Large), fonts).unwrap();
        assert!(!layout.overflow);
        let mut sizes = Vec::new();
        for placed in &layout.marks {
            if let Mark::Text {
                font,
                size,
                at: (x, y),
                text,
                ..
            } = &placed.mark
            {
                sizes.push(*size);
                // Left-aligned, nothing past the margins.
                assert!(*x >= m.margin - 0.01, "{text:?} at x = {x}");
                assert!(
                    x + font.width(text, *size) <= PAGE_W - m.margin + 0.01,
                    "{text:?} too wide"
                );
                assert!(
                    y + size * DESCENT <= PAGE_H - m.margin,
                    "{text:?} below the margin"
                );
            }
        }
        let smallest = sizes.iter().copied().fold(f32::INFINITY, f32::min);
        assert!(smallest >= 18.0, "smallest text is {smallest} pt");

        // Page 1: title, name, QR, code; the instructions start on page 2.
        let first = page_text(&layout, 0);
        assert!(first.contains("caratteri grandi"), "{first}");
        assert!(first.contains("Sant'Agata"), "{first}");
        assert!(first.contains("5H92-BJFC-"), "{first}");
        assert!(first.contains("C0MK-3S"), "{first}");
        assert!(!first.contains("Istruzioni"), "{first}");
        assert!(
            layout
                .marks
                .iter()
                .any(|p| p.page == 0 && matches!(p.mark, Mark::Qr(_)))
        );
        assert!(page_text(&layout, 1).starts_with("Istruzioni per l'operatore"));
        assert!(layout.page >= 1);
    }

    #[test]
    fn standard_layout_is_one_page_even_with_a_long_name() {
        let fonts = Fonts::load().unwrap();
        let name =
            "Maria Addolorata Benedetta Giuseppina Dell'Orto Ferraris di Sant'Agata ".repeat(2);
        let layout = lay_out(&doc(&name, PrintSize::Standard), fonts).unwrap();
        assert_eq!(layout.page, 0);
        assert!(!layout.overflow);
    }

    #[test]
    fn large_print_long_names() {
        let large = |name: &str| attestation_pdf(&doc(name, PrintSize::Large));
        large("Niccolò D'Annunzio-Sforza Visconti di Modrone").unwrap();
        // Fits the standard version's three lines at 16 pt, not at 26 pt.
        let long = "Maria Addolorata Benedetta Giuseppina Dell'Orto Ferraris di Sant'Agata \
                    dei Goti Montemurlo Bianchi Visconti";
        let fonts = Fonts::load().unwrap();
        let lines = |m: Metrics| wrap(long, m.content_width(), |s| fonts.bold.width(s, m.name));
        assert_eq!(lines(Metrics::STANDARD).len(), MAX_NAME_LINES);
        assert!(lines(Metrics::LARGE).len() > MAX_NAME_LINES);
        sample(long).unwrap();
        // The large print shrinks such a name rather than refusing it.
        let (size, lines) = fit_name(long, &Metrics::LARGE, fonts).unwrap();
        assert!((Metrics::STANDARD.name..Metrics::LARGE.name).contains(&size));
        assert_eq!(lines.len(), MAX_NAME_LINES);
        large(long).unwrap();
    }

    #[test]
    fn flow_keeps_languages_apart_and_breaks_codes_at_groups() {
        let measure = |s: &str| s.chars().count() as f32;
        let lines = flow(
            &[("Titolare", None), (" / ", None), ("Holder", Some(EN))],
            100.0,
            measure,
        );
        assert_eq!(
            lines,
            vec![vec![
                ("Titolare / ".to_owned(), None),
                ("Holder".to_owned(), Some(EN))
            ]]
        );
        let lines = flow(
            &[("ab cd", None), (" — ", None), ("ef gh", Some(EN))],
            7.0,
            measure,
        );
        assert_eq!(
            lines,
            vec![
                vec![("ab cd —".to_owned(), None)],
                vec![("ef gh".to_owned(), Some(EN))],
            ]
        );
        let code: Vec<_> = "AAAA-BBBB-CC"
            .split_inclusive('-')
            .map(|g| (g, None))
            .collect();
        let lines = flow(&code, 10.0, measure);
        assert_eq!(
            lines,
            vec![
                vec![("AAAA-BBBB-".to_owned(), None)],
                vec![("CC".to_owned(), None)],
            ]
        );
        assert_eq!(
            flow(&code, f32::INFINITY, measure),
            vec![vec![("AAAA-BBBB-CC".to_owned(), None)]]
        );
    }

    #[test]
    fn address_from_url() {
        assert_eq!(
            manual_entry_address("HTTPS://ATTESTA.EXAMPLE.IT/V/ABC"),
            "attesta.example.it/v"
        );
        assert_eq!(
            manual_entry_address("HTTP://LOCALHOST:8080/V/ABC"),
            "localhost:8080/v"
        );
    }

    /// The widest names the domain accepts (two of 100 characters in the
    /// widest glyphs of each script) print in both sizes.
    #[test]
    fn the_longest_accepted_names_print() {
        for c in ['W', 'Ǆ', 'Ш', 'Ω', 'm'] {
            let part: String =
                std::iter::repeat_n(c, attesta_domain::person::NAME_MAX_CHARS).collect();
            let name = format!("{part} {part}");
            sample(&name).unwrap_or_else(|e| panic!("{c}: {e}"));
            attestation_pdf(&doc(&name, PrintSize::Large)).unwrap_or_else(|e| panic!("{c}: {e}"));
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(matches!(sample(" \n"), Err(PdfError::EmptyHolderName)));
        assert!(matches!(
            sample("名前"),
            Err(PdfError::UnsupportedCharacter('名'))
        ));
        assert!(matches!(
            sample(&"Bartolomeo ".repeat(200)),
            Err(PdfError::HolderNameTooLong)
        ));
        // Accented and apostrophised Italian names are fine; so are long-ish double surnames.
        sample("Niccolò D'Annunzio-Sforza Visconti di Modrone").unwrap();
    }
}
