//! The client statement laid out for real by typst, then read back with `pdftotext`.

use pms_reports::statement::render;
use pms_reports::testing::{pdf_pages, sample_statement};
use pms_reports::LogoImage;

#[test]
fn statement_names_the_client_in_devanagari_and_shows_the_figures_in_rupees() {
    let text = pdf_pages(&render(&sample_statement(8)).unwrap()).join("\n");
    assert!(text.contains("अनन्या"), "{text}");
    assert!(text.contains("Sahyadri Capital PMS"));
    assert!(
        text.contains("Statement for 01 Jul 2025 – 30 Sep 2025"),
        "{text}"
    );
    // Opening (30 Jun), money in, closing (30 Sep), from the daily values.
    for figure in ["₹1,10,88,000.00", "₹5,00,000.00", "₹1,14,56,000.00"] {
        assert!(text.contains(figure), "{figure}: {text}");
    }
    assert!(text.contains("15.23%") && text.contains("9.87%"), "{text}");
    assert!(text.contains("Acme Finance NCD 2027"));
    assert!(
        text.contains("Data as of 04 Nov 2025 · data version 42"),
        "{text}"
    );
    assert!(text.contains("by Anand Singhania"));
}

#[test]
fn every_page_carries_its_number_and_the_disclaimer() {
    let pages = pdf_pages(&render(&sample_statement(300)).unwrap());
    assert!(
        pages.len() >= 3,
        "300 transactions run over several pages: {}",
        pages.len()
    );
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {}", i + 1, pages.len())),
            "page {}: {page}",
            i + 1
        );
        assert!(
            page.contains("Past performance does not guarantee future returns."),
            "page {}",
            i + 1
        );
    }
}

#[test]
fn the_firms_logo_is_drawn_and_a_damaged_one_is_left_out_rather_than_failing_the_statement() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#1f4e79"/></svg>"##;
    let damaged = b"\x89PNG\r\n\x1a\nnot really a picture".to_vec();
    for logo in [
        LogoImage::from_mime(svg.to_vec(), "image/svg+xml"),
        LogoImage::from_mime(damaged, "image/png"),
    ] {
        let mut inputs = sample_statement(8);
        inputs.meta.logo = logo;
        let pages = pdf_pages(&render(&inputs).expect("a statement"));
        assert!(pages[0].contains("Sahyadri Capital PMS"));
    }
    assert!(LogoImage::from_mime(vec![1, 2, 3], "image/x-icon").is_none());
}
