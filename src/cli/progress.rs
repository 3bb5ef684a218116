//! A spinner on stderr (terminals only: indicatif hides it otherwise)
//! while a command's first query converts raw CloudTrail into the flat
//! cache, saying how far the conversion is.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::lake::Lake;

pub struct ConversionProgress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConversionProgress {
    /// Nothing when stderr is not a terminal: scripts get clean stderr.
    pub fn start(lake: &Lake) -> Option<ConversionProgress> {
        let target = ProgressDrawTarget::stderr();
        if target.is_hidden() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, lake) = (stop.clone(), lake.clone());
        let thread = std::thread::Builder::new()
            .name("lakescope-progress".into())
            .spawn(move || {
                let spinner = ProgressBar::with_draw_target(None, target);
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                    spinner.set_style(style);
                }
                let mut shown = false;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    // The spinner shows only once there is a conversion to follow.
                    if let Some(c) = lake.conversion() {
                        if !shown {
                            spinner.enable_steady_tick(Duration::from_millis(120));
                            shown = true;
                        }
                        spinner.set_message(crate::text::sanitize(&c.describe()));
                    }
                }
                spinner.finish_and_clear();
            })
            .ok()?;
        Some(ConversionProgress {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for ConversionProgress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
