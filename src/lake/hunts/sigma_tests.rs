use super::*;

const RULE: &str = r#"
title: Access key created for another user
id: 6b3c1e62-0000-4000-8000-000000000001
status: experimental
description: An IAM access key created by a role session.
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: iam.amazonaws.com
    eventName|startswith: Create
    requestParameters.userName|exists: true
  filter:
    userIdentity.type: IAMUser
  condition: selection and not filter
level: high
tags:
  - attack.persistence
  - attack.t1098.001
"#;

#[test]
fn a_cloudtrail_rule_becomes_a_hunt() {
    let hunts = parse("Access Key_created", RULE).unwrap();
    let h = &hunts[0];
    assert_eq!(h.id, "sigma-access-key-created");
    assert_eq!((h.tactic.as_str(), h.technique.as_str()), ("Persistence", "T1098.001"));
    assert_eq!(h.severity, Severity::High);
    let Some(Expr::And(parts)) = &h.sigma else {
        panic!("{:?}", h.sigma)
    };
    assert_eq!(parts.len(), 2);
    assert!(matches!(&parts[1], Expr::Not(_)));
}

#[test]
fn lists_modifiers_and_fields_map_to_the_flat_shape() {
    let t = field_test(
        "eventName|contains|all",
        &yaml_serde::from_str("[Put, Policy]").unwrap(),
    )
    .unwrap();
    assert_eq!(t.field, Field::Column("operation"));
    assert_eq!((t.op, t.all, t.values.len()), (Op::Contains, true, 2));
    let t = field_test("sourceIPAddress|cidr", &yaml_serde::from_str("10.1.0.0/16").unwrap()).unwrap();
    assert_eq!(t.op, Op::Cidr(vec![(167_837_696, 167_903_231)]));
    let t = field_test("responseElements.ConsoleLogin", &Yaml::String("Success".into())).unwrap();
    assert_eq!(
        t.field,
        Field::Json {
            column: "response_json",
            path: "$.ConsoleLogin".into()
        }
    );
    let t = field_test("errorCode", &Yaml::Null).unwrap();
    assert_eq!(t.op, Op::Null);
}

#[test]
fn what_cannot_be_evaluated_exactly_is_refused_with_the_reason() {
    let refuse = |from: &str, to: &str| {
        let reasons = parse("r", &RULE.replace(from, to)).unwrap_err();
        assert_eq!(reasons.len(), 1);
        reasons.into_iter().next().unwrap()
    };
    assert!(refuse("service: cloudtrail", "service: guardduty").contains("not AWS CloudTrail"));
    assert!(refuse("eventName|startswith", "eventName|base64offset").contains("|base64offset"));
    assert!(refuse("userIdentity.type", "additionalEventData.MFAUsed").contains("is not kept apart"));
    assert!(refuse("userIdentity.type", "additionalEventData.LoginTo").contains("not in lakescope's event shape"));
    assert!(refuse("selection and not filter", "selection | count() > 5").contains("aggregations"));
    assert!(refuse("level: high", "level: urgent").contains("urgent"));
    let keywords = RULE.replace(
        "  filter:\n    userIdentity.type: IAMUser\n",
        "  filter:\n    - StopLogging\n",
    );
    assert!(parse("r", &keywords).unwrap_err()[0].contains("keyword search"));
    let ipv6 = RULE.replace("userIdentity.type: IAMUser", "sourceIPAddress|cidr: '2001:db8::/32'");
    assert!(parse("r", &ipv6).unwrap_err()[0].contains("only IPv4"));
    // Every refusal names its rule.
    assert!(refuse("level: high", "level: urgent").contains("Access key created for another user"));
}

#[test]
fn several_documents_in_one_file() {
    let two = format!("{RULE}\n---\n{}", RULE.replace("level: high", "level: low"));
    let hunts = parse("two", &two).unwrap();
    let ids: Vec<&str> = hunts.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["sigma-two", "sigma-two-2"]);
}
