//! A one-line progress display on stderr (terminals only) while a command's
//! first query converts raw CloudTrail into the flat cache.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::lake::Lake;

pub struct ConversionProgress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConversionProgress {
    /// Nothing when stderr is not a terminal: scripts get clean stderr.
    pub fn start(lake: &Lake) -> Option<ConversionProgress> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, lake) = (stop.clone(), lake.clone());
        let thread = std::thread::Builder::new()
            .name("lakescope-progress".into())
            .spawn(move || {
                let started = Instant::now();
                let mut shown = false;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if let Some(c) = lake.conversion() {
                        let line = format!("⟳ {} ({:.0}s)", c.describe(), started.elapsed().as_secs_f32());
                        let _ = write!(std::io::stderr(), "\r\x1b[2K{}", crate::text::sanitize(&line));
                        shown = true;
                    }
                }
                if shown {
                    let _ = write!(std::io::stderr(), "\r\x1b[2K");
                }
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
