//! Follow mode: long-poll an SQS queue of S3 notifications and fetch each
//! announced object. A message is deleted only once every object it names is
//! on disk (or needs nothing); a malformed one stays in the queue for its
//! redrive policy, and the loop goes on.

use aws_sdk_sqs::types::Message;

use super::client::describe;
use super::notify::{Announced, Notice, parse};
use super::{Mirror, Observer, SyncError, download, plan};

/// Seconds a receive call waits for messages (the SQS maximum).
const WAIT_SECONDS: i32 = 20;
/// Pause after a receive that failed once the queue was known to work.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

impl Mirror {
    /// Run until the process is stopped. A first receive that fails (a wrong
    /// queue URL, no permission) is an error; later failures, past the SDK's
    /// own retries, are logged and retried after a pause.
    pub async fn follow(
        &mut self,
        sqs: &aws_sdk_sqs::Client,
        queue_url: &str,
        observer: &dyn Observer,
    ) -> Result<(), SyncError> {
        observer.note(&format!("following {queue_url}"));
        let mut received_once = false;
        loop {
            let output = sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(WAIT_SECONDS)
                .send()
                .await;
            let output = match output {
                Ok(output) => output,
                Err(err) => {
                    let error = SyncError::Sqs {
                        operation: "ReceiveMessage",
                        message: describe(&err),
                    };
                    if !received_once {
                        return Err(error);
                    }
                    observer.note(&format!("{error}; trying again in {RETRY_PAUSE:?}"));
                    tokio::time::sleep(RETRY_PAUSE).await;
                    continue;
                }
            };
            received_once = true;
            let mut fetched = 0;
            for message in output.messages() {
                let (done, objects) = self.handle(message, observer).await;
                fetched += objects;
                if done {
                    delete(sqs, queue_url, message, observer).await;
                }
            }
            if fetched > 0 {
                observer.batch_fetched(fetched);
            }
        }
    }

    /// Handle one message: may it be deleted, and how many objects were fetched.
    async fn handle(&mut self, message: &Message, observer: &dyn Observer) -> (bool, usize) {
        let id = message.message_id().unwrap_or("?");
        match parse(message.body().unwrap_or_default()) {
            Notice::Malformed(why) => {
                observer.note(&format!("message {id}: {why}; left in the queue"));
                (false, 0)
            }
            Notice::Nothing(what) => {
                observer.note(&format!("message {id}: {what}, nothing to fetch"));
                (true, 0)
            }
            Notice::Created(objects) => {
                let (mut done, mut fetched) = (true, 0);
                for object in &objects {
                    match self.fetch_announced(object, observer).await {
                        Ok(true) => fetched += 1,
                        Ok(false) => {}
                        Err(err) => {
                            observer.failed(&object.key, &err);
                            done = false;
                        }
                    }
                }
                if !done {
                    observer.note(&format!("message {id}: kept for another try"));
                }
                (done, fetched)
            }
        }
    }

    /// Fetch one announced object: true when it was written.
    async fn fetch_announced(&mut self, object: &Announced, observer: &dyn Observer) -> Result<bool, SyncError> {
        let o = &self.options;
        let relative = object
            .key
            .strip_prefix(o.root.as_str())
            .filter(|_| object.bucket == o.bucket)
            .filter(|rel| plan::selects(rel, &o.filter));
        let Some(relative) = relative else {
            observer.note(&format!("s3://{}/{} is outside this sync", object.bucket, object.key));
            return Ok(false);
        };
        let Some((slash, path)) = self.local(relative) else {
            observer.note(&format!(
                "refused key {:?}: it would land outside the directory",
                object.key
            ));
            return Ok(false);
        };
        let duplicate = match (&object.etag, object.size) {
            (Some(etag), Some(size)) => self.is_current(&slash, size, etag, &path),
            // A CloudTrail notice has no ETag; its log files never change.
            _ => self.manifest.get(&slash).is_some() && path.is_file(),
        };
        if duplicate {
            observer.note(&format!("{} already fetched", object.key));
            return Ok(false);
        }
        let fetched = download::fetch(&self.s3, &o.bucket, &object.key, &path, &self.tmp).await?;
        let bytes = fetched.size;
        self.record(&object.key, slash, fetched)?;
        observer.fetched(&object.key, bytes);
        Ok(true)
    }
}

async fn delete(sqs: &aws_sdk_sqs::Client, queue_url: &str, message: &Message, observer: &dyn Observer) {
    let Some(receipt) = message.receipt_handle() else {
        return;
    };
    let result = sqs
        .delete_message()
        .queue_url(queue_url)
        .receipt_handle(receipt)
        .send()
        .await;
    // Not fatal: the message comes back and is then a duplicate.
    if let Err(err) = result {
        observer.note(&format!("cannot delete message: {}", describe(&err)));
    }
}
