//! On-disk decoder cache: solved decoders keyed by a SHA-256 hash of everything the solve
//! depends on (neuron model and parameters, gains, biases, encoders, radius, evaluation
//! points, target values, solver and its parameters), so re-running or sweeping a network skips
//! unchanged solves (as Nengo's `DecoderCache`).
//!
//! Location: `$SPIKESIM_CACHE_DIR` if set, else `$XDG_CACHE_HOME/spikesim/decoders`, else
//! `$HOME/.cache/spikesim/decoders`. Size limit: [`DEFAULT_LIMIT_BYTES`] (256 MiB) unless
//! `$SPIKESIM_CACHE_LIMIT_MB` says otherwise; when a write exceeds it, the least recently
//! modified entries are removed. Entries are written to a temporary file and renamed, so a
//! crash never leaves a half-written entry; an unreadable entry is treated as a miss.
//! Disable with `--no-cache` (CLI) or [`DecoderCache::disabled`].

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ensemble::{BuiltEnsemble, NeuronType};
use crate::solver::{Decoders, LstsqL2, Method};

/// Default size limit of the cache directory.
pub const DEFAULT_LIMIT_BYTES: u64 = 256 << 20;

/// File format tag (bumped when the layout or the solver semantics change).
const MAGIC: &[u8; 8] = b"SSDEC001";

/// A decoder cache directory (or none).
#[derive(Clone, Debug)]
pub struct DecoderCache {
    dir: Option<PathBuf>,
    limit: u64,
}

impl DecoderCache {
    /// No caching.
    pub fn disabled() -> Self {
        Self {
            dir: None,
            limit: 0,
        }
    }

    /// A cache in `dir` limited to `limit` bytes.
    pub fn at(dir: impl Into<PathBuf>, limit: u64) -> Self {
        Self {
            dir: Some(dir.into()),
            limit,
        }
    }

    /// The default location and limit (see the module docs); disabled when no location can
    /// be determined.
    pub fn default_location() -> Self {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dir = env("SPIKESIM_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|p| p.join("spikesim/decoders")))
            .or_else(|| env("HOME").map(|p| p.join(".cache/spikesim/decoders")));
        let limit = std::env::var("SPIKESIM_CACHE_LIMIT_MB")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(DEFAULT_LIMIT_BYTES, |mb| mb << 20);
        match dir {
            Some(d) => Self::at(d, limit),
            None => Self::disabled(),
        }
    }

    /// The directory, when enabled.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The cache key of a solve.
    pub fn key(ens: &BuiltEnsemble, targets: &[f64], k: usize, solver: &LstsqL2) -> String {
        let mut h = Sha256::new();
        h.update(MAGIC);
        // One update per array (the digest is that of the concatenated bytes either way).
        let f = |h: &mut Sha256, xs: &[f64]| {
            h.update((xs.len() as u64).to_le_bytes());
            h.update(xs.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>());
        };
        let lif = ens.neuron.lif();
        h.update(match ens.neuron {
            NeuronType::Lif(_) => b"lif_____",
            NeuronType::LifRate(_) => b"lifrate_",
        });
        f(
            &mut h,
            &[
                lif.tau_rc,
                lif.tau_ref,
                ens.radius,
                ens.n as f64,
                ens.dims as f64,
                k as f64,
            ],
        );
        f(&mut h, &ens.gain);
        f(&mut h, &ens.bias);
        f(&mut h, &ens.encoders);
        f(&mut h, &ens.eval_points);
        f(&mut h, targets);
        f(&mut h, &[solver.reg]);
        h.update(solver.method.resolve(ens.n).name().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Looks up a solve; `None` on a miss or when disabled.
    pub fn get(&self, key: &str) -> Option<Decoders> {
        let path = self.dir.as_ref()?.join(format!("{key}.dec"));
        let bytes = std::fs::read(path).ok()?;
        decode(&bytes)
    }

    /// Stores a solve (errors are ignored: the cache is an optimisation), then trims the
    /// directory to the size limit.
    pub fn put(&self, key: &str, dec: &Decoders) {
        let Some(dir) = &self.dir else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let path = dir.join(format!("{key}.dec"));
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, encode(dec)).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        self.trim();
    }

    /// Removes least recently modified entries until the directory fits the limit.
    fn trim(&self) {
        let Some(dir) = &self.dir else { return };
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = rd
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "dec"))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.limit {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

fn encode(d: &Decoders) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend((d.n as u64).to_le_bytes());
    out.extend((d.dims as u64).to_le_bytes());
    out.extend(d.method.name().len().to_le_bytes());
    out.extend(d.method.name().as_bytes());
    for v in d.rmse.iter().chain(&d.values) {
        out.extend(v.to_le_bytes());
    }
    out
}

fn decode(b: &[u8]) -> Option<Decoders> {
    let rest = b.strip_prefix(MAGIC)?;
    let u = |s: &[u8]| -> Option<u64> { Some(u64::from_le_bytes(s.get(..8)?.try_into().ok()?)) };
    let n = u(rest)? as usize;
    let dims = u(rest.get(8..)?)? as usize;
    let name_len = u(rest.get(16..)?)? as usize;
    let name = std::str::from_utf8(rest.get(24..24 + name_len)?).ok()?;
    let method = Method::parse(name)?;
    let floats = rest.get(24 + name_len..)?;
    if floats.len() != 8 * (dims + n * dims) {
        return None;
    }
    let vals: Vec<f64> = floats
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    Some(Decoders {
        n,
        dims,
        rmse: vals[..dims].to_vec(),
        values: vals[dims..].to_vec(),
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::EnsembleSpec;
    use crate::solver::solve;

    #[test]
    fn round_trip_and_key_sensitivity() {
        let dir = std::env::temp_dir().join(format!("spikesim-cache-test-{}", std::process::id()));
        let cache = DecoderCache::at(&dir, 1 << 20);
        let ens = EnsembleSpec::new("a", 20, 1).build(0).unwrap();
        let y = ens.eval_points.clone();
        let s = LstsqL2::default();
        let key = DecoderCache::key(&ens, &y, 1, &s);
        assert!(cache.get(&key).is_none());
        let dec = solve(&ens, &y, 1, &s, "c").unwrap();
        cache.put(&key, &dec);
        assert_eq!(cache.get(&key), Some(dec));
        // Anything the solve depends on changes the key.
        let s2 = LstsqL2 { reg: 0.2, ..s };
        assert_ne!(DecoderCache::key(&ens, &y, 1, &s2), key);
        let y2: Vec<f64> = y.iter().map(|v| v * v).collect();
        assert_ne!(DecoderCache::key(&ens, &y2, 1, &s), key);
        let mut e2 = ens.clone();
        e2.bias[3] += 1e-12;
        assert_ne!(DecoderCache::key(&e2, &y, 1, &s), key);
        // A corrupt entry is a miss.
        std::fs::write(dir.join(format!("{key}.dec")), b"SSDEC001garbage").unwrap();
        assert!(cache.get(&key).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn trim_respects_the_limit() {
        let dir = std::env::temp_dir().join(format!("spikesim-cache-trim-{}", std::process::id()));
        let cache = DecoderCache::at(&dir, 3000);
        let ens = EnsembleSpec::new("a", 100, 1).build(0).unwrap();
        for i in 0..4 {
            let y: Vec<f64> = ens.eval_points.iter().map(|v| v * i as f64).collect();
            let dec = solve(&ens, &y, 1, &LstsqL2::default(), "c").unwrap();
            cache.put(&format!("k{i}"), &dec);
        }
        let total: u64 = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(total <= 3000 && total > 0, "{total}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
