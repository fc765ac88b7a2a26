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
    #[error("{0}")]
    Invalid(String),
}

impl Error {
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
