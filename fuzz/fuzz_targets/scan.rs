//! Any file content (JSON, YAML, HCL, garbage) → `scan::detect` / `terraform::load_module`
//! never panic or hang, and the chain and SARIF over whatever was read stay consistent: one
//! finding per rule, one SARIF result per finding.
#![no_main]

use cwpattern::scan::{chain, detect, sarif, terraform, Detected, ScanOptions, SourceFile};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["input.json", "template.yaml", "main.tf", "terraform.tfvars", "notes"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let path = NAMES[pick as usize % NAMES.len()];
    let mut inventory = match detect(path, &text) {
        Ok(Detected::Inventory { inventory, .. }) => inventory,
        Ok(Detected::TerraformSource) => {
            let files = [SourceFile { path: path.to_owned(), text }];
            terraform::load_module(&files).0
        }
        Ok(Detected::Other(_)) | Err(_) => return,
    };
    inventory.finish();
    let options = ScanOptions {
        rules: vec!["iam-policy-changes".into(), "root-account-usage".into()],
        ..ScanOptions::default()
    };
    let findings = chain::evaluate("fuzz", &inventory, &options).expect("the rules exist");
    assert_eq!(findings.len(), 2);
    let log = sarif::report(&findings, "0");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(2));
});
