//! Built-in hunts over the real published samples of `../shared/data/real`
//! (never skipped: without the folder these fail and say so). Every hit is
//! listed with what in the sample explains it.

mod common;

use lakescope::lake::hunts::{self, library};
use lakescope::lake::{Lake, Scope};

fn real_hits(sample: &str) -> Vec<String> {
    let lake = Lake::open(&common::real(sample)).unwrap();
    let report = hunts::run(
        &lake.session().unwrap(),
        &Scope::default(),
        &library::built_in().unwrap(),
    )
    .unwrap();
    let mut ids: Vec<String> = report.hits.iter().map(|h| format!("{} {}", h.id, h.events)).collect();
    ids.sort();
    ids
}

#[test]
fn hunts_over_a_stratus_red_team_run_hit_its_techniques() {
    // Invictus IR's trail of one Stratus Red Team run (2023-07-10).
    assert_eq!(
        real_hits("invictus-aws"),
        [
            // ec2-get-password-data and ec2-get-user-data: many denied calls in a loop.
            "access-denied-burst 44",
            // persistence.iam-create-admin-user / iam-backdoor-user attach AdministratorAccess.
            "admin-policy-attached 2",
            // The runner's user signs in to the console without MFA (`MFAUsed: No`); the
            // analyst's own sign-in used MFA (`MFAUsed: Yes`, an MFA device) and is not a hit.
            "console-login-without-mfa 1",
            // iam-create-backdoor-user / create-admin-user: keys and a password for new users.
            "credentials-for-another-user 4",
            // discovery techniques list users, roles and policies: 65 of the listing calls
            // fall in five minutes holding five different calls (a page asked again does
            // not count twice).
            "iam-enumeration-burst 65",
            // defense-evasion: cloudtrail-stop, -delete, -event-selectors, vpc-remove-flow-logs.
            "logging-tampering 5",
            // credential-access.secretsmanager-retrieve-secrets reads every secret: 126 reads
            // fall in ten minutes holding twenty different secrets read.
            "secret-read-burst 126",
            // exposure: ec2-security-group-open-port-22-ingress.
            "security-group-open-to-world 2",
            // exfiltration: ec2-share-ami, ec2-share-ebs-snapshot, rds-share-snapshot (the
            // un-sharing calls that clean up are not hits). The s3-backdoor-bucket-policy
            // grants another account, which is not "public": no bucket-made-public hit.
            "snapshot-shared 3",
        ]
    );
}

#[test]
fn hunts_run_over_the_other_real_samples() {
    // Security Lake's validation samples: one row per event class, a few
    // days apart, from placeholder identities; "new" sightings come from
    // their spread in time. Of the two successful sign-ins, the one with MFA
    // (ConsoleLogin-mfa) is not a hit.
    assert_eq!(
        real_hits("asl-ocsf-validation/samples"),
        [
            "access-key-from-new-network 2",
            "console-login-without-mfa 1",
            "new-region 5"
        ]
    );
    // OTRF's stolen instance credentials are used from the instance's only
    // (sanitised) address within 15 minutes: no first day to call a habit.
    assert_eq!(real_hits("otrf-aws"), Vec::<String>::new());
}
