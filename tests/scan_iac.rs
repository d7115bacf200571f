//! The IaC loaders against the fixtures of `corpus/scan/`: one directory per fixture, whose
//! `.tf` and `.tfvars` files are read together by `terraform::load_module` and every other
//! file through `scan::detect`. What comes out (the inventories, errors and the files that
//! are not configurations) is compared with `expected_inventory.json` in the same directory
//! (`CWPATTERN_BLESS=1` rewrites them).

mod common;

use std::path::Path;

use cwpattern::scan::{detect, terraform, Detected, Inventory, SourceFile};
use serde_json::{json, Value};

/// Everything read from one fixture directory.
fn read_fixture(dir: &Path) -> Value {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "expected_inventory.json")
        .collect();
    names.sort();
    let read = |name: &str| SourceFile {
        path: name.to_owned(),
        text: std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}")),
    };
    let is_terraform = |name: &str| name.ends_with(".tf") || name.ends_with(".tfvars");

    let mut out = serde_json::Map::new();
    let module: Vec<SourceFile> = names
        .iter()
        .filter(|n| is_terraform(n))
        .map(|n| read(n))
        .collect();
    if !module.is_empty() {
        let (inventory, errors) = terraform::load_module(&module);
        out.insert(
            "terraform_module".to_owned(),
            json!({ "inventory": inventory, "errors": errors }),
        );
    }
    let mut files = serde_json::Map::new();
    for name in names.iter().filter(|n| !is_terraform(n)) {
        let file = read(name);
        let result = match detect(&file.path, &file.text) {
            Ok(Detected::Inventory { format, inventory }) => {
                json!({ "format": format, "inventory": inventory })
            }
            Ok(Detected::TerraformSource) => json!({ "terraform_source": true }),
            Ok(Detected::Other(why)) => json!({ "other": why }),
            Err(e) => json!({ "error": e }),
        };
        files.insert(name.clone(), result);
    }
    if !files.is_empty() {
        out.insert("files".to_owned(), Value::Object(files));
    }
    Value::Object(out)
}

#[test]
fn iac_fixtures_match_their_snapshots() {
    let root = common::corpus_path("scan");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "fixtures missing in {}", root.display());
    let mut outcomes = Vec::new();
    for dir in &dirs {
        let actual = read_fixture(dir);
        let rendered = serde_json::to_string_pretty(&actual).expect("serialisable") + "\n";
        let snapshot = dir.join("expected_inventory.json");
        if common::bless() {
            std::fs::write(&snapshot, &rendered)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", snapshot.display()));
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        outcomes.push(common::Outcome {
            name: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            input: dir.display().to_string(),
            expected,
            actual: rendered,
        });
    }
    let mismatches: Vec<&common::Outcome> =
        outcomes.iter().filter(|o| o.expected != o.actual).collect();
    assert!(
        mismatches.is_empty(),
        "{}\n(CWPATTERN_BLESS=1 rewrites the snapshots)",
        common::report(&mismatches, outcomes.len())
    );
}

/// The fixtures say what they are meant to say: spot checks that do not depend on the
/// snapshots.
#[test]
fn fixtures_resolve_what_they_should() {
    let dir = common::corpus_path("scan");
    let module = |name: &str| -> Inventory {
        let dir = dir.join(name);
        let mut files: Vec<SourceFile> = std::fs::read_dir(&dir)
            .expect("fixture")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf" || x == "tfvars"))
            .map(|p| SourceFile {
                path: p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text: std::fs::read_to_string(&p).expect("readable"),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let (inventory, errors) = terraform::load_module(&files);
        assert!(errors.is_empty(), "{errors:?}");
        inventory
    };

    let cis = module("tf-cis-alarms-foreach");
    let filters: Vec<&str> = cis
        .metric_filters
        .iter()
        .map(|f| f.origin.address.as_str())
        .collect();
    assert!(filters.contains(&"aws_cloudwatch_log_metric_filter.this[\"IAMPolicyChanges\"]"));
    assert!(!filters.iter().any(|a| a.contains("OrganizationsChanges")));
    assert_eq!(cis.trails.len(), 1);
    assert_eq!(
        cis.trails[0].log_group.as_ref().and_then(|v| v.as_known()),
        Some("cis-cloudtrail")
    );
    for alarm in &cis.alarms {
        assert!(alarm
            .topics
            .iter()
            .all(|t| t.same(&cis.subscriptions[0].topic).unwrap_or(false)));
    }

    let baseline = module("tf-secure-baseline-count");
    assert_eq!(baseline.trails[0].multi_region, Some(false));
    assert_eq!(baseline.trails[0].name.as_known(), Some("org-baseline"));
}
