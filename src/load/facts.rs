//! Filling `Facts` (the slice of the graph resolution and inference read) from the store.
use crate::model::error::Result;
use crate::model::facts::{Facts, READ};
use crate::model::ids;
use crate::model::resolve::Resolver;
use crate::store::Db;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};

impl Facts {
    /// The facts of every graph in the store except `skip` (graphs about to be replaced) and
    /// `graph/inferred` with its partitions.
    pub fn from_store(db: &Db, skip: &[NamedNode]) -> Result<Self> {
        let mut f = Facts::default();
        // Graph by graph, so the graphs a full load replaces cost nothing to skip.
        let mut graphs = vec![GraphName::DefaultGraph];
        for g in db.inner().named_graphs() {
            if let NamedOrBlankNode::NamedNode(n) = g?
                && !ids::is_inferred_graph(n.as_str())
                && !skip.contains(&n)
            {
                graphs.push(GraphName::NamedNode(n));
            }
        }
        f.read_graphs(db, &graphs)?;
        Ok(f)
    }

    /// Adds the facts of these graphs as the store holds them now.
    pub fn add_from_store(&mut self, db: &Db, graphs: &[NamedNode]) -> Result<()> {
        let graphs: Vec<GraphName> = graphs.iter().cloned().map(GraphName::NamedNode).collect();
        self.read_graphs(db, &graphs)
    }

    fn read_graphs(&mut self, db: &Db, graphs: &[GraphName]) -> Result<()> {
        for g in graphs {
            for p in READ {
                for q in db
                    .inner()
                    .quads_for_pattern(None, Some(*p), None, Some(g.as_ref()))
                {
                    let q = q?;
                    self.add(&q.subject, &q.predicate, &q.object);
                }
            }
        }
        Ok(())
    }
}

impl Resolver {
    /// Every element that has a lookup key in the store.
    pub fn from_store(db: &Db) -> Result<Self> {
        Ok(Self::from_facts(&Facts::from_store(db, &[])?))
    }
}
