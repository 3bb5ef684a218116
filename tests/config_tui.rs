//! The AWS Config resource view, driven by keys on the demo lake: from an
//! event to the resource, the change's likely cause and its actor, the
//! graph walk with breadcrumb and back/forward, the window keys.

mod tui_support;

use lakescope::tui::screens::config::ConfigScreen;
use lakescope::tui::screens::config::Pane;
use lakescope::tui::screens::events::EventsScreen;
use lakescope::tui::screens::timeline::TimelineScreen;
use tui_support::{Harness, demo, truth};

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

/// Events view cursor onto the row whose operation is `op`.
fn events_cursor_to(h: &mut Harness, op: &str) {
    h.keys("g");
    for _ in 0..200 {
        if let Some(e) = h.app.screen::<EventsScreen>()
            && e.selected().and_then(|r| r.operation.as_deref()) == Some(op)
        {
            return;
        }
        h.keys("j");
    }
    panic!("no {op} row:\n{}", h.screen());
}

fn config_view(h: &Harness) -> &ConfigScreen {
    match h.app.screen::<ConfigScreen>() {
        Some(c) => c,
        None => panic!("not the Config view: {}", h.title()),
    }
}

/// Operations of the events pane marked likely, with their actors.
fn likely(h: &Harness) -> Vec<(String, String)> {
    config_view(h)
        .selected_causes()
        .map(|c| {
            c.likely()
                .map(|e| (e.operation.clone().unwrap_or_default(), e.actor.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn from_the_event_to_the_change_and_its_actor() {
    let t = truth();
    let sg = &t["intrusion"]["security_group_change"];
    let group = sg["group_id"].as_str().unwrap();
    let actor = sg["actor_arn"].as_str().unwrap();
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("events resource={group}"));
    events_cursor_to(&mut h, "AuthorizeSecurityGroupIngress");
    h.keys("c");
    assert_eq!(h.title(), format!("Config AWS::EC2::SecurityGroup {group} (bastion)"));
    // The view lands on the change with a likely cause: the captured opening.
    let view = config_view(&h);
    let capture = view.selected_causes().and_then(|c| c.capture).map(|c| c.to_string());
    assert_eq!(capture.as_deref(), sg["config_capture_time"].as_str());
    assert_eq!(
        likely(&h),
        [("AuthorizeSecurityGroupIngress".to_string(), actor.to_string())]
    );
    let screen = h.screen();
    assert!(screen.contains("★ -42s"), "{screen}");
    assert!(screen.contains("+ configuration.ipPermissions[1]"), "{screen}");
    // Up to the discovery: nothing caused it in this lake's window.
    h.keys("k");
    assert!(likely(&h).is_empty());
    h.keys("j");
    // Into the events pane, enter: the actor's dossier; back returns intact.
    h.keys("tab enter");
    assert_eq!(h.title(), format!("Dossier {actor}"));
    h.keys("backspace");
    assert_eq!(config_view(&h).focus, Pane::Events);
    assert_eq!(likely(&h).len(), 1);
}

#[test]
fn graph_walk_breadcrumb_back_and_forward() {
    let t = truth();
    let group = t["intrusion"]["security_group_change"]["group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("resource {group}"));
    h.keys("c");
    assert!(h.title().starts_with("Config AWS::EC2::SecurityGroup"), "{}", h.title());
    // Focus the relationships (tab twice), go to the VPC and open it.
    h.keys("tab tab j");
    let node = config_view(&h).selected_node().cloned().unwrap();
    assert_eq!(node.relationship.as_deref(), Some("Is contained in"));
    let vpc = node.resource_id.unwrap();
    h.keys("enter");
    assert_eq!(h.title(), format!("Config AWS::EC2::VPC {vpc}"));
    assert_eq!(config_view(&h).trail, std::slice::from_ref(&group));
    assert!(h.screen().contains(&format!("{group} › {vpc}")));
    // The VPC contains the group we came from: unfold shows it, and the
    // group's own relationships lead back to the VPC as a cycle.
    h.keys("tab tab");
    let screen = h.screen();
    assert!(screen.contains(&format!("Contains SecurityGroup {group}")), "{screen}");
    h.keys("backspace");
    assert!(h.title().contains(&group));
    h.keys("ctrl-f");
    assert_eq!(h.title(), format!("Config AWS::EC2::VPC {vpc}"));
    // Fold and unfold the VPC's subtree.
    let shown = config_view(&h).visible_nodes().len();
    h.keys("g left");
    assert_eq!(config_view(&h).visible_nodes().len(), 1);
    h.keys("l");
    assert_eq!(config_view(&h).visible_nodes().len(), shown);
}

#[test]
fn window_keys_and_the_dossier_resource_row() {
    let t = truth();
    let bucket = &t["intrusion"]["bucket_policy_change"];
    let actor = bucket["actor_arn"].as_str().unwrap();
    let name = bucket["bucket"].as_str().unwrap();
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("actor {actor}"));
    h.cursor_to(name);
    h.keys("c");
    assert_eq!(h.title(), format!("Config AWS::S3::Bucket {name}"));
    assert_eq!(likely(&h), [("PutBucketPolicy".to_string(), actor.to_string())]);
    let count = |h: &Harness| config_view(h).selected_causes().map_or(0, |c| c.events.len());
    assert_eq!(
        count(&h),
        3,
        "PutBucketPolicy, GetObject and GetBucketPolicy within 15 min"
    );
    // Zoom in (+) narrows the window, 15 → 5 minutes: the GetBucketPolicy
    // 5m20s before the capture drops out; zoom out (-) widens it again.
    h.keys("+ +");
    assert_eq!(config_view(&h).window_ms, 5 * 60_000);
    assert_eq!(count(&h), 2);
    h.keys("-");
    assert_eq!(count(&h), 3);
    // t: the resource's timeline, by ARN, split by actor.
    let arn = bucket["arn"].as_str().unwrap();
    h.keys("t");
    assert_eq!(h.title(), format!("Timeline resource={arn}"));
    assert!(h.screen().contains("lanes: actor"), "{}", h.screen());
    let Some(v) = h.app.screen::<TimelineScreen>() else {
        panic!("a timeline")
    };
    let lanes = &v.timeline.as_ref().expect("loaded").lanes;
    assert!(
        lanes.iter().any(|l| l.name.as_deref() == Some(actor)),
        "the actor who changed the policy has a lane: {lanes:?}"
    );
    // e: the resource's events, by ARN.
    h.keys("backspace e");
    assert_eq!(h.title(), format!("Events resource={arn}"));
}

/// The resource view of the security group on its opening, at both sizes.
#[test]
fn resource_view_snapshots() {
    let t = truth();
    let group = t["intrusion"]["security_group_change"]["group_id"]
        .as_str()
        .unwrap()
        .to_string();
    for (w, h_) in [(120, 40), (80, 24)] {
        let mut h = Harness::open(&demo(), w, h_);
        command(&mut h, &format!("resource {group}"));
        h.keys("c");
        insta::assert_snapshot!(format!("resource_sg_{w}x{h_}"), h.snapshot_text());
        // The relationships pane focused and the VPC unfolded one more level.
        h.keys("tab tab j l");
        insta::assert_snapshot!(format!("resource_sg_graph_{w}x{h_}"), h.snapshot_text());
    }
}

/// Real published items: an instance's lifecycle, on its stop (ec2.3).
#[test]
fn real_instance_snapshot() {
    let mut h = Harness::open(&tui_support::real("config-items"), 120, 40);
    command(&mut h, "resource i-0a763ac3ee37d8d2b");
    h.keys("c");
    assert_eq!(h.title(), "Config AWS::EC2::Instance i-0a763ac3ee37d8d2b");
    assert_eq!(config_view(&h).items_len(), 5);
    // From the last item (terminated) up to the stop before it.
    h.keys("G k");
    insta::assert_snapshot!("resource_real_instance_120x40", h.snapshot_text());
}

/// `:config ID` opens the resource view directly, named by id or by ARN.
#[test]
fn the_config_command_opens_a_resource_by_id_or_arn() {
    let t = truth();
    let sg = &t["intrusion"]["security_group_change"];
    let group = sg["group_id"].as_str().unwrap();
    let bucket = &t["intrusion"]["bucket_policy_change"];
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("config {group}"));
    assert!(
        h.title()
            .starts_with(&format!("Config AWS::EC2::SecurityGroup {group}")),
        "{}",
        h.title()
    );
    assert!(config_view(&h).items_len() > 1, "{}", h.screen());
    command(&mut h, &format!("config {}", bucket["arn"].as_str().unwrap()));
    assert_eq!(
        h.title(),
        format!("Config AWS::S3::Bucket {}", bucket["bucket"].as_str().unwrap())
    );
    command(&mut h, "config no-such-resource-0000");
    assert!(h.screen().contains("no-such-resource-0000"), "{}", h.screen());
    h.keys("backspace");
    assert!(h.title().starts_with("Config AWS::S3::Bucket"), "{}", h.title());
}
