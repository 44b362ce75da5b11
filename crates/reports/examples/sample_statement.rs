//! Writes the sample statement to a file, for working on the template:
//! `cargo run -p pms-reports --features test-support --example sample_statement -- out.pdf [transactions]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "statement.pdf".into());
    let transactions = args.next().map(|n| n.parse()).transpose()?.unwrap_or(40);
    let started = std::time::Instant::now();
    let pdf =
        pms_reports::statement::render(&pms_reports::testing::sample_statement(transactions))?;
    std::fs::write(&out, &pdf)?;
    println!("{out}: {} bytes in {:?}", pdf.len(), started.elapsed());
    Ok(())
}
