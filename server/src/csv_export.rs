//! CSV that people open in a spreadsheet: every text cell neutralised so a formula cannot run,
//! and the problems of a load that did not succeed, which the errors download and the drop
//! folder's `rejected/` both write.

use pms_domain::ingest::IngestErrorView;
use pms_ingest::load::LoadOutcome;
use pms_store::Db;

/// A cell a spreadsheet would run as a formula (`=`, `+`, `@`, or `-` not starting a number)
/// gets a leading apostrophe, so opening the download in Excel cannot execute anything. Every
/// CSV download writes its text cells through this one function.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell.parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The problems of a rejected load as CSV: `line,column,value,reason`.
pub fn errors_csv(errors: &[IngestErrorView]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(64 + errors.len() * 96));
    let mut write = |fields: [&str; 4]| {
        // Writing to a Vec cannot fail for I/O reasons; a failure would only drop that row.
        if let Err(e) = out.write_record(fields.iter().map(|f| neutralise(f).into_owned())) {
            tracing::warn!(error = %e, "cannot write a row of the errors CSV");
        }
    };
    write(["line", "column", "value", "reason"]);
    for e in errors {
        let line = e.line.map(|l| l.to_string()).unwrap_or_default();
        write([
            &line,
            e.column.as_deref().unwrap_or_default(),
            e.value.as_deref().unwrap_or_default(),
            &e.reason,
        ]);
    }
    out.into_inner().unwrap_or_default()
}

/// The problems of a load that did not succeed, for a CSV: the stored row errors of a rejected
/// load, or the failure message of a failed one.
pub async fn problems(db: &Db, outcome: &LoadOutcome) -> Vec<IngestErrorView> {
    match outcome {
        LoadOutcome::Succeeded { .. } => Vec::new(),
        LoadOutcome::Rejected {
            job_id,
            first_errors,
            ..
        } => match db.all_ingest_errors(*job_id).await {
            Ok(errors) => errors,
            Err(e) => {
                tracing::warn!(job = job_id, error = %e, "cannot read the stored row errors; writing the first ones");
                first_errors
                    .iter()
                    .enumerate()
                    .map(|(i, e)| IngestErrorView {
                        seq: i as i32 + 1,
                        line: e.line.map(|l| l as i64),
                        column: e.column.clone(),
                        value: e.value.clone(),
                        reason: e.reason.clone(),
                    })
                    .collect()
            }
        },
        LoadOutcome::Failed { message, .. } => vec![IngestErrorView {
            seq: 1,
            line: None,
            column: None,
            value: None,
            reason: message.clone(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_errors_csv_quotes_and_defuses_formulas() {
        let csv = errors_csv(&[
            IngestErrorView {
                seq: 1,
                line: Some(3),
                column: Some("AMOUNT".into()),
                value: Some("=HYPERLINK(\"x\")".into()),
                reason: "not a number, e.g. 1,234.50".into(),
            },
            IngestErrorView {
                seq: 2,
                line: None,
                column: None,
                value: Some("-12.5".into()),
                reason: "file".into(),
            },
        ]);
        let text = String::from_utf8(csv).expect("utf-8");
        assert_eq!(
            text,
            "line,column,value,reason\n3,AMOUNT,\"'=HYPERLINK(\"\"x\"\")\",\"not a number, e.g. 1,234.50\"\n,,-12.5,file\n"
        );
    }
}
