//! Who may use an on-disk store at once: any number of readers, or one writer that changes
//! it while no reader holds it.
//!
//! RocksDB's own `LOCK` keeps a second read-write process out, but it knows nothing of
//! read-only opens, and Oxigraph calls a read-only open beside a writer undefined behaviour (a
//! reader could see a graph half rewritten by the bulk loader). So every process takes an
//! advisory `flock` on `<store>/crosswalk.lock` for as long as it has the store open: readers
//! (every read command, `serve`) a shared one, a `load` an exclusive one. A writer does not wait
//! (unless `load --wait`, which asks `serve --follow` readers to let go: [`WANT_WRITE`]): it
//! fails at once with the store and the holders (pid and command, read from
//! `/proc/locks`). A reader started during a write waits for it, up to a bound. `serve` with
//! update tokens is a reader here: its updates are single RocksDB transactions, which a
//! read-only open sees whole or not at all.
use crate::model::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The advisory lock file inside a store directory.
pub const LOCK_FILE: &str = "crosswalk.lock";

/// How long a reader waits for a writer to finish before giving up.
pub const READER_WAIT: Duration = Duration::from_secs(60);

/// A held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// Takes the shared (reader) lock, waiting up to `wait` for a writer to finish. `None` when
/// the directory cannot hold a lock file (a read-only mount): nobody can write there either.
pub fn shared(store: &Path, wait: Duration) -> Result<Option<Held>> {
    let path = store.join(LOCK_FILE);
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied || is_read_only_fs(&e) => {
            return Ok(None);
        }
        Err(e) => return Err(Error::io(&path, e)),
    };
    let started = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock_shared() {
            Ok(()) => return Ok(Some(Held { _file: file })),
            Err(TryLockError::WouldBlock) => {
                if started.elapsed() >= wait {
                    return Err(busy(store, &path, "a reader waited for the writer"));
                }
                if !told {
                    tracing::warn!(
                        "store {} is being written ({}); waiting up to {} s",
                        store.display(),
                        describe(&holders(&path)),
                        wait.as_secs()
                    );
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
    }
}

/// A writer that waits for readers (`load --wait`) says so with this file in the store
/// directory while it waits; `serve --follow` readers seeing it let go of the store, and come
/// back once it is gone (the writer took the store, or gave up).
pub const WANT_WRITE: &str = "crosswalk.want-write";

/// [`exclusive`], but when readers hold the store, asks them to let go ([`WANT_WRITE`]) and
/// retries for up to `wait`. Only `serve --follow` readers let go; others keep it, and the
/// writer fails after `wait` naming them.
pub fn exclusive_waiting(store: &Path, wait: Duration) -> Result<Held> {
    let first = exclusive(store);
    if wait.is_zero() || !matches!(first, Err(Error::StoreBusy { .. })) {
        return first;
    }
    let want = store.join(WANT_WRITE);
    std::fs::write(&want, std::process::id().to_string()).map_err(|e| Error::io(&want, e))?;
    let started = Instant::now();
    let outcome = loop {
        match exclusive(store) {
            Err(Error::StoreBusy { .. }) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50))
            }
            other => break other,
        }
    };
    let _ = std::fs::remove_file(&want);
    outcome
}

/// Waits (up to `wait`) while a writer asks for the store, so a reader does not take it back
/// before the writer has it.
pub fn wait_for_writer(store: &Path, wait: Duration) {
    let started = Instant::now();
    while store.join(WANT_WRITE).exists() && started.elapsed() < wait {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Takes the exclusive (writer) lock, or fails at once naming the holders.
pub fn exclusive(store: &Path) -> Result<Held> {
    let path = store.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Held { _file: file }),
        Err(TryLockError::WouldBlock) => Err(busy(store, &path, "a write needs it alone")),
        Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// The error for a store someone else holds, naming the lock file and its holders.
pub fn busy(store: &Path, lock: &Path, why: &str) -> Error {
    Error::StoreBusy {
        store: store.to_owned(),
        detail: format!(
            "{why}, but {} holds {}",
            describe(&holders(lock)),
            lock.display()
        ),
    }
}

/// One process holding a lock.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub pid: u32,
    /// `READ` (shared) or `WRITE` (exclusive).
    pub mode: String,
    pub command: String,
}

/// "pid 123 (crosswalk serve, shared)"; "another process" when nothing can be read.
pub fn describe(holders: &[Holder]) -> String {
    if holders.is_empty() {
        return "another process".to_owned();
    }
    let each: Vec<String> = holders
        .iter()
        .map(|h| {
            let mode = if h.mode == "READ" {
                "shared"
            } else {
                "exclusive"
            };
            if h.command.is_empty() {
                format!("pid {} ({mode})", h.pid)
            } else {
                format!("pid {} ({}, {mode})", h.pid, h.command)
            }
        })
        .collect();
    each.join(", ")
}

/// The processes holding a lock on `file` (flock or POSIX), from `/proc/locks` (Linux; empty
/// elsewhere). RocksDB's `LOCK` is a POSIX lock, ours a flock: both are listed there with the
/// holder's pid and the file's inode.
pub fn holders(file: &Path) -> Vec<Holder> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(file) else {
        return Vec::new();
    };
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut out: Vec<Holder> = Vec::new();
    for line in locks.lines() {
        // `1: FLOCK  ADVISORY  READ 4242 fd:01:1234567 0 EOF` (`->` marks a waiter).
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 6 || f.contains(&"->") {
            continue;
        }
        let Some(inode) = f[5].rsplit(':').next().and_then(|i| i.parse::<u64>().ok()) else {
            continue;
        };
        let Ok(pid) = f[4].parse::<u32>() else {
            continue;
        };
        if inode != meta.ino() || pid == me || out.iter().any(|h| h.pid == pid) {
            continue;
        }
        out.push(Holder {
            pid,
            mode: f[3].to_owned(),
            command: command_of(pid),
        });
    }
    out
}

/// A process's command line, shortened to the program's file name and its first argument
/// that is not an option ("crosswalk serve").
fn command_of(pid: u32) -> String {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return String::new();
    };
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let Some(prog) = args.first() else {
        return String::new();
    };
    let name = Path::new(prog)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| prog.clone());
    // Skip options and their values: the first word after the program that follows no `--x`.
    let mut verb = None;
    let mut skip = false;
    for a in &args[1..] {
        if skip {
            skip = false;
            continue;
        }
        if let Some(opt) = a.strip_prefix("--") {
            skip = !opt.contains('=') && opt != "memory";
            continue;
        }
        verb = Some(a.as_str());
        break;
    }
    match verb {
        Some(v) => format!("{name} {v}"),
        None => name,
    }
}

fn is_read_only_fs(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(30) // EROFS
}

/// The RocksDB lock file of a store (held by a read-write open).
pub fn rocksdb_lock(store: &Path) -> PathBuf {
    store.join("LOCK")
}
