//! The embedded store: Oxigraph on RocksDB (or in memory). Replacing a source's graph happens
//! in one transaction, so a failed import leaves the store exactly as it was.
use crate::error::{Error, Result};
use oxigraph::model::{GraphNameRef, NamedNode, Quad, Term, Variable};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One solution as a map from variable name to term.
pub type Row = HashMap<String, Term>;

// Above every source graph (the largest, the Reference Tool, is ~90k quads), so sources are
// always replaced in one transaction; only the derived inferred graph (~264k) goes in bulk.
const BULK_THRESHOLD: usize = 150_000;

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
}

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

impl Db {
    /// Opens (creating if needed) the on-disk store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let store = Store::open(path)
            .map_err(|e| Error::Invalid(format!("cannot open store {}: {e}", path.display())))?;
        Ok(Db {
            store,
            location: Some(path.to_owned()),
        })
    }

    /// Opens an existing store read-only (several readers may share it, e.g. `serve`).
    pub fn open_read_only(path: &Path) -> Result<Self> {
        let store = Store::open_read_only(path).map_err(|e| {
            Error::Invalid(format!(
                "cannot open store {} read-only: {e}",
                path.display()
            ))
        })?;
        Ok(Db {
            store,
            location: Some(path.to_owned()),
        })
    }

    pub fn memory() -> Result<Self> {
        Ok(Db {
            store: Store::new()?,
            location: None,
        })
    }

    pub fn location(&self) -> Option<&Path> {
        self.location.as_deref()
    }

    pub fn inner(&self) -> &Store {
        &self.store
    }

    /// Replaces the content of `graph` with `quads`. Small graphs go through one transaction;
    /// larger ones (in practice only the inferred graph: one 264k-quad RocksDB transaction took
    /// 20 s) are
    /// cleared in one transaction and written by the bulk loader, itself atomic. The quads are
    /// complete before either step, so only a storage failure could leave the graph empty.
    pub fn replace_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<()> {
        self.replace_graphs(&[(graph, quads)])
    }

    /// Replaces several graphs at once: one transaction clears them all; the new quads go in
    /// that same transaction when they are few, else through the bulk loader (a 264k-quad
    /// RocksDB transaction took 20 s). The quads are complete before either step, so only a
    /// storage failure could leave a graph empty.
    pub fn replace_graphs(&self, graphs: &[(&NamedNode, &[Quad])]) -> Result<()> {
        let mut tx = self.store.start_transaction()?;
        for (g, _) in graphs {
            tx.clear_graph(GraphNameRef::NamedNode(g.as_ref()))?;
        }
        let total: usize = graphs.iter().map(|(_, q)| q.len()).sum();
        // In memory a transaction is as fast as the bulk loader (which wraps one) and reads
        // the quads by reference.
        if total <= BULK_THRESHOLD || self.location.is_none() {
            for (_, q) in graphs {
                tx.extend(q.iter());
            }
            tx.commit()?;
            return Ok(());
        }
        tx.commit()?;
        // One call with batches of half the quads: the RocksDB loader builds each batch's SST
        // files on its own thread, so both cores work (a call per graph left the 437k-quad
        // inferred graph on one thread).
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut loader = self
            .store
            .bulk_loader()
            .with_num_threads(threads)
            .with_max_memory_size_in_megabytes(total.div_ceil(1000).max(1));
        loader.load_quads(graphs.iter().flat_map(|(_, q)| q.iter().cloned()))?;
        loader.commit()?;
        Ok(())
    }

    /// Removes a graph, atomically.
    pub fn drop_graph(&self, graph: &NamedNode) -> Result<()> {
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
            _ => Err(Error::Invalid("expected a SELECT query".into())),
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
        let text = crate::query::with_values(query, bindings)?;
        let mut prepared = evaluator.parse_query(&text)?;
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
        Ok(crate::load::sha256_hex(lines.concat().as_bytes()))
    }
}
