//! The real binary in a real terminal: a private tmux server per test,
//! keys sent as a user types them, the screen read back.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One private tmux server per test (its own socket), killed on drop.
pub struct Tmux {
    socket: String,
    pub home: tempfile::TempDir,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        Tmux::start_with(name, width, height, command, None)
    }

    /// Start with an optional `config.toml` in the (private) config directory.
    pub fn start_with(name: &str, width: u16, height: u16, command: &str, config: Option<&str>) -> Tmux {
        let probe = Command::new("tmux").arg("-V").output();
        assert!(
            probe.as_ref().is_ok_and(|o| o.status.success()),
            "tmux is required for this test and was not found (apt-get install tmux; .ci/run installs it)"
        );
        let home = tempfile::tempdir().unwrap();
        let tmux = Tmux {
            socket: format!("lakescope-{name}-{}", std::process::id()),
            home,
        };
        let h = tmux.home.path();
        if let Some(text) = config {
            std::fs::create_dir_all(h.join("config/lakescope")).unwrap();
            std::fs::write(h.join("config/lakescope/config.toml"), text).unwrap();
        }
        // Clean config, data and cache dirs: no user bindings, the log in the
        // temp dir, and a flat cache no other test process writes to.
        let script = format!(
            "{command}; echo EXIT=$?; stty -a > {stty}; sleep 60",
            stty = h.join("stty.txt").display()
        );
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-e",
            &format!("XDG_CONFIG_HOME={}", h.join("config").display()),
            "-e",
            &format!("XDG_DATA_HOME={}", h.join("data").display()),
            "-e",
            &format!("XDG_CACHE_HOME={}", h.join("cache").display()),
            "-e",
            "LAKESCOPE_LAKE=",
            &script,
        ]);
        assert!(out.status.success(), "tmux: {}", String::from_utf8_lossy(&out.stderr));
        tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).to_string()
    }

    pub fn flag(&self, name: &str) -> String {
        let out = self.run(&["display-message", "-p", &format!("#{{{name}}}")]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn send(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", k]);
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "waited 60 s for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// After the program ended: the normal screen, cursor, cooked mode, no mouse.
    pub fn assert_restored(&self) {
        self.wait_for("EXIT=");
        assert_eq!(self.flag("alternate_on"), "0", "still on the alternate screen");
        assert_eq!(self.flag("cursor_flag"), "1", "cursor hidden");
        assert_eq!(self.flag("mouse_any_flag"), "0", "mouse capture left on");
        let stty_path = self.home.path().join("stty.txt");
        let start = Instant::now();
        while !stty_path.exists() {
            assert!(start.elapsed() < Duration::from_secs(10), "no stty output");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        let stty = std::fs::read_to_string(&stty_path).unwrap();
        assert!(
            stty.contains(" icanon") && stty.contains(" echo "),
            "raw mode left on: {stty}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
