//! The embedded store: Oxigraph on RocksDB (or in memory). Replacing a source's graph happens
//! in one transaction, so a failed import leaves the store exactly as it was.
pub mod bind;
pub mod lock;
use crate::model::error::{Error, Result};
use oxigraph::model::{GraphNameRef, NamedNode, Quad, Term, Variable};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{Store, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One solution as a map from variable name to term.
pub type Row = HashMap<String, Term>;

/// A write this small (e.g. a user's mapping set) is one transaction: clear and insert.
const SMALL_WRITE: usize = 15_000;

/// Above this many removed + added quads a graph is cleared and bulk-loaded instead.
const DIFF_LIMIT: usize = 50_000;

/// The most quads one bulk-load batch holds (Oxigraph's loader: one thread per batch, each
/// batch written as its own SST files). Small batches keep a full load's memory below the
/// Oxigraph CLI's (50k: 432–449 MB against 489 MB); but every batch leaves files each later
/// lookup consults, so a large write takes larger ones: a 100k-mapping user set written in
/// 50k batches left 937 files and made its coverage twice as slow as 385 files did.
const BULK_BATCH: usize = 50_000;
/// [`BULK_BATCH`] for writes of more than [`LARGE_WRITE`] quads.
const BULK_BATCH_LARGE: usize = 250_000;
const LARGE_WRITE: usize = 1_000_000;

/// What a caller believes a graph holds now (computed only when a difference needs it): see
/// [`Db::replace_graphs_knowing`].
pub type Previous<'a> = (NamedNode, Box<dyn FnOnce() -> Result<Vec<Quad>> + 'a>);

/// Where a write that is not one transaction keeps a checkpoint of the store until it is done
/// (inside the store's directory: RocksDB leaves names it does not know alone).
const UNDO: &str = "crosswalk-undo";
const UNDO_TMP: &str = "crosswalk-undo.tmp";
const UNDO_DONE: &str = "crosswalk-undo.done";

/// Removes a checkpoint that is no longer needed: renamed first, so that a removal cut short
/// never leaves a partial checkpoint under the name an open restores from.
fn discard(undo: &Path) -> Result<()> {
    let done = undo.with_file_name(UNDO_DONE);
    std::fs::rename(undo, &done).map_err(|e| Error::io(undo, e))?;
    std::fs::remove_dir_all(&done).map_err(|e| Error::io(&done, e))
}

/// An order-independent digest of a graph's quads, leaving out its load timestamp and the
/// digest itself: the count and the wrapping sum of each quad's SHA-256 (first 128 bits).
/// Equal digests mean a reload would write the same content.
pub fn content_digest(graph: &NamedNode, quads: &[Quad]) -> String {
    // A sum, so halves add up: a large graph (a 100k-mapping user set's inferences: 4M quads,
    // ~3 s of hashing) is hashed on every core.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let (n, sum) = if quads.len() < 50_000 || threads < 2 {
        digest_sum(graph, quads)
    } else {
        std::thread::scope(|scope| {
            let parts: Vec<_> = quads
                .chunks(quads.len().div_ceil(threads))
                .map(|c| scope.spawn(move || digest_sum(graph, c)))
                .collect();
            parts
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .fold((0u64, 0u128), |(n, s), (m, t)| (n + m, s.wrapping_add(t)))
        })
    };
    format!("{n}:{sum:032x}")
}

/// The count and wrapping sum of [`content_digest`] over some of a graph's quads.
fn digest_sum(graph: &NamedNode, quads: &[Quad]) -> (u64, u128) {
    let mut sum: u128 = 0;
    let mut n = 0u64;
    for q in quads {
        let own =
            matches!(&q.subject, oxigraph::model::NamedOrBlankNode::NamedNode(s) if s == graph);
        if own
            && (q.predicate.as_ref() == crate::model::vocab::prov::GENERATED_AT_TIME
                || q.predicate.as_ref() == crate::model::vocab::cw::LOAD_DIGEST)
        {
            continue;
        }
        use sha2::Digest;
        // The terms' N-Triples forms are written straight into the hash (no string per term).
        struct HashWriter<'a>(&'a mut sha2::Sha256);
        impl std::fmt::Write for HashWriter<'_> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.update(s.as_bytes());
                Ok(())
            }
        }
        fn iri_bytes(w: &mut HashWriter<'_>, iri: &str) {
            w.0.update(b"<");
            w.0.update(iri.as_bytes());
            w.0.update(b">");
        }
        let mut hasher = sha2::Sha256::new();
        // The bytes of `format!("{} {} {}", subject, predicate IRI, object)`: IRIs are written
        // as they are (`<iri>`, what their `Display` gives) without going through the
        // formatter, which was most of the digest's cost; other terms are formatted.
        let mut w = HashWriter(&mut hasher);
        match &q.subject {
            oxigraph::model::NamedOrBlankNode::NamedNode(n) => iri_bytes(&mut w, n.as_str()),
            s => {
                let _ = std::fmt::write(&mut w, format_args!("{s}"));
            }
        }
        w.0.update(b" ");
        w.0.update(q.predicate.as_str().as_bytes());
        w.0.update(b" ");
        match &q.object {
            Term::NamedNode(n) => iri_bytes(&mut w, n.as_str()),
            o => {
                let _ = std::fmt::write(&mut w, format_args!("{o}"));
            }
        }
        let h = hasher.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&h[..16]);
        sum = sum.wrapping_add(u128::from_le_bytes(first));
        n += 1;
    }
    (n, sum)
}

/// The on-disk side of [`Db::replace_graphs_from`]. A graph the store does not hold yet (a
/// user's new mapping set and its inferred partition, every graph of a first load) has no
/// digest to compare and no difference to take: its quads go to the bulk loader in batches as
/// they arrive, with a running digest (a sum, so chunks add up), so the loader's threads
/// write while import and inference go on, and the load no longer holds all of its quads at
/// once (a 100k-mapping user set: 5.76M quads, 4 GB gathered). The loader ingests nothing
/// before its commit, so a failure before then leaves the store as it was. The other graphs
/// are gathered, as [`Db::replace_graphs_knowing`] needs them.
struct Stream<'a> {
    db: &'a Db,
    /// Each graph put so far, and whether it is streamed.
    streamed: HashMap<NamedNode, bool>,
    /// Running [`content_digest`]s of the streamed graphs.
    digests: Vec<(NamedNode, (u64, u128))>,
    gathered: Graphs,
    /// Streamed quads not yet handed over, and their number.
    pending: std::collections::VecDeque<Vec<Quad>>,
    pending_len: usize,
    sent: usize,
    large: bool,
    loader: Option<oxigraph::store::BulkLoader<'a>>,
    /// How long the producer waited for the loader's threads (a debug figure).
    waited: std::time::Duration,
}

impl<'a> Stream<'a> {
    fn new(db: &'a Db) -> Self {
        Stream {
            db,
            streamed: HashMap::new(),
            digests: Vec::new(),
            gathered: Vec::new(),
            pending: std::collections::VecDeque::new(),
            pending_len: 0,
            sent: 0,
            large: false,
            loader: None,
            waited: std::time::Duration::ZERO,
        }
    }

    /// The batch size: small ones keep a full load's memory low; in a large write (past
    /// [`LARGE_WRITE`] quads, or a graph of that many at once), large ones, since every batch
    /// leaves SST files each later lookup consults.
    fn batch(&self) -> usize {
        if self.large || self.sent >= LARGE_WRITE {
            BULK_BATCH_LARGE
        } else {
            BULK_BATCH
        }
    }

    fn put(&mut self, g: &NamedNode, mut q: Vec<Quad>) -> Result<()> {
        let fresh = match self.streamed.get(g) {
            Some(f) => *f,
            None => {
                let f = self.db.graph_is_empty(g)?;
                self.streamed.insert(g.clone(), f);
                f
            }
        };
        if !fresh {
            match self.gathered.iter_mut().find(|(x, _)| x == g) {
                Some((_, all)) => all.extend(q),
                None => self.gathered.push((g.clone(), q)),
            }
            return Ok(());
        }
        // The digest stamp is the load's own (as in `write_graphs`); an empty graph is stamped
        // too, as there.
        q.retain(|x| !is_stamp(g, x));
        let (n, sum) = digest_sum(g, &q);
        match self.digests.iter_mut().find(|(x, _)| x == g) {
            Some((_, (m, s))) => {
                *m += n;
                *s = s.wrapping_add(sum);
            }
            None => self.digests.push((g.clone(), (n, sum))),
        }
        if q.is_empty() {
            return Ok(());
        }
        self.large |= q.len() >= LARGE_WRITE;
        self.pending_len += q.len();
        self.pending.push_back(q);
        while self.pending_len >= self.batch() {
            self.send(self.batch())?;
        }
        Ok(())
    }

    /// Hands `n` pending quads (or all there are) to the bulk loader, as one batch.
    fn send(&mut self, n: usize) -> Result<()> {
        // The chunks themselves go to the loader (which copies them into its own batch):
        // gathering them into one vector first was another copy of every quad.
        let mut chunks = Vec::new();
        let mut taken = 0;
        while taken < n {
            let Some(mut first) = self.pending.pop_front() else {
                break;
            };
            let want = n - taken;
            if first.len() > want {
                let rest = first.split_off(want);
                self.pending.push_front(rest);
            }
            taken += first.len();
            chunks.push(first);
        }
        self.pending_len -= taken;
        self.sent += taken;
        let db = self.db;
        let loader = self
            .loader
            .get_or_insert_with(|| db.bulk_loader(BULK_BATCH_LARGE));
        let started = std::time::Instant::now();
        loader.load_quads(chunks.into_iter().flatten())?;
        self.waited += started.elapsed();
        Ok(())
    }

    /// The gathered graphs, and the loader holding the streamed ones (with their digests),
    /// if any batch went to it: a write too small for that gathers everything.
    fn finish(mut self) -> Result<(Graphs, Option<oxigraph::store::BulkLoader<'a>>)> {
        if self.loader.is_none() {
            // Nothing was streamed: the streamed graphs rejoin the others (their digests are
            // taken again there).
            for (g, _) in &self.digests {
                if !self.gathered.iter().any(|(x, _)| x == g) {
                    self.gathered.push((g.clone(), Vec::new()));
                }
            }
            for chunk in std::mem::take(&mut self.pending) {
                let Some(g) = chunk.first().and_then(|q| match &q.graph_name {
                    oxigraph::model::GraphName::NamedNode(g) => Some(g.clone()),
                    _ => None,
                }) else {
                    continue;
                };
                match self.gathered.iter_mut().find(|(x, _)| *x == g) {
                    Some((_, all)) => all.extend(chunk),
                    None => self.gathered.push((g, chunk)),
                }
            }
            return Ok((self.gathered, None));
        }
        for (g, (n, sum)) in std::mem::take(&mut self.digests) {
            let stamp = Quad::new(
                g.clone(),
                crate::model::vocab::cw::LOAD_DIGEST,
                oxigraph::model::Literal::new_simple_literal(format!("{n}:{sum:032x}")),
                oxigraph::model::GraphName::NamedNode(g),
            );
            self.pending_len += 1;
            self.pending.push_back(vec![stamp]);
        }
        while self.pending_len > 0 {
            self.send(self.batch())?;
        }
        tracing::debug!(
            streamed = self.sent,
            waited_ms = self.waited.as_millis(),
            "streamed to the bulk loader"
        );
        Ok((self.gathered, self.loader))
    }
}

/// Graphs and their quads.
type Graphs = Vec<(NamedNode, Vec<Quad>)>;

/// Whether `q` is `graph`'s recorded digest.
fn is_stamp(graph: &NamedNode, q: &Quad) -> bool {
    q.predicate.as_ref() == crate::model::vocab::cw::LOAD_DIGEST
        && matches!(&q.subject, oxigraph::model::NamedOrBlankNode::NamedNode(s) if s == graph)
}

/// Drops a [`Db`]'s cached names when it goes out of scope: at the end of a write.
struct Changed<'a>(&'a Db);

impl Drop for Changed<'_> {
    fn drop(&mut self) {
        self.0.changed();
    }
}

/// A failed RocksDB open, classified: its lock held by another read-write process is the
/// user's "store busy", named with the holder; anything else is a storage fault.
fn open_error(path: &Path, e: oxigraph::store::StorageError) -> Error {
    let m = e.to_string();
    if m.contains("lock") || m.contains("LOCK") {
        let lock = crate::store::lock::rocksdb_lock(path);
        return crate::store::lock::busy(path, &lock, "it is open read-write elsewhere");
    }
    Error::Storage(e)
}

/// An evaluator that stops at `token`'s next check once it is cancelled. SERVICE fails with
/// every evaluator here: oxigraph is built without its `http-client` feature, so no handler
/// exists (a public endpoint must not fetch URLs on a client's behalf).
pub fn cancellable(token: &oxigraph::sparql::CancellationToken) -> SparqlEvaluator {
    SparqlEvaluator::new().with_cancellation_token(token.clone())
}

#[derive(Clone)]
pub struct Db {
    store: Store,
    location: Option<PathBuf>,
    /// The advisory lock ([`crate::store::lock`]) held while the store is open; shared by clones.
    _lock: Option<std::sync::Arc<crate::store::lock::Held>>,
    read_only: bool,
    /// What upper layers derive from the content (the names the store knows, say), one value
    /// per type, kept until the store is written.
    memo: Memo,
    /// Bumped by every write of this process ([`Db::changed`]): what was derived from an
    /// earlier content (an HTTP answer, say) is known stale by its generation.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

type Memo = std::sync::Arc<
    std::sync::Mutex<
        std::collections::HashMap<
            std::any::TypeId,
            std::sync::Arc<dyn std::any::Any + Send + Sync>,
        >,
    >,
>;

/// Where the store lives when neither `--store` nor `CROSSWALK_STORE` says.
pub fn default_location() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("crosswalk/store");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(h).join(".local/share/crosswalk/store");
    }
    PathBuf::from("crosswalk.store")
}

/// Whether `path` holds a RocksDB store (its `CURRENT` file names the live manifest).
pub fn exists(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

impl Db {
    /// Opens (creating if needed) the on-disk store at `path` for writing: the exclusive lock
    /// ([`crate::store::lock`]) first, so a writer never changes a store a reader holds; fails at
    /// once, naming the holders, when another process has it.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_waiting(path, std::time::Duration::ZERO)
    }

    /// [`Db::open`], waiting up to `wait` for readers that let go of the store
    /// (`serve --follow`: [`crate::store::lock::exclusive_waiting`]).
    pub fn open_waiting(path: &Path, wait: std::time::Duration) -> Result<Self> {
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let lock = crate::store::lock::exclusive_waiting(path, wait)?;
        Self::open_rw(path, lock)
    }

    /// Opens the store read-write under a *shared* lock: `serve` with update tokens, whose
    /// writes are single transactions that readers see whole or not at all. Keeps `load`s
    /// out while it runs; RocksDB's own lock keeps a second read-write process out.
    pub fn open_shared_writer(path: &Path) -> Result<Self> {
        if !exists(path) {
            return Err(Error::NoStore {
                store: path.to_owned(),
            });
        }
        let lock = crate::store::lock::shared(path, crate::store::lock::READER_WAIT)?;
        if path.join(UNDO).is_dir() {
            return Err(Error::StoreBusy {
                store: path.to_owned(),
                detail: "its last write was interrupted; run `crosswalk load` (a writer, alone with the store) to restore it first".to_owned(),
            });
        }
        let mut db = Self::open_rw_inner(path)?;
        db._lock = lock.map(std::sync::Arc::new);
        Ok(db)
    }

    fn open_rw(path: &Path, lock: crate::store::lock::Held) -> Result<Self> {
        let mut db = Self::open_rw_inner(path)?;
        db._lock = Some(std::sync::Arc::new(lock));
        // Alone with the store: a write killed half-way is undone here.
        db.undo_interrupted_write()?;
        Ok(db)
    }

    fn open_rw_inner(path: &Path) -> Result<Self> {
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        Ok(Db {
            store,
            location: Some(path.to_owned()),
            _lock: None,
            read_only: false,
            memo: Memo::default(),
            generation: Default::default(),
        })
    }

    /// Opens an existing store read-only, under a shared lock: any number of readers (every
    /// read command, `serve`) share it; a reader started while a `load` writes waits for it.
    /// Never creates anything but the lock file.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        if !exists(path) {
            return Err(Error::NoStore {
                store: path.to_owned(),
            });
        }
        let lock = crate::store::lock::shared(path, crate::store::lock::READER_WAIT)?;
        // A write killed half-way left the content before it in a checkpoint: a reader, which
        // may not write, reads that until the next writer restores it.
        let undo = path.join(UNDO);
        let from = if undo.is_dir() { undo.as_path() } else { path };
        let store = Store::open_read_only(from).map_err(|e| open_error(path, e))?;
        Ok(Db {
            store,
            location: Some(path.to_owned()),
            _lock: lock.map(std::sync::Arc::new),
            read_only: true,
            memo: Memo::default(),
            generation: Default::default(),
        })
    }

    /// A value derived from the store's content, computed by `load` on first use and kept
    /// until the store is written (the names cache of [`crate::query::Sparql::names`]).
    pub fn cached<T: std::any::Any + Send + Sync>(
        &self,
        load: impl FnOnce() -> Result<T>,
    ) -> Result<std::sync::Arc<T>> {
        let key = std::any::TypeId::of::<T>();
        if let Ok(guard) = self.memo.lock()
            && let Some(v) = guard.get(&key)
            && let Ok(v) = v.clone().downcast::<T>()
        {
            return Ok(v);
        }
        let v = std::sync::Arc::new(load()?);
        if let Ok(mut guard) = self.memo.lock() {
            guard.insert(key, v.clone());
        }
        Ok(v)
    }

    /// Says the store was written (through [`Db::inner`], e.g. a SPARQL update): what is
    /// cached of its content is dropped. Every write method of `Db` calls it.
    pub fn changed(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut guard) = self.memo.lock() {
            guard.clear();
        }
    }

    /// How many writes this process has made to the store (see [`Db::changed`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The number of quads, counted once per content (a count walks the whole store: ~80 ms
    /// on the full graph) and kept until the next write.
    pub fn len_cached(&self) -> Result<usize> {
        struct Quads(usize);
        Ok(self.cached(|| Ok(Quads(self.len()?)))?.0)
    }

    /// Whether this handle was opened read-only (writes fail).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// An in-memory copy of this store's quads: a throw-away overlay on which `check
    /// --mapping` loads a file without touching the store.
    pub fn to_memory(&self) -> Result<Self> {
        let copy = Db::memory()?;
        let mut loader = copy.store.bulk_loader();
        loader.load_ok_quads::<oxigraph::store::StorageError, Error>(self.store.iter())?;
        loader.commit()?;
        Ok(copy)
    }

    /// An in-memory store holding one RDF file (format by extension: .nt, .ttl, .nq, …;
    /// N-Triples when unknown); a parse error names the file.
    pub fn from_file(file: &std::path::Path) -> Result<Self> {
        let db = Self::memory()?;
        let format = oxigraph::io::RdfFormat::from_extension(
            file.extension().and_then(|e| e.to_str()).unwrap_or("nt"),
        )
        .unwrap_or(oxigraph::io::RdfFormat::NTriples);
        let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
        db.inner()
            .load_from_slice(format, &bytes)
            .map_err(|e| Error::parse(file, "the file", e))?;
        Ok(db)
    }

    pub fn memory() -> Result<Self> {
        Ok(Db {
            store: Store::new()?,
            location: None,
            _lock: None,
            read_only: false,
            memo: Memo::default(),
            generation: Default::default(),
        })
    }

    pub fn location(&self) -> Option<&Path> {
        self.location.as_deref()
    }

    pub fn inner(&self) -> &Store {
        &self.store
    }

    /// Replaces the content of `graph` with `quads` (see [`Db::replace_graphs`]).
    pub fn replace_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<()> {
        self.replace_graphs(&[(graph, quads)]).map(|_| ())
    }

    /// Replaces several graphs at once; returns those left as they were.
    ///
    /// In memory: one transaction clears them and inserts the new quads. On disk, where a
    /// rewrite costs far more than an import (clearing deletes every quad from six indexes: a
    /// full reload took 25 s, re-inferring after a 100-row user set 17 s), each graph records
    /// its [`content_digest`] as `cw:loadDigest`: a graph whose digest is unchanged is left
    /// alone, one already in the store is changed by its difference (removed and added quads)
    /// when that is small, and the others are cleared in the same transaction and written by
    /// the bulk loader after it (a 264k-quad RocksDB transaction took 20 s). The quads are
    /// complete before either step; a checkpoint taken before the commit lets the next
    /// [`Db::open`] undo a write killed between the two (it left graphs half written).
    pub fn replace_graphs(&self, graphs: &[(&NamedNode, &[Quad])]) -> Result<Vec<NamedNode>> {
        let owned = graphs
            .iter()
            .map(|(g, q)| ((*g).clone(), q.to_vec()))
            .collect();
        self.replace_graphs_knowing(owned, Vec::new())
    }

    /// [`Db::replace_graphs`], told what some graphs hold now ([`Previous`]): on disk a graph
    /// changed by its difference is then compared with that instead of being read back (470k
    /// inferred quads: ~5 s), when its digest is the one the store recorded.
    pub fn replace_graphs_knowing(
        &self,
        graphs: Vec<(NamedNode, Vec<Quad>)>,
        previous: Vec<Previous<'_>>,
    ) -> Result<Vec<NamedNode>> {
        // Cached names are dropped before and after the write (a reader may cache in between).
        let _after = Changed(self);
        self.changed();
        self.write_graphs(graphs, previous, None)
    }

    /// The write of [`Db::replace_graphs_knowing`], with what a [`Stream`] already handed to
    /// its bulk loader (committed together with the rest).
    fn write_graphs(
        &self,
        graphs: Vec<(NamedNode, Vec<Quad>)>,
        mut previous: Vec<Previous<'_>>,
        streamed: Option<oxigraph::store::BulkLoader<'_>>,
    ) -> Result<Vec<NamedNode>> {
        let total: usize = graphs.iter().map(|(_, q)| q.len()).sum();
        let mut tx = self.store.start_transaction()?;
        if self.location.is_none() || (streamed.is_none() && total <= SMALL_WRITE) {
            for (g, q) in &graphs {
                tx.clear_graph(GraphNameRef::NamedNode(g.as_ref()))?;
                tx.extend(q.iter());
            }
            tx.commit()?;
            return Ok(Vec::new());
        }
        let mut unchanged = Vec::new();
        // The quads are owned and stamped in place: a load's quads are most of its memory,
        // and a copy of them (as until 2026-12-04) was another third of its peak.
        let mut stamped: Vec<(NamedNode, Vec<Quad>)> = Vec::new();
        for (g, mut q) in graphs {
            let d = content_digest(&g, &q);
            if self.stored_load_digest(&g)?.as_deref() == Some(d.as_str()) {
                unchanged.push(g);
                continue;
            }
            q.retain(|x| !is_stamp(&g, x));
            q.push(Quad::new(
                g.clone(),
                crate::model::vocab::cw::LOAD_DIGEST,
                oxigraph::model::Literal::new_simple_literal(d),
                oxigraph::model::GraphName::NamedNode(g.clone()),
            ));
            stamped.push((g, q));
        }
        let mut bulk: Vec<Vec<Quad>> = Vec::new();
        for (g, q) in stamped {
            let g = &g;
            let name = GraphNameRef::NamedNode(g.as_ref());
            if self.graph_is_empty(g)? {
                bulk.push(q);
                continue;
            }
            let started = std::time::Instant::now();
            let believed = match previous.iter().position(|(x, _)| x == g) {
                Some(i) => self.verified_previous(g, (previous.swap_remove(i).1)()?)?,
                None => None,
            };
            tracing::debug!(graph = %g, believed = believed.is_some(), ms = started.elapsed().as_millis(), "previous content");
            let old: std::collections::HashSet<Quad> = match believed {
                Some(b) => b,
                None => self
                    .store
                    .quads_for_pattern(None, None, None, Some(name))
                    .collect::<std::result::Result<_, _>>()?,
            };
            let new: std::collections::HashSet<&Quad> = q.iter().collect();
            let removed: Vec<&Quad> = old.iter().filter(|x| !new.contains(x)).collect();
            let added: Vec<&Quad> = q.iter().filter(|x| !old.contains(*x)).collect();
            tracing::debug!(graph = %g, old = old.len(), removed = removed.len(), added = added.len(), "graph difference");
            let large = removed.len() + added.len() > DIFF_LIMIT;
            if !large {
                for x in removed {
                    tx.remove(x);
                }
                for x in added {
                    tx.insert(x);
                }
            }
            drop(new);
            if large {
                tx.clear_graph(name)?;
                bulk.push(q);
            }
        }
        // The bulk load below runs after the commit and in several steps: until it is done,
        // a checkpoint of the store as it was lets the next open undo a write cut short.
        let undo = if bulk.is_empty() && streamed.is_none() {
            None
        } else {
            Some(self.checkpoint()?)
        };
        let started = std::time::Instant::now();
        tx.commit()?;
        tracing::debug!(ms = started.elapsed().as_millis(), "committed");
        let Some(undo) = undo else {
            return Ok(unchanged);
        };
        let total: usize = bulk.iter().map(|q| q.len()).sum();
        // One call, in batches the RocksDB loader builds on a thread each, so both cores work
        // (a call per graph left the 437k-quad inferred graph on one thread): half the quads
        // each, but at most BULK_BATCH, since each batch in flight holds its quads encoded
        // several times over (batches of half of a 100k-mapping user set's 5.6M quads peaked
        // at 9.4 GB). The loader takes the quads by value: no copy of them.
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let cap = if total > LARGE_WRITE {
            BULK_BATCH_LARGE
        } else {
            BULK_BATCH
        };
        let batch = total.div_ceil(threads).clamp(1_000, cap);
        let mut loader = match streamed {
            Some(l) => l,
            None => self.bulk_loader(batch),
        };
        if total > 0 {
            // The loader flushes what is left of a call as one batch: a call per `batch`.
            let mut quads = bulk.into_iter().flatten();
            loop {
                let next: Vec<Quad> = quads.by_ref().take(batch).collect();
                if next.is_empty() {
                    break;
                }
                loader.load_quads(next)?;
            }
        }
        loader.commit()?;
        discard(&undo)?;
        Ok(unchanged)
    }

    /// A bulk loader writing batches of about `batch` quads on a thread each.
    fn bulk_loader(&self, batch: usize) -> oxigraph::store::BulkLoader<'_> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        self.store
            .bulk_loader()
            .with_num_threads(threads)
            .with_max_memory_size_in_megabytes((batch * threads).div_ceil(1000))
    }

    /// Whether `graph` holds nothing in the store.
    fn graph_is_empty(&self, graph: &NamedNode) -> Result<bool> {
        Ok(self
            .store
            .quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(graph.as_ref())),
            )
            .next()
            .transpose()?
            .is_none())
    }

    /// A checkpoint of the store (RocksDB hard links, no copy) at `<store>/crosswalk-undo`,
    /// made under a temporary name and renamed, so that it exists only once complete.
    fn checkpoint(&self) -> Result<PathBuf> {
        let dir = self
            .location
            .as_deref()
            .ok_or_else(|| Error::Internal("an in-memory store has no checkpoint".into()))?;
        let (tmp, undo) = (dir.join(UNDO_TMP), dir.join(UNDO));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        self.store.backup(&tmp)?;
        std::fs::rename(&tmp, &undo).map_err(|e| Error::io(&undo, e))?;
        Ok(undo)
    }

    /// Undoes a write that was cut short (the process killed between its transaction and the
    /// end of its bulk load left graphs half written): the store's content is replaced by the
    /// checkpoint taken before that write. Runs with RocksDB's lock held, so no other writer
    /// is at work; a restore cut short is redone by the next open.
    fn undo_interrupted_write(&self) -> Result<()> {
        let Some(dir) = self.location.as_deref() else {
            return Ok(());
        };
        for leftover in [dir.join(UNDO_TMP), dir.join(UNDO_DONE)] {
            if leftover.exists() {
                std::fs::remove_dir_all(&leftover).map_err(|e| Error::io(&leftover, e))?;
            }
        }
        // SST files a bulk load killed before its commit had built (Oxigraph names them
        // `bulk-<random>.sst` in the store's directory; RocksDB never ingested them): a
        // killed 100k-mapping load can leave a gigabyte of them.
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("bulk-") && name.ends_with(".sst") {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        let undo = dir.join(UNDO);
        if !undo.is_dir() {
            return Ok(());
        }
        tracing::warn!(
            "the last write to {} was interrupted: restoring the content it had before",
            dir.display()
        );
        let before = Store::open_read_only(&undo).map_err(|e| {
            Error::Internal(format!(
                "store {}: cannot read the checkpoint {} to undo an interrupted write: {e}",
                dir.display(),
                undo.display()
            ))
        })?;
        self.store.clear()?;
        let mut loader = self
            .store
            .bulk_loader()
            .with_num_threads(std::thread::available_parallelism().map_or(1, usize::from));
        loader.load_ok_quads::<_, Error>(before.iter())?;
        loader.commit()?;
        drop(before);
        discard(&undo)
    }

    /// `quads` as the store's content of `graph` (with its recorded digest quad), if their
    /// digest is the recorded one and they carry no load timestamp of their own (which the
    /// digest leaves out, so it could differ unseen).
    fn verified_previous(
        &self,
        graph: &NamedNode,
        quads: Vec<Quad>,
    ) -> Result<Option<std::collections::HashSet<Quad>>> {
        let own_stamp = quads.iter().any(|q| {
            q.predicate.as_ref() == crate::model::vocab::prov::GENERATED_AT_TIME
                && matches!(&q.subject, oxigraph::model::NamedOrBlankNode::NamedNode(s) if s == graph)
        });
        let Some(stored) = self.stored_load_digest(graph)? else {
            return Ok(None);
        };
        if own_stamp || content_digest(graph, &quads) != stored {
            tracing::debug!(graph = %graph, "previous content not as recorded: reading it back");
            return Ok(None);
        }
        let mut set: std::collections::HashSet<Quad> = quads.into_iter().collect();
        set.insert(Quad::new(
            graph.clone(),
            crate::model::vocab::cw::LOAD_DIGEST,
            oxigraph::model::Literal::new_simple_literal(stored),
            oxigraph::model::GraphName::NamedNode(graph.clone()),
        ));
        Ok(Some(set))
    }

    /// Replaces the graphs `produce` hands over, as [`Db::replace_graphs`] does, while it
    /// still produces them. `produce` gets a `put(graph, quads)` to call as each graph (or a
    /// further chunk of one) is ready; nothing is visible until it returns `Ok`, and when it
    /// fails the store keeps what it had.
    ///
    /// In memory, a second thread inserts into one transaction as the quads arrive, so a load
    /// writes while it imports and infers (Oxigraph takes one writer at a time, and the write
    /// is most of a load). On disk a graph the store does not hold yet goes to the bulk loader
    /// in batches as it arrives ([`Stream`]), the others are gathered first: their digest
    /// and difference need all of their quads.
    pub fn replace_graphs_from(
        &self,
        previous: Vec<Previous<'_>>,
        produce: impl FnOnce(&mut dyn FnMut(&NamedNode, Vec<Quad>) -> Result<()>) -> Result<()>,
    ) -> Result<Vec<NamedNode>> {
        // Cached names are dropped before and after the write (a reader may cache in between).
        let _after = Changed(self);
        self.changed();
        if self.location.is_some() {
            let mut stream = Stream::new(self);
            produce(&mut |g, q| stream.put(g, q))?;
            let (graphs, loader) = stream.finish()?;
            return self.write_graphs(graphs, previous, loader);
        }
        enum Message {
            Graph(NamedNode, Vec<Quad>),
            Commit,
        }
        let store = &self.store;
        std::thread::scope(|scope| {
            // Bounded: inference outruns the writer, and an unbounded queue held most of a
            // large load's quads at once (a 100k-mapping user set: 5.6M).
            let (send, receive) = std::sync::mpsc::sync_channel::<Message>(4);
            // Written quads are freed on a third thread: the writer is the load's critical
            // path, and freeing the ~0.7M quads it wrote cost it ~6 % of its CPU time.
            let (free, to_free) = std::sync::mpsc::channel::<Vec<Quad>>();
            std::thread::Builder::new()
                .name("quad-free".into())
                .spawn_scoped(scope, move || to_free.into_iter().for_each(drop))
                .map_err(|e| Error::Internal(format!("cannot start a load thread: {e}")))?;
            let writer = std::thread::Builder::new()
                .name("store-writer".into())
                .spawn_scoped(scope, move || -> Result<()> {
                    let mut tx = store.start_transaction()?;
                    let mut cleared = std::collections::HashSet::new();
                    for m in receive {
                        match m {
                            Message::Graph(g, quads) => {
                                if cleared.insert(g.clone()) {
                                    tx.clear_graph(GraphNameRef::NamedNode(g.as_ref()))?;
                                }
                                tx.extend(quads.iter());
                                // The freeing thread only stops once this sender is gone.
                                let _ = free.send(quads);
                            }
                            Message::Commit => return Ok(tx.commit()?),
                        }
                    }
                    // The producer failed: dropping the transaction rolls it back.
                    Ok(())
                })
                .map_err(|e| Error::Internal(format!("cannot start the store writer: {e}")))?;
            let produced = produce(&mut |g, q| {
                send.send(Message::Graph(g.clone(), q))
                    .map_err(|_| Error::Internal("the store writer stopped".into()))
            });
            if produced.is_ok() {
                // A failed send means the writer already stopped; its own error says why.
                let _ = send.send(Message::Commit);
            }
            drop(send);
            let written = writer
                .join()
                .map_err(|_| Error::Internal("the store writer panicked".into()))?;
            written?;
            produced
        })?;
        Ok(Vec::new())
    }

    /// Drops every recorded `cw:loadDigest`: after a SPARQL Update a graph's content may no
    /// longer be what its digest says, and the next load must not skip it.
    pub fn forget_load_digests(&self) -> Result<()> {
        // Cached names are dropped before and after the write (a reader may cache in between).
        let _after = Changed(self);
        self.changed();
        let stale: Vec<Quad> = self
            .store
            .quads_for_pattern(None, Some(crate::model::vocab::cw::LOAD_DIGEST), None, None)
            .collect::<std::result::Result<_, _>>()?;
        let mut tx = self.store.start_transaction()?;
        for q in &stale {
            tx.remove(q);
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in one transaction, committed only if it returns `Ok` (dropped, so rolled
    /// back, otherwise): a SPARQL Update and the re-inference after it are one change.
    pub fn transaction<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        // Cached names are dropped before and after the write (a reader may cache in between).
        let _after = Changed(self);
        self.changed();
        let mut tx = self.store.start_transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// [`Db::forget_load_digests`] inside a transaction.
    pub fn forget_load_digests_in(tx: &mut Transaction<'_>) -> Result<()> {
        let stale: Vec<Quad> = tx
            .quads_for_pattern(None, Some(crate::model::vocab::cw::LOAD_DIGEST), None, None)
            .collect::<std::result::Result<_, _>>()?;
        for q in &stale {
            tx.remove(q);
        }
        Ok(())
    }

    /// Replaces the content of `graph` with `quads` inside `tx`, by their difference: a
    /// re-inference after a small update changes few of the ~228k inferred quads, and a
    /// RocksDB transaction's cost is what it writes. On disk the graph records its
    /// [`content_digest`], as [`Db::replace_graphs`] does, so the next load can trust it.
    pub fn replace_graph_in(
        &self,
        tx: &mut Transaction<'_>,
        graph: &NamedNode,
        quads: &[Quad],
    ) -> Result<()> {
        let name = GraphNameRef::NamedNode(graph.as_ref());
        // An empty graph gets no digest either: it would be the graph's only triple.
        let stamp = (self.location.is_some() && !quads.is_empty()).then(|| {
            Quad::new(
                graph.clone(),
                crate::model::vocab::cw::LOAD_DIGEST,
                oxigraph::model::Literal::new_simple_literal(content_digest(graph, quads)),
                oxigraph::model::GraphName::NamedNode(graph.clone()),
            )
        });
        let old: std::collections::HashSet<Quad> = tx
            .quads_for_pattern(None, None, None, Some(name))
            .collect::<std::result::Result<_, _>>()?;
        let new: std::collections::HashSet<&Quad> = quads.iter().chain(&stamp).collect();
        for q in old.iter().filter(|q| !new.contains(q)) {
            tx.remove(q);
        }
        for q in new {
            if !old.contains(q) {
                tx.insert(q);
            }
        }
        Ok(())
    }

    /// The `cw:loadDigest` a load recorded for `graph` (see `load::load_digest`).
    pub fn stored_load_digest(&self, graph: &NamedNode) -> Result<Option<String>> {
        let subject = oxigraph::model::NamedOrBlankNodeRef::NamedNode(graph.as_ref());
        for q in self.store.quads_for_pattern(
            Some(subject),
            Some(crate::model::vocab::cw::LOAD_DIGEST),
            None,
            Some(GraphNameRef::NamedNode(graph.as_ref())),
        ) {
            if let Term::Literal(l) = q?.object {
                return Ok(Some(l.value().to_owned()));
            }
        }
        Ok(None)
    }

    /// Removes a graph, atomically.
    pub fn drop_graph(&self, graph: &NamedNode) -> Result<()> {
        // Cached names are dropped before and after the write (a reader may cache in between).
        let _after = Changed(self);
        self.changed();
        let mut tx = self.store.start_transaction()?;
        tx.remove_named_graph(graph.as_ref())?;
        tx.commit()?;
        Ok(())
    }

    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }

    /// Runs a SELECT with variables bound to terms (bound as terms, never spliced as text).
    pub fn select_rows(&self, query: &str, bindings: &[(&str, Term)]) -> Result<Vec<Row>> {
        match self.run(query, bindings)? {
            QueryResults::Solutions(solutions) => {
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s?;
                    rows.push(
                        s.iter()
                            .map(|(v, t)| (v.as_str().to_owned(), t.clone()))
                            .collect(),
                    );
                }
                Ok(rows)
            }
            _ => Err(Error::Internal("expected a SELECT query".into())),
        }
    }

    /// Runs any query with bindings; the caller serializes the results.
    pub fn run(&self, query: &str, bindings: &[(&str, Term)]) -> Result<QueryResults<'static>> {
        self.run_with(SparqlEvaluator::new(), query, bindings)
    }

    /// [`Db::run`] with a configured evaluator (the server's: cancellation token, no SERVICE).
    pub fn run_with(
        &self,
        evaluator: SparqlEvaluator,
        query: &str,
        bindings: &[(&str, Term)],
    ) -> Result<QueryResults<'static>> {
        crate::model::sparql_text::check_nesting(query)?;
        // Constants in the algebra where that is equivalent (crate::store::bind), else VALUES.
        let substituted = crate::store::bind::substitute(query, bindings).map_err(|e| {
            Error::QuerySyntax(crate::model::sparql_text::syntax_message(query, false, &e))
        })?;
        let mut prepared = match substituted {
            Some(q) => evaluator.for_query(q),
            None => {
                let text = crate::model::sparql_text::with_values(query, bindings)?;
                evaluator.parse_query(&text).map_err(|e| {
                    Error::QuerySyntax(crate::model::sparql_text::syntax_message(&text, false, &e))
                })?
            }
        };
        // The default graph is the union of all graphs unless the query names its dataset
        // (remote endpoints are expected to be configured the same way: see ARCHITECTURE.md).
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        for (name, _) in bindings {
            Variable::new(*name)
                .map_err(|e| Error::Invalid(format!("bad variable name {name}: {e}")))?;
        }
        Ok(prepared.on_store(&self.store).execute()?)
    }

    /// Number of quads in each named graph.
    pub fn graph_sizes(&self) -> Result<Vec<(NamedNode, usize)>> {
        let rows = self.select_rows(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match (r.get("g"), r.get("n")) {
                (Some(Term::NamedNode(g)), Some(Term::Literal(n))) => {
                    Some((g.clone(), n.value().parse().unwrap_or(0)))
                }
                _ => None,
            })
            .collect())
    }

    /// RDFC-1.0 (SHA-256) canonical digest of one named graph's content: the SHA-256 of its
    /// canonical N-Quads (blank nodes relabelled by RDFC-1.0, lines sorted). The triples about
    /// the graph node itself (its load provenance: timestamp, importer) are left out, so two
    /// loads of the same source bytes by the same importer give the same digest.
    pub fn graph_digest(&self, graph: &NamedNode) -> Result<String> {
        use oxigraph::model::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
        use oxigraph::model::{Graph, NamedOrBlankNode};
        let mut g = Graph::new();
        let node = NamedOrBlankNode::NamedNode(graph.clone());
        for q in self.store.quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(graph.as_ref())),
        ) {
            let q = q?;
            if q.subject != node {
                g.insert(&oxigraph::model::Triple::new(
                    q.subject,
                    q.predicate,
                    q.object,
                ));
            }
        }
        g.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
        });
        let mut lines: Vec<String> = g.iter().map(|t| format!("{t} .\n")).collect();
        lines.sort();
        Ok(crate::model::digest::sha256_hex(lines.concat().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal};

    fn quad(g: &str, v: &str) -> Quad {
        Quad::new(
            NamedNode::new_unchecked("urn:s"),
            NamedNode::new_unchecked("urn:p"),
            Literal::new_simple_literal(v),
            GraphName::NamedNode(NamedNode::new_unchecked(g)),
        )
    }

    fn content(db: &Db) -> Vec<String> {
        let mut v: Vec<String> = db.inner().iter().map(|q| q.unwrap().to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn an_open_undoes_a_write_cut_short_after_its_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let before = {
            let db = Db::open(&path).unwrap();
            db.replace_graph(
                &NamedNode::new_unchecked("urn:g1"),
                &[quad("urn:g1", "old")],
            )
            .unwrap();
            // What a write that dies after its commit leaves: a checkpoint and half the change.
            db.checkpoint().unwrap();
            let before = {
                let undo = Store::open_read_only(path.join(UNDO)).unwrap();
                let mut v: Vec<String> = undo.iter().map(|q| q.unwrap().to_string()).collect();
                v.sort();
                v
            };
            db.drop_graph(&NamedNode::new_unchecked("urn:g1")).unwrap();
            db.replace_graph(
                &NamedNode::new_unchecked("urn:g2"),
                &[quad("urn:g2", "new")],
            )
            .unwrap();
            before
        };
        assert_eq!(before.len(), 1);
        let db = Db::open(&path).unwrap();
        assert_eq!(content(&db), before);
        assert!(!path.join(UNDO).exists() && !path.join(UNDO_DONE).exists());
        // A write that completes leaves no checkpoint behind.
        let many: Vec<Quad> = (0..SMALL_WRITE + 1)
            .map(|i| quad("urn:g3", &i.to_string()))
            .collect();
        db.replace_graph(&NamedNode::new_unchecked("urn:g3"), &many)
            .unwrap();
        assert!(!path.join(UNDO).exists());
        assert_eq!(db.len().unwrap(), SMALL_WRITE + 3);
    }

    /// Every kind of term the bulk loader's patched key sort meets (keys of different widths
    /// in one batch): IRIs, blank nodes, short and long strings, language strings, typed and
    /// numeric literals.
    fn mixed(g: &str, n: usize) -> Vec<Quad> {
        let graph = GraphName::NamedNode(NamedNode::new_unchecked(g));
        (0..n)
            .map(|i| {
                let s = NamedNode::new_unchecked(format!("urn:s{}", i % 977));
                let p = NamedNode::new_unchecked(format!("urn:p{}", i % 7));
                let o: Term = match i % 8 {
                    0 => NamedNode::new_unchecked(format!("urn:o{i}")).into(),
                    1 => oxigraph::model::BlankNode::new_unchecked(format!("b{i}")).into(),
                    2 => Literal::new_simple_literal(format!("{i}")).into(),
                    3 => Literal::new_simple_literal(format!(
                        "a longer string than sixteen bytes {i}"
                    ))
                    .into(),
                    4 => {
                        Literal::new_language_tagged_literal_unchecked(format!("t{i}"), "en").into()
                    }
                    5 => Literal::new_typed_literal(
                        format!("v{i}"),
                        NamedNode::new_unchecked("urn:dt"),
                    )
                    .into(),
                    6 => Literal::from(i as i64).into(),
                    _ => Literal::from(i % 2 == 0).into(),
                };
                Quad::new(s, p, o, graph.clone())
            })
            .collect()
    }

    #[test]
    fn a_streamed_graph_reads_back_through_every_index_with_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("store")).unwrap();
        let old = NamedNode::new_unchecked("urn:old");
        db.replace_graph(&old, &[quad("urn:old", "a")]).unwrap();
        let fresh = NamedNode::new_unchecked("urn:fresh");
        let quads = mixed("urn:fresh", 3 * BULK_BATCH + 17);
        let chunks: Vec<Vec<Quad>> = quads.chunks(25_000).map(<[Quad]>::to_vec).collect();
        let produce = |chunks: Vec<Vec<Quad>>| {
            let old = old.clone();
            let fresh = fresh.clone();
            move |put: &mut dyn FnMut(&NamedNode, Vec<Quad>) -> Result<()>| {
                put(&old, vec![quad("urn:old", "b")])?;
                for c in chunks {
                    put(&fresh, c)?;
                }
                Ok(())
            }
        };
        let unchanged = db
            .replace_graphs_from(Vec::new(), produce(chunks.clone()))
            .unwrap();
        assert!(unchanged.is_empty());
        let name = GraphNameRef::NamedNode(fresh.as_ref());
        // The digest quad and the content, each quad once, found through each index.
        let stored: Vec<Quad> = db
            .inner()
            .quads_for_pattern(None, None, None, Some(name))
            .map(|q| q.unwrap())
            .filter(|q| q.predicate.as_ref() != crate::model::vocab::cw::LOAD_DIGEST)
            .collect();
        let distinct: std::collections::HashSet<&Quad> = quads.iter().collect();
        assert_eq!(stored.len(), distinct.len());
        let mut per_o: HashMap<&Term, usize> = HashMap::new();
        let mut per_po: HashMap<(&NamedNode, &Term), usize> = HashMap::new();
        for q in &distinct {
            *per_o.entry(&q.object).or_default() += 1;
            *per_po.entry((&q.predicate, &q.object)).or_default() += 1;
        }
        for q in quads.iter().step_by(97) {
            assert!(db.inner().contains(q).unwrap(), "{q}");
            let by_o = db
                .inner()
                .quads_for_pattern(None, None, Some(q.object.as_ref()), Some(name))
                .count();
            assert_eq!(by_o, per_o[&q.object], "{q}");
            let by_po = db
                .inner()
                .quads_for_pattern(
                    None,
                    Some(q.predicate.as_ref()),
                    Some(q.object.as_ref()),
                    None,
                )
                .count();
            assert_eq!(by_po, per_po[&(&q.predicate, &q.object)], "{q}");
        }
        let p0 = NamedNode::new_unchecked("urn:p0");
        let expected = distinct.iter().filter(|q| q.predicate == p0).count();
        let by_p = db
            .inner()
            .quads_for_pattern(None, Some(p0.as_ref()), None, Some(name))
            .count();
        assert_eq!(by_p, expected);
        assert_eq!(
            db.stored_load_digest(&fresh).unwrap().as_deref(),
            Some(content_digest(&fresh, &quads).as_str())
        );
        let mut old_now: Vec<String> = db
            .inner()
            .quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(old.as_ref())),
            )
            .map(|q| q.unwrap().object.to_string())
            .collect();
        old_now.sort();
        assert!(old_now.contains(&"\"b\"".to_owned()) && !old_now.contains(&"\"a\"".to_owned()));
        // The same content again: both graphs are left as they are.
        let unchanged = db.replace_graphs_from(Vec::new(), produce(chunks)).unwrap();
        assert!(
            unchanged.contains(&fresh) && unchanged.contains(&old),
            "{unchanged:?}"
        );
    }

    #[test]
    fn a_load_failing_after_its_stream_began_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let db = Db::open(&path).unwrap();
        db.replace_graph(&NamedNode::new_unchecked("urn:g1"), &[quad("urn:g1", "x")])
            .unwrap();
        let before = content(&db);
        let fresh = NamedNode::new_unchecked("urn:fresh");
        let failed = db.replace_graphs_from(Vec::new(), |put| {
            put(&fresh, mixed("urn:fresh", 2 * BULK_BATCH))?;
            Err(Error::Invalid("bad row".into()))
        });
        assert!(failed.is_err());
        assert_eq!(content(&db), before);
        let left: Vec<_> = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("bulk-") || n.starts_with(UNDO))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn an_open_removes_the_files_of_a_bulk_load_killed_before_its_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        drop(Db::open(&path).unwrap());
        let stray = path.join("bulk-1234.sst");
        std::fs::write(&stray, b"half an SST file").unwrap();
        let db = Db::open(&path).unwrap();
        assert!(!stray.exists());
        assert_eq!(db.len().unwrap(), 0);
    }

    #[test]
    fn the_digest_hashes_each_quad_as_its_n_triples_text() {
        // What content_digest hashed before IRIs were written without the formatter: stored
        // digests must keep matching.
        let graph = NamedNode::new_unchecked("urn:g");
        let quads = mixed("urn:g", 64);
        let mut sum: u128 = 0;
        for q in &quads {
            use sha2::Digest;
            let h = sha2::Sha256::digest(
                format!("{} {} {}", q.subject, q.predicate.as_str(), q.object).as_bytes(),
            );
            let mut first = [0u8; 16];
            first.copy_from_slice(&h[..16]);
            sum = sum.wrapping_add(u128::from_le_bytes(first));
        }
        assert_eq!(content_digest(&graph, &quads), format!("64:{sum:032x}"));
    }
}
