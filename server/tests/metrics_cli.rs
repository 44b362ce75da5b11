//! `pms-hub metrics eval FILE` prints the reference document with every `expected` computed by
//! the library: same ids and keys, `null` where undefined, values within the golden tolerance.

use std::process::Command;

use serde_json::Value;

fn close(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            let ok = (e - a).abs() <= 1e-12 || (e - a).abs() <= 1e-9 * e.abs().max(a.abs());
            assert!(ok, "{path}: expected {e}, computed {a}");
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: lengths");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                close(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            assert_eq!(
                e.keys().collect::<Vec<_>>(),
                a.keys().collect::<Vec<_>>(),
                "{path}: keys"
            );
            for (k, x) in e {
                close(x, &a[k], &format!("{path}.{k}"));
            }
        }
        (e, a) => assert_eq!(e, a, "{path}"),
    }
}

#[test]
fn eval_reproduces_the_golden_file() {
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/metrics/tests/data/golden-metrics.json"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_pms-hub"))
        .args(["metrics", "eval", golden])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let computed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(golden).unwrap()).unwrap();
    close(&reference, &computed, "$");
}

#[test]
fn eval_explains_a_file_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{ not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pms-hub"))
        .args(["metrics", "eval"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid JSON"));
}
