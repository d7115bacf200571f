//! Compares the CIS 16-event IAM pattern with the 19-event one and prints the time per
//! `relate` (with `PARTS=1`, also of its parts). `cargo run --release --example relate_cis`
fn main() {
    let p = |s: &str| cwpattern::canon::lower(&cwpattern::syntax::parse(s).expect("valid"));
    let names16 = [
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    ];
    let cis = p(&format!(
        "{{ {} }}",
        names16.map(|n| format!("($.eventName = {n})")).join(" || ")
    ));
    let more = [
        "SetDefaultPolicyVersion",
        "AddUserToGroup",
        "UpdateAssumeRolePolicy",
    ];
    let all: Vec<&str> = names16.iter().chain(more.iter()).copied().collect();
    let iam = p(&format!(
        "{{ {} }}",
        all.iter()
            .map(|n| format!("$.eventName = \"{n}\""))
            .collect::<Vec<_>>()
            .join(" || ")
    ));
    if std::env::var_os("PARTS").is_some() {
        time("matcher", || cwpattern::eval::Matcher::new(&cis));
        time("implies cis->iam", || cwpattern::logic::implies(&cis, &iam));
        time("implies iam->cis", || cwpattern::logic::implies(&iam, &cis));
    }
    time("relate", || {
        let answer = cwpattern::logic::relate(&cis, &iam);
        assert_eq!(answer.relation.name(), "subset");
    });
}

fn time<T>(label: &str, f: impl Fn() -> T) {
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < 1.0 {
        std::hint::black_box(f());
        n += 1;
    }
    println!(
        "{label}: {:.1} µs",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
