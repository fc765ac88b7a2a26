//! The library's error type. Every variant that comes from user input names the file and the
//! place in it (JSON path, sheet/row, line), so the CLI can print it as is.
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A source file that does not have the shape its importer reads.
    #[error("{}: at {location}: {message}", file.display())]
    Parse {
        file: PathBuf,
        /// JSON path (`$.catalog.groups[3].controls[0]`), `sheet 'X' row N`, or `line N`.
        location: String,
        message: String,
    },
    #[error("sources manifest: {0}")]
    Manifest(String),
    #[error("storage: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    #[error("SPARQL syntax: {0}")]
    QuerySyntax(String),
    #[error("SPARQL evaluation: {0}")]
    QueryEvaluation(String),
    #[error("remote SPARQL endpoint {endpoint}: {message}")]
    Remote { endpoint: String, message: String },
    #[error("download {url}: {message}")]
    Fetch { url: String, message: String },
    #[error(
        "{}: sha256 mismatch: expected {expected}, got {actual} (the file was not kept)",
        file.display()
    )]
    Checksum {
        file: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{0}")]
    NotFound(String),
    /// Something the user gave is wrong (an argument, a parameter value, a file's type).
    #[error("{0}")]
    Invalid(String),
    /// A fault of ours or of the machine, not of anything the user gave: a thread that could
    /// not start or panicked, a channel whose other end is gone, a broken invariant, a
    /// failure to write into memory. The CLI exits 2; the server answers 500 `internal` and
    /// keeps the detail in its log.
    #[error("internal error: {0}")]
    Internal(String),
    /// A name the user gave (scheme, set, baseline, profile, focus area, element id, query
    /// parameter, …) that the store does not know: never an empty answer.
    #[error("unknown {kind} `{given}`{hint}")]
    Unknown {
        /// What kind of name: `scheme`, `mapping set`, `baseline`, `focus area`, …
        kind: &'static str,
        given: String,
        /// "; did you mean `olir-186`?" or "; known: …" (starts with "; " or is empty).
        hint: String,
    },
    /// Another process holds the store in a way this command cannot share.
    #[error("store {} is in use: {detail}", store.display())]
    StoreBusy { store: PathBuf, detail: String },
    /// A read command pointed at a directory that holds no store.
    #[error(
        "no store at {}: load one first (`crosswalk load --sources DIR`), or pass --store PATH / --memory",
        store.display()
    )]
    NoStore { store: PathBuf },
}

impl Error {
    /// Whether the user can fix it by changing what they typed or gave (exit 1, HTTP 4xx), as
    /// opposed to a fault of ours or of the machine (exit 2, HTTP 5xx).
    pub fn is_users(&self) -> bool {
        matches!(
            self,
            Error::Parse { .. }
                | Error::QuerySyntax(_)
                | Error::Checksum { .. }
                | Error::NotFound(_)
                | Error::Invalid(_)
                | Error::Unknown { .. }
                | Error::StoreBusy { .. }
                | Error::NoStore { .. }
        )
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn parse(
        file: impl Into<PathBuf>,
        location: impl Into<String>,
        message: impl ToString,
    ) -> Self {
        Error::Parse {
            file: file.into(),
            location: location.into(),
            message: message.to_string(),
        }
    }
}

impl From<oxigraph::sparql::QueryEvaluationError> for Error {
    fn from(e: oxigraph::sparql::QueryEvaluationError) -> Self {
        Error::QueryEvaluation(e.to_string())
    }
}

impl From<oxigraph::sparql::SparqlSyntaxError> for Error {
    fn from(e: oxigraph::sparql::SparqlSyntaxError) -> Self {
        Error::QuerySyntax(e.to_string())
    }
}
