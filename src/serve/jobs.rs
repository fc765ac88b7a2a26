//! The queries this process is evaluating, so that something other than their own request can
//! stop them: the server shutting down, and the memory watchdog. Process-wide, as both are:
//! a signal ends the process, and the resident set is the process's.
use oxigraph::sparql::CancellationToken;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Why a query's token was cancelled (the first reason wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Timeout = 1,
    /// The request went away (client disconnected): nobody reads the answer.
    Abandoned = 2,
    /// The process went over `--max-memory`.
    Memory = 3,
    Shutdown = 4,
}

pub(crate) struct Job {
    pub token: CancellationToken,
    reason: AtomicU8,
}

impl Job {
    /// Cancels the job, recording `why` unless it was cancelled already (then `false`).
    pub fn cancel(&self, why: Reason) -> bool {
        let first = self
            .reason
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        self.token.cancel();
        first
    }

    pub fn reason(&self) -> Option<Reason> {
        match self.reason.load(Ordering::Acquire) {
            1 => Some(Reason::Timeout),
            2 => Some(Reason::Abandoned),
            3 => Some(Reason::Memory),
            4 => Some(Reason::Shutdown),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<u64, Arc<Job>>>,
    closing: AtomicBool,
}

fn jobs() -> &'static Jobs {
    static JOBS: OnceLock<Jobs> = OnceLock::new();
    JOBS.get_or_init(Jobs::default)
}

fn running() -> std::sync::MutexGuard<'static, HashMap<u64, Arc<Job>>> {
    // A panic while holding the lock leaves a map that is still consistent.
    jobs()
        .running
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// A job's place in the registry, held by the evaluation itself (on the blocking pool): it is
/// listed exactly as long as it runs, whoever stopped waiting for it.
pub(crate) struct Registration {
    id: u64,
    pub job: Arc<Job>,
}

impl Registration {
    /// A new job; already cancelled when the server is shutting down.
    pub fn new() -> Self {
        let job = Arc::new(Job {
            token: CancellationToken::new(),
            reason: AtomicU8::new(0),
        });
        let id = jobs().next.fetch_add(1, Ordering::Relaxed);
        running().insert(id, job.clone());
        if jobs().closing.load(Ordering::Acquire) {
            let _ = job.cancel(Reason::Shutdown);
        }
        Registration { id, job }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        running().remove(&self.id);
        // What a cancelled query gathered may be large (that may be why it was cancelled).
        if self.job.reason().is_some() {
            release_memory();
        }
    }
}

/// Cancels a job when dropped: held by the request's future, which axum drops when the client
/// disconnects, so an abandoned query stops instead of running to its timeout.
pub(crate) struct CancelOnDrop(pub Arc<Job>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        // Harmless once the job has finished.
        let _ = self.0.cancel(Reason::Abandoned);
    }
}

/// Cancels every running job and every later one: the server is shutting down.
pub(crate) fn close() {
    jobs().closing.store(true, Ordering::Release);
    cancel_all(Reason::Shutdown);
}

/// Cancels every running job; returns how many were not cancelled already.
fn cancel_all(why: Reason) -> usize {
    let list: Vec<Arc<Job>> = running().values().cloned().collect();
    list.iter().filter(|j| j.cancel(why)).count()
}

/// The process's resident set in bytes (Linux; `None` elsewhere).
pub fn resident_bytes() -> Option<u64> {
    // VmRSS is in kB: no page size needed.
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Half of the machine's memory (`MemTotal`), the default `--max-memory`.
pub fn default_memory_bound() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024 / 2)
}

/// How often the watchdog reads the resident set: a query may overshoot the bound by what it
/// allocates in this time.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// Starts (once per process) the thread that cancels the running queries when the resident
/// set exceeds `limit` bytes; a later call only changes the bound.
pub(crate) fn watch_memory(limit: u64) {
    static LIMIT: AtomicU64 = AtomicU64::new(u64::MAX);
    static STARTED: OnceLock<()> = OnceLock::new();
    LIMIT.store(limit, Ordering::Release);
    STARTED.get_or_init(|| {
        if resident_bytes().is_none() {
            tracing::warn!("no /proc/self/status: --max-memory is not enforced on this system");
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("memory-watchdog".into())
            .spawn(|| {
                let mut warned = false;
                loop {
                    std::thread::sleep(WATCH_EVERY);
                    let (Some(rss), limit) = (resident_bytes(), LIMIT.load(Ordering::Acquire))
                    else {
                        continue;
                    };
                    if rss <= limit {
                        warned = false;
                        continue;
                    }
                    // Jobs cancelled before may still be unwinding: only new ones are news.
                    let n = cancel_all(Reason::Memory);
                    if n > 0 {
                        warned = false;
                        tracing::warn!(
                            rss_mib = rss >> 20,
                            limit_mib = limit >> 20,
                            cancelled = n,
                            "over the memory bound: running queries cancelled"
                        );
                    } else if !warned && running().is_empty() {
                        // Nothing to cancel: the store itself (or a write) is this large.
                        tracing::warn!(
                            rss_mib = rss >> 20,
                            limit_mib = limit >> 20,
                            "over the memory bound with no query running"
                        );
                        warned = true;
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the memory watchdog: {e}");
        }
    });
}

// Linked for `mi_collect` (declared below: the crate declares it only with its `extended`
// feature, which pulls in another crate).
use libmimalloc_sys as _;

unsafe extern "C" {
    /// mimalloc: frees the calling thread's empty pages and returns them to the system
    /// (`force`: now, and abandoned segments too).
    safe fn mi_collect(force: bool);
}

/// Hands the memory a cancelled query freed back to the system. Called on the thread that
/// evaluated it: mimalloc keeps a thread's freed pages for that thread until it exits (the
/// blocking pool keeps idle threads 10 s), so 350 MB gathered by a sort stayed resident.
fn release_memory() {
    mi_collect(true);
}
