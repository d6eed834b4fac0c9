//! Small HDF5 helpers: groups without timestamps, typed attributes, and appendable datasets
//! that stream in fixed chunks.

use anyhow::{Context, Result};
use hdf5::types::VarLenUnicode;
use hdf5::{Dataset, Group, H5Type, Location};

/// A group created without object timestamps (so identical runs give identical bytes).
pub fn group(parent: &Group, name: &str) -> Result<Group> {
    parent
        .create_group_builder()
        .obj_track_times(false)
        .create(name)
        .with_context(|| format!("cannot create HDF5 group `{name}`"))
}

/// A string read from a file, as text: invalid UTF-8 (a damaged or foreign file) becomes
/// U+FFFD instead of reaching a `&str` (the `hdf5` string types' `as_str` and `Display` do not
/// check), and fixed-length strings lose their NUL padding.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\0')
        .to_string()
}

/// A variable-length UTF-8 string value.
pub fn vstr(s: &str) -> VarLenUnicode {
    // VarLenUnicode cannot hold NUL bytes: drop them.
    s.replace('\0', "").parse().unwrap_or_default()
}

/// Writes scalar attribute `name`.
pub fn attr<T: H5Type>(loc: &Location, name: &str, value: &T) -> Result<()> {
    loc.new_attr::<T>()
        .create(name)
        .and_then(|a| a.write_scalar(value))
        .with_context(|| format!("cannot write HDF5 attribute `{name}`"))
}

/// Writes a variable-length UTF-8 string attribute.
pub fn attr_str(loc: &Location, name: &str, value: &str) -> Result<()> {
    attr(loc, name, &vstr(value))
}

/// Writes a 1-D array attribute.
pub fn attr_array<T: H5Type>(loc: &Location, name: &str, values: &[T]) -> Result<()> {
    loc.new_attr::<T>()
        .shape(values.len())
        .create(name)
        .and_then(|a| a.write_raw(values))
        .with_context(|| format!("cannot write HDF5 attribute `{name}`"))
}

/// Writes a 1-D array of strings attribute.
pub fn attr_strs(loc: &Location, name: &str, values: &[String]) -> Result<()> {
    let v: Vec<VarLenUnicode> = values.iter().map(|s| vstr(s)).collect();
    attr_array(loc, name, &v)
}

/// Writes a scalar string dataset.
pub fn dataset_str(parent: &Group, name: &str, value: &str) -> Result<Dataset> {
    let ds = parent
        .new_dataset::<VarLenUnicode>()
        .create(name)
        .with_context(|| format!("cannot create HDF5 dataset `{name}`"))?;
    ds.write_scalar(&vstr(value))?;
    Ok(ds)
}

/// Writes a contiguous dataset holding `values` (row-major) with `shape`.
pub fn dataset<T: H5Type>(
    parent: &Group,
    name: &str,
    shape: &[usize],
    values: &[T],
) -> Result<Dataset> {
    let ds = parent
        .new_dataset::<T>()
        .shape(shape)
        .create(name)
        .with_context(|| format!("cannot create HDF5 dataset `{name}`"))?;
    ds.write_raw(values)
        .with_context(|| format!("cannot write HDF5 dataset `{name}`"))?;
    Ok(ds)
}

/// Elements per HDF5 chunk of a streamed 1-D dataset (64 KiB of f64: small files stay small).
pub const CHUNK: usize = 1 << 13;

/// Elements buffered before an append (512 KiB of f64).
pub const BUFFER: usize = 1 << 16;

/// A 1-D dataset grown in chunks: values are buffered and appended `BUFFER` (whole `CHUNK`s)
/// at a time, so memory stays bounded whatever the run's length. Unfiltered (no compression:
/// libsonata wheels cannot read filtered data), and without a chunk cache: the appends cover
/// whole chunks, which HDF5 then writes straight from the buffer instead of copying each into
/// a cache slot it first allocates and fills (that halved the page faults of a run recording
/// 1.2 M spikes per simulated second).
#[derive(Debug)]
pub struct Appender<T: H5Type + Copy> {
    ds: Dataset,
    buf: Vec<T>,
    len: usize,
}

impl<T: H5Type + Copy> Appender<T> {
    /// A new empty, resizable dataset `name` in `parent`.
    pub fn create(parent: &Group, name: &str) -> Result<Self> {
        let ds = parent
            .new_dataset::<T>()
            .chunk(CHUNK)
            // No chunk cache (nslots, bytes, preemption): see the type's docs.
            .chunk_cache(0, 0, 1.0)
            .shape(0..)
            .create(name)
            .with_context(|| format!("cannot create HDF5 dataset `{name}`"))?;
        Ok(Self {
            ds,
            buf: Vec::with_capacity(BUFFER),
            len: 0,
        })
    }

    /// Appends one value (writing a chunk when the buffer is full).
    #[inline]
    pub fn push(&mut self, x: T) -> Result<()> {
        self.buf.push(x);
        if self.buf.len() == BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Appends many values.
    pub fn extend(&mut self, xs: &[T]) -> Result<()> {
        self.extend_iter(xs.iter().copied())
    }

    /// Appends every value of `xs`, filling the buffer a run at a time (no per-value checks)
    /// and writing it each time it is full.
    pub fn extend_iter(&mut self, mut xs: impl Iterator<Item = T>) -> Result<()> {
        loop {
            let room = BUFFER - self.buf.len();
            self.buf.extend(xs.by_ref().take(room));
            if self.buf.len() < BUFFER {
                return Ok(());
            }
            self.flush()?;
        }
    }

    /// Writes buffered values to the file.
    pub fn flush(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let end = self.len + self.buf.len();
        self.ds.resize(end)?;
        self.ds.write_slice(&self.buf[..], self.len..end)?;
        self.len = end;
        self.buf.clear();
        Ok(())
    }

    /// Values written or buffered.
    pub fn len(&self) -> usize {
        self.len + self.buf.len()
    }

    /// The dataset (flush first to see every value).
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }
}

/// A 2-D `[rows, width]` dataset grown by rows, buffered up to `buffer_bytes`.
#[derive(Debug)]
pub struct RowAppender {
    ds: Dataset,
    width: usize,
    buf: Vec<f32>,
    rows: usize,
    max_buffered: usize,
}

impl RowAppender {
    /// A new `[0, width]` float32 dataset, chunked by about 64 KiB of rows.
    pub fn create(parent: &Group, name: &str, width: usize, buffer_bytes: usize) -> Result<Self> {
        let chunk_rows = (16_384 / width.max(1)).max(1);
        let ds = parent
            .new_dataset::<f32>()
            .chunk((chunk_rows, width.max(1)))
            .shape((0.., width))
            .create(name)
            .with_context(|| format!("cannot create HDF5 dataset `{name}`"))?;
        Ok(Self {
            ds,
            width,
            buf: Vec::new(),
            rows: 0,
            max_buffered: (buffer_bytes / 4 / width.max(1)).max(1) * width,
        })
    }

    /// The row buffer to append one row of `width` values to; flushes when full.
    pub fn row(&mut self, fill: impl FnOnce(&mut Vec<f32>)) -> Result<()> {
        fill(&mut self.buf);
        if self.buf.len() >= self.max_buffered {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes buffered rows.
    pub fn flush(&mut self) -> Result<()> {
        if self.buf.is_empty() || self.width == 0 {
            self.buf.clear();
            return Ok(());
        }
        let n = self.buf.len() / self.width;
        let end = self.rows + n;
        self.ds.resize((end, self.width))?;
        let view = ndarray::ArrayView2::from_shape((n, self.width), &self.buf[..n * self.width])?;
        self.ds.write_slice(view, (self.rows..end, ..))?;
        self.rows = end;
        self.buf.clear();
        Ok(())
    }

    /// The dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_from_a_file_is_valid_utf8_without_nul_padding() {
        assert_eq!(super::text(b"by_id\0\0\0"), "by_id");
        assert_eq!(super::text("µs".as_bytes()), "µs");
        assert_eq!(super::text(b"ab\xe0\x80z"), "ab\u{FFFD}\u{FFFD}z");
    }
}
