//! Where the time of an analysis goes: stage timings with the process's CPU time and
//! resident memory, on standard error, when the environment variable `DEDUP_TRACE` is
//! set.

/// Stage timings on standard error when the environment variable `DEDUP_TRACE` is
/// set: where the time of an analysis goes, on a user's own data.
pub(crate) struct Trace {
    start: std::time::Instant,
    indent: &'static str,
    on: bool,
}

impl Trace {
    pub(crate) fn new(indent: &'static str) -> Self {
        Self { start: std::time::Instant::now(), indent, on: std::env::var_os("DEDUP_TRACE").is_some() }
    }

    pub(crate) fn mark(&self, what: impl std::fmt::Display) {
        if self.on {
            let cpu = cpu_seconds().map_or(String::new(), |c| format!(" (process CPU {c:.1}s"));
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|st| st.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l[6..].trim().to_owned()))
                .map_or(")".to_owned(), |r| format!(", RSS {r})"));
            let cpu = cpu + &rss;
            eprintln!("dedup: {}{what}: {:.2}s{cpu}", self.indent, self.start.elapsed().as_secs_f64());
        }
    }
}

/// CPU time of the process so far, on Linux (for [`Trace`]).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
