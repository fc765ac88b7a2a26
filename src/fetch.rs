//! Downloads sources into the cache directory and verifies their sha256. A file is written
//! under a temporary name and renamed only once verified, so the cache never holds a bad file.
use crate::error::{Error, Result};
use crate::load::sha256_hex;
use crate::sources::{Source, SourceFile};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Progress of one file: bytes so far and the total when the server says it.
pub trait Progress {
    fn start(&mut self, file: &str, total: Option<u64>);
    fn advance(&mut self, bytes: u64);
    fn finish(&mut self);
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn start(&mut self, _: &str, _: Option<u64>) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

#[derive(Debug)]
pub enum Fetched {
    Downloaded {
        path: PathBuf,
        bytes: u64,
        sha256: String,
    },
    /// Already in the cache with the expected sha256.
    Cached { path: PathBuf },
}

pub struct Fetcher {
    agent: ureq::Agent,
    /// Replaces the scheme+host of every URL (tests point it at a local server).
    pub base_override: Option<String>,
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new(Duration::from_secs(10))
    }
}

impl Fetcher {
    pub fn new(connect_timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(connect_timeout))
            .timeout_recv_body(Some(Duration::from_secs(300)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Fetcher {
            agent,
            base_override: None,
        }
    }

    fn url_for(&self, f: &SourceFile) -> String {
        match &self.base_override {
            Some(base) => {
                // keep the path of the canonical URL, swap the origin
                let path = f.url.splitn(4, '/').nth(3).unwrap_or("");
                format!("{}/{path}", base.trim_end_matches('/'))
            }
            None => f.url.clone(),
        }
    }

    /// Fetches every file of `source` into `cache`.
    pub fn fetch(
        &self,
        source: &Source,
        cache: &Path,
        progress: &mut dyn Progress,
    ) -> Result<Vec<Fetched>> {
        source
            .files
            .iter()
            .map(|f| self.fetch_file(f, cache, progress))
            .collect()
    }

    pub fn fetch_file(
        &self,
        f: &SourceFile,
        cache: &Path,
        progress: &mut dyn Progress,
    ) -> Result<Fetched> {
        let dest = cache.join(&f.path);
        if let (Some(expected), Ok(bytes)) = (&f.sha256, std::fs::read(&dest))
            && sha256_hex(&bytes).eq_ignore_ascii_case(expected)
        {
            return Ok(Fetched::Cached { path: dest });
        }
        let url = self.url_for(f);
        let fail = |m: String| Error::Fetch {
            url: url.clone(),
            message: m,
        };
        let mut resp = self.agent.get(&url).call().map_err(|e| {
            fail(format!("{e} (no network? an air-gapped machine can point --sources at a directory holding the files)"))
        })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let total = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        progress.start(&f.path, total);
        let mut body = Vec::new();
        let mut reader = resp
            .body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .reader();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf).map_err(|e| fail(e.to_string()))?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
            progress.advance(n as u64);
        }
        progress.finish();
        let actual = sha256_hex(&body);
        if let Some(expected) = &f.sha256
            && !expected.eq_ignore_ascii_case(&actual)
        {
            return Err(Error::Checksum {
                file: dest,
                expected: expected.clone(),
                actual,
            });
        }
        let parent = dest.parent().unwrap_or(cache);
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let tmp = dest.with_extension("part");
        std::fs::write(&tmp, &body).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
        Ok(Fetched::Downloaded {
            path: dest,
            bytes: body.len() as u64,
            sha256: actual,
        })
    }
}
