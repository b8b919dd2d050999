//! A tagged text document (PDF/UA-1, the kit in `pdf_ua.rs`): a title, then
//! sections of a heading and paragraphs, flowing over as many A4 pages as
//! they need. The operators' tutorial (`GET /v/guide.pdf`) is printed with
//! it, in the language of the request; the words come from the caller.
//!
//! As for the attestation, the layout is computed first (the page and
//! position of every line) and painted afterwards, because a krilla page
//! borrows the document while it is drawn.

use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{ContentTag, SpanTag, TagGroup, TagTree};
use krilla::text::TextDirection;

use crate::pdf_ua::{
    FontPair, Fonts, MM, PdfError, export_error, heading, paragraph_group, ua_document, wrap,
};

const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 20.0 * MM;
const TITLE: f32 = 20.0;
const HEADING: f32 = 14.0;
const BODY: f32 = 11.0;
const LEADING: f32 = 1.4;

/// One section: a heading (H2) and its paragraphs (P).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// What a text document says, and in which language (`"it"`, `"en"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDocument {
    pub title: String,
    pub lang: String,
    /// Paragraphs under the title, before the first section.
    pub intro: Vec<String>,
    pub sections: Vec<TextSection>,
}

struct Line<'f> {
    page: usize,
    group: usize,
    font: &'f FontPair,
    size: f32,
    y: f32,
    text: String,
}

struct Flow<'f> {
    groups: Vec<TagGroup>,
    lines: Vec<Line<'f>>,
    /// (text, group): the outline's entries, the title first.
    bookmarks: Vec<(String, usize)>,
    page: usize,
    y: f32,
}

impl<'f> Flow<'f> {
    fn group(&mut self, g: TagGroup) -> usize {
        self.groups.push(g);
        self.groups.len() - 1
    }

    /// A block of wrapped lines, kept on one page when it fits on one.
    fn block(&mut self, group: usize, font: &'f FontPair, size: f32, text: &str, after: f32) {
        let width = PAGE_W - 2.0 * MARGIN;
        let lines = wrap(text, width, |s| font.width(s, size));
        // A few lines per block: exact in f32.
        let height = lines.len() as f32 * size * LEADING;
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN + size {
            self.page += 1;
            self.y = MARGIN;
        }
        for text in lines {
            if self.y + size > PAGE_H - MARGIN {
                self.page += 1;
                self.y = MARGIN;
            }
            let y = self.y + size;
            self.lines.push(Line {
                page: self.page,
                group,
                font,
                size,
                y,
                text,
            });
            self.y += size * LEADING;
        }
        self.y += after;
    }
}

/// Places every line of `doc` on its page.
fn lay_out<'f>(doc: &TextDocument, fonts: &'f Fonts) -> Flow<'f> {
    let mut flow = Flow {
        groups: Vec::new(),
        lines: Vec::new(),
        bookmarks: Vec::new(),
        page: 0,
        y: MARGIN,
    };
    let g = flow.group(heading(1, &doc.title, None));
    flow.bookmarks.push((doc.title.clone(), g));
    flow.block(g, &fonts.bold, TITLE, &doc.title, 8.0);
    for p in &doc.intro {
        let g = flow.group(paragraph_group(None));
        flow.block(g, &fonts.regular, BODY, p, 5.0);
    }
    for section in &doc.sections {
        flow.y += 6.0;
        let g = flow.group(heading(2, &section.heading, None));
        flow.bookmarks.push((section.heading.clone(), g));
        // Keep a heading with the start of what follows it.
        if flow.y + HEADING + 3.0 * BODY * LEADING > PAGE_H - MARGIN {
            flow.page += 1;
            flow.y = MARGIN;
        }
        flow.block(g, &fonts.bold, HEADING, &section.heading, 3.0);
        for p in &section.paragraphs {
            let g = flow.group(paragraph_group(None));
            flow.block(g, &fonts.regular, BODY, p, 5.0);
        }
    }
    flow
}

/// The document as a tagged PDF: H1 title, H2 headings, P paragraphs, all
/// in `doc.lang`, with an outline of the headings and the title in the
/// metadata; the export fails rather than break a PDF/UA-1 rule.
pub fn text_pdf(doc: &TextDocument) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let flow = lay_out(doc, fonts);
    for line in &flow.lines {
        if let Some(c) = line.text.chars().find(|&c| !line.font.covers(c)) {
            return Err(PdfError::UnsupportedCharacter(c));
        }
    }

    let Flow {
        mut groups,
        lines,
        bookmarks,
        page: last_page,
        ..
    } = flow;
    let mut document = ua_document()?;
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Export("invalid page size".into()))?;
    for index in 0..=last_page {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for line in lines.iter().filter(|l| l.page == index) {
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(
                Point::from_xy(MARGIN, line.y),
                line.font.pdf.clone(),
                line.size,
                &line.text,
                false,
                TextDirection::LeftToRight,
            );
            surface.end_tagged();
            groups[line.group].push(id);
        }
        surface.finish();
        page.finish();
    }

    let mut outline = Outline::new();
    let mut nodes = bookmarks.into_iter().map(|(text, group)| {
        let (page, y) = lines
            .iter()
            .find(|l| l.group == group)
            .map_or((0, MARGIN), |l| (l.page, l.y - l.size));
        OutlineNode::new(text, XyzDestination::new(page, Point::from_xy(MARGIN, y)))
    });
    if let Some(mut root) = nodes.next() {
        for child in nodes {
            root.push_child(child);
        }
        outline.push_child(root);
    }
    let mut tree = TagTree::new().with_lang(Some(doc.lang.clone()));
    for group in groups {
        tree.push(group);
    }
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.lang.clone())
            .creator("attesta".to_owned()),
    );
    document.set_outline(outline);
    document.set_tag_tree(tree);
    document.finish().map_err(export_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_doc() -> TextDocument {
        TextDocument {
            title: "Tutorial per operatori".into(),
            lang: "it".into(),
            intro: vec!["Come si verifica un QR.".into()],
            sections: (1..=12)
                .map(|i| TextSection {
                    heading: format!("Sezione {i}"),
                    paragraphs: vec!["Una frase abbastanza lunga da andare a capo più volte sulla pagina, così che il documento occupi più di una pagina. ".repeat(3); 2],
                })
                .collect(),
        }
    }

    #[test]
    fn a_long_document_flows_over_pages_and_is_tagged() {
        let pdf = text_pdf(&long_doc()).unwrap();
        let find = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(pdf.starts_with(b"%PDF"));
        assert!(find(b"/StructTreeRoot"));
        assert!(find(b"/Outlines"));
        assert!(find(b"/Lang"));
        let fonts = Fonts::load().unwrap();
        let flow = lay_out(&long_doc(), fonts);
        assert!(flow.page >= 1, "more than one page: {}", flow.page + 1);
        for l in &flow.lines {
            assert!(l.y <= PAGE_H - MARGIN, "{} below the margin", l.text);
        }
        // Every line's group is a heading or paragraph in reading order.
        assert!(flow.lines.windows(2).all(|w| w[0].group <= w[1].group));
    }

    #[test]
    fn an_unprintable_character_is_refused() {
        let mut doc = long_doc();
        doc.intro.push("\u{10FFFF}".into());
        assert!(matches!(
            text_pdf(&doc),
            Err(PdfError::UnsupportedCharacter(_))
        ));
    }
}
