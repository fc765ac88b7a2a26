//! Downloads sources into the cache directory and verifies their sha256. A file is written
//! under a temporary name and renamed only once verified, so the cache never holds a bad file.
use crate::model::digest::sha256_hex;
use crate::model::error::{Error, Result};
use crate::source::manifest::{Source, SourceFile};
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

/// The largest file a download may be (the biggest NIST source is ~10 MiB; this only stops a
/// runaway server from filling the disk).
const MAX_DOWNLOAD: u64 = 4 << 30;

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
            // The system's CA store (corporate proxies install their CA there), not a bundle.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
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
        // Streamed to `<file>.part` while hashing (a source can be hundreds of MiB); renamed
        // over the cached file only once its sha256 is the manifest's.
        let parent = dest.parent().unwrap_or(cache);
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let tmp = dest.with_extension("part");
        let mut out =
            std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?);
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut bytes = 0u64;
        let mut reader = resp.body_mut().with_config().limit(MAX_DOWNLOAD).reader();
        let mut buf = vec![0u8; 64 * 1024];
        let copied = (|| -> Result<()> {
            loop {
                let n = reader.read(&mut buf).map_err(|e| fail(e.to_string()))?;
                if n == 0 {
                    break;
                }
                sha2::Digest::update(&mut hasher, &buf[..n]);
                std::io::Write::write_all(&mut out, &buf[..n]).map_err(|e| Error::io(&tmp, e))?;
                bytes += n as u64;
                progress.advance(n as u64);
            }
            std::io::Write::flush(&mut out).map_err(|e| Error::io(&tmp, e))
        })();
        progress.finish();
        drop(out);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let actual = hex::encode(sha2::Digest::finalize(hasher));
        if let Some(expected) = &f.sha256
            && !expected.eq_ignore_ascii_case(&actual)
        {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::Checksum {
                file: dest,
                expected: expected.clone(),
                actual,
            });
        }
        std::fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
        Ok(Fetched::Downloaded {
            path: dest,
            bytes,
            sha256: actual,
        })
    }
}

/// A terminal progress bar per downloaded file (indicatif).
#[derive(Default)]
pub struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&mut self, file: &str, total: Option<u64>) {
        let pb = indicatif::ProgressBar::new(total.unwrap_or(0));
        pb.set_style(
            indicatif::ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb.set_message(file.to_owned());
        self.0 = Some(pb);
    }
    fn advance(&mut self, n: u64) {
        if let Some(pb) = &self.0 {
            pb.inc(n);
        }
    }
    fn finish(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
        }
    }
}
