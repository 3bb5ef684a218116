//! `lakescope sync --follow`: S3 notifications through moto's SQS, delivered
//! directly and through SNS, the way SIEMs receive CloudTrail.

mod common;
mod sync_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter, QueueConfiguration,
    S3KeyFilter, TopicConfiguration,
};
use aws_sdk_sqs::types::QueueAttributeName;
use common::demo;
use sync_support::{BUCKET, INSTALL, Moto, assert_verified, lakescope, workspace};

const MALFORMED: &str = "this is not an S3 event";

/// SNS has no client in lakescope's dependencies: boto3 (installed with
/// moto) creates the topic and its SQS subscription.
fn sns_topic_to(moto: &Moto, queue_arn: &str) -> String {
    let script = "import boto3, sys\n\
sns = boto3.client('sns', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
arn = sns.create_topic(Name='lake-topic')['TopicArn']\n\
sns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint=sys.argv[2])\n\
print(arn)";
    let out = Command::new("python3")
        .args(["-c", script, &moto.endpoint, queue_arn])
        .output()
        .unwrap_or_else(|e| panic!("{INSTALL} (python3: {e})"));
    assert!(
        out.status.success(),
        "{INSTALL}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn prefix_filter(prefix: &str) -> NotificationConfigurationFilter {
    let rule = FilterRule::builder().name(FilterRuleName::Prefix).value(prefix).build();
    NotificationConfigurationFilter::builder()
        .key(S3KeyFilter::builder().filter_rules(rule).build())
        .build()
}

/// Messages in the queue, visible or not.
fn messages_in(moto: &Moto, queue: &str) -> usize {
    let sqs = moto.sqs();
    let attributes = moto
        .runtime
        .block_on(
            sqs.get_queue_attributes()
                .queue_url(queue)
                .attribute_names(QueueAttributeName::All)
                .send(),
        )
        .expect("queue attributes");
    let count = |name: QueueAttributeName| -> usize {
        attributes
            .attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    count(QueueAttributeName::ApproximateNumberOfMessages)
        + count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
}

#[test]
fn follow_fetches_objects_announced_directly_and_through_sns_and_leaves_a_malformed_message() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let (s3, sqs) = (moto.s3(), moto.sqs());
    let queue = moto
        .runtime
        .block_on(
            sqs.create_queue()
                .queue_name("lake-events")
                .attributes(QueueAttributeName::VisibilityTimeout, "1")
                .send(),
        )
        .expect("create queue")
        .queue_url()
        .expect("queue url")
        .to_string();
    let queue_arn = moto
        .runtime
        .block_on(
            sqs.get_queue_attributes()
                .queue_url(&queue)
                .attribute_names(QueueAttributeName::QueueArn)
                .send(),
        )
        .expect("queue arn")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("queue arn");
    let topic = sns_topic_to(&moto, &queue_arn);
    // Security Lake objects are announced to the queue directly, trail
    // objects through the SNS topic.
    let notifications = NotificationConfiguration::builder()
        .queue_configurations(
            QueueConfiguration::builder()
                .queue_arn(&queue_arn)
                .events(Event::from("s3:ObjectCreated:*"))
                .filter(prefix_filter("aws/"))
                .build()
                .expect("queue configuration"),
        )
        .topic_configurations(
            TopicConfiguration::builder()
                .topic_arn(&topic)
                .events(Event::from("s3:ObjectCreated:*"))
                .filter(prefix_filter("AWSLogs/"))
                .build()
                .expect("topic configuration"),
        )
        .build();
    moto.runtime
        .block_on(
            s3.put_bucket_notification_configuration()
                .bucket(BUCKET)
                .notification_configuration(notifications)
                .send(),
        )
        .expect("bucket notifications");
    moto.runtime
        .block_on(sqs.send_message().queue_url(&queue).message_body(MALFORMED).send())
        .expect("send malformed");

    let (work, dest) = workspace();
    let log_path = work.path().join("follow.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut follower = lakescope(work.path())
        .args(["sync", &format!("s3://{BUCKET}"), "--to"])
        .arg(&dest)
        .args(["--endpoint-url", &moto.endpoint, "--follow", "--sqs-queue", &queue])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start follower");

    // Announce only once the initial sync is over, so that the objects
    // really come through the queue.
    let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log_text().contains("following") {
        assert!(
            follower.try_wait().expect("poll").is_none(),
            "follower stopped: {}",
            log_text()
        );
        assert!(
            Instant::now() < deadline,
            "the initial sync did not end within 60 s: {}",
            log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A second sync into the same directory is refused while this one runs.
    let second = lakescope(work.path())
        .args(["sync", &format!("s3://{BUCKET}"), "--to"])
        .arg(&dest)
        .args(["--endpoint-url", &moto.endpoint])
        .output()
        .expect("second sync");
    assert!(!second.status.success());
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(message.contains("another lakescope sync is writing to"), "{message}");
    let lake = demo();
    let direct = "aws/VPC_FLOW/2.0/region=us-east-1/accountId=012345678901/eventDay=20240504";
    let direct = std::fs::read_dir(lake.join(direct))
        .expect("fixture partition")
        .map(|e| e.expect("entry").path())
        .next()
        .expect("a parquet file");
    let direct_key = direct
        .strip_prefix(&lake)
        .expect("inside")
        .to_string_lossy()
        .replace('\\', "/");
    let via_sns_key = "AWSLogs/444455556666/Config/ConfigWritabilityCheckFile";
    for key in [direct_key.as_str(), via_sns_key] {
        moto.put(BUCKET, key, std::fs::read(lake.join(key)).expect("fixture"));
    }

    let deadline = Instant::now() + Duration::from_secs(90);
    while !(dest.join(&direct_key).is_file() && dest.join(via_sns_key).is_file() && messages_in(&moto, &queue) == 1) {
        assert!(
            follower.try_wait().expect("poll").is_none(),
            "follower stopped: {}",
            log_text()
        );
        assert!(Instant::now() < deadline, "not followed within 90 s: {}", log_text());
        std::thread::sleep(Duration::from_millis(200));
    }
    // Each batch fetched is indexed as it comes (the event store; the
    // flow index is left for `lakescope index`).
    while !log_text().contains("flow index left for `lakescope index`") {
        assert!(Instant::now() < deadline, "the batch was not indexed: {}", log_text());
        std::thread::sleep(Duration::from_millis(200));
    }
    follower.kill().expect("stop follower");
    follower.wait().expect("reap follower");

    for key in [direct_key.as_str(), via_sns_key] {
        assert_eq!(
            std::fs::read(dest.join(key)).expect("synced"),
            std::fs::read(lake.join(key)).expect("fixture"),
            "{key}"
        );
    }
    let log = log_text();
    assert!(log.contains("left in the queue"), "{log}");
    assert!(
        log.contains(&format!("last {via_sns_key}")),
        "each object followed is logged: {log}"
    );
    assert!(log.contains("s3:TestEvent"), "test events are logged: {log}");
    // The one message left is the malformed one, untouched.
    let left = moto
        .runtime
        .block_on(sqs.receive_message().queue_url(&queue).wait_time_seconds(5).send())
        .expect("receive");
    let bodies: Vec<&str> = left.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, [MALFORMED]);
    assert_verified(work.path(), &dest);
}
