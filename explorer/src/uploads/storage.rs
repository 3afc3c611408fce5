//! Streaming an upload to disk: chunks go through a bounded channel to a writer on the blocking
//! pool, which writes them and updates the sha256 as they pass. Memory stays constant whatever
//! the file's size; a file over the limit is stopped and removed.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use actix_web::web::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use citytrace_schema::models::Upload;

use crate::credentials::random_hex;

/// A file written completely.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// Relative to the upload folder: `<random>/<file name>`.
    pub relative: String,
    pub path: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("writing the upload: {0}")]
    Io(#[from] io::Error),
}

/// An upload being received.
pub struct IncomingFile {
    chunks: Option<mpsc::Sender<Bytes>>,
    /// `None` once finished or abandoned; an `IncomingFile` dropped before that (the client
    /// went away) removes what it wrote.
    writer: Option<JoinHandle<io::Result<[u8; 32]>>>,
    folder: PathBuf,
    relative: String,
    file_name: String,
    size: u64,
    limit: u64,
}

impl IncomingFile {
    /// Start receiving `file_name` (made safe) into a new folder under `root`.
    pub fn create(root: &Path, file_name: &str, limit: u64) -> Self {
        let file_name = safe_file_name(file_name);
        let folder_name: String = random_hex().chars().take(32).collect();
        let folder = root.join(&folder_name);
        let path = folder.join(&file_name);
        let (tx, mut rx) = mpsc::channel::<Bytes>(16);
        let writer_folder = folder.clone();
        let writer = tokio::task::spawn_blocking(move || -> io::Result<[u8; 32]> {
            std::fs::create_dir(&writer_folder)?;
            let mut file = io::BufWriter::with_capacity(1 << 20, File::create(&path)?);
            let mut hasher = Sha256::new();
            while let Some(chunk) = rx.blocking_recv() {
                file.write_all(&chunk)?;
                hasher.update(&chunk);
            }
            file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok(hasher.finalize().into())
        });
        Self {
            chunks: Some(tx),
            writer: Some(writer),
            relative: format!("{folder_name}/{file_name}"),
            folder,
            file_name,
            size: 0,
            limit,
        }
    }

    /// Write a chunk; [`WriteError::TooLarge`] once the file passes the limit.
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), WriteError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(WriteError::TooLarge);
        }
        let sent = match &self.chunks {
            Some(tx) => tx.send(chunk).await.is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The writer stopped on an error; `finish` or `abandon` reports it.
            Err(WriteError::Io(io::Error::other(
                "the upload writer stopped",
            )))
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// All chunks written: flush and sync, and return the file with its sha256.
    pub async fn finish(mut self) -> Result<StoredFile, WriteError> {
        self.chunks = None;
        let sha256 = match self.writer.take() {
            Some(writer) => match writer.await {
                Ok(result) => result,
                Err(join) => Err(io::Error::other(join.to_string())),
            },
            None => Err(io::Error::other("the upload was already finished")),
        };
        match sha256 {
            Ok(sha256) => Ok(StoredFile {
                path: self.folder.join(&self.file_name),
                relative: self.relative.clone(),
                file_name: self.file_name.clone(),
                size: self.size,
                sha256,
            }),
            Err(e) => {
                remove_folder(self.folder.clone()).await;
                Err(WriteError::Io(e))
            }
        }
    }

    /// Stop receiving and remove what was written.
    pub async fn abandon(mut self) {
        self.chunks = None;
        if let Some(writer) = self.writer.take() {
            if let Ok(Err(e)) = writer.await {
                tracing::warn!(error = %e, "an abandoned upload had failed to write");
            }
        }
        remove_folder(self.folder.clone()).await;
    }
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        self.chunks = None;
        if let Some(writer) = self.writer.take() {
            let folder = self.folder.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = writer.await;
                    remove_folder(folder).await;
                });
            }
        }
    }
}

async fn remove_folder(folder: PathBuf) {
    let result = tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&folder) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    })
    .await;
    if let Ok(Err(e)) = result {
        tracing::warn!(error = %e, "could not remove an upload folder");
    }
}

/// Remove a stored file and its folder (blocking), then record that it is gone.
pub fn remove_stored(
    conn: &mut diesel::PgConnection,
    root: &Path,
    upload: &Upload,
) -> diesel::QueryResult<()> {
    if let Some(relative) = &upload.stored_as {
        if let Some(folder) = stored_folder(root, relative) {
            match std::fs::remove_dir_all(&folder) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    tracing::warn!(error = %e, folder = %folder.display(), "could not remove an upload");
                }
                _ => {}
            }
        }
        Upload::forget_file(conn, upload.id)?;
    }
    Ok(())
}

/// The path of a stored file, if `relative` has the `<folder>/<name>` form this module writes.
pub fn stored_path(root: &Path, relative: &str) -> Option<PathBuf> {
    let (folder, name) = relative.split_once('/')?;
    let plain = |s: &str| !s.is_empty() && !s.starts_with('.') && !s.contains(['/', '\\']);
    (plain(folder) && plain(name)).then(|| root.join(folder).join(name))
}

fn stored_folder(root: &Path, relative: &str) -> Option<PathBuf> {
    stored_path(root, relative).and_then(|p| p.parent().map(Path::to_path_buf))
}

/// A file name safe to store and to show: the last path component of what the browser sent,
/// letters, digits, `.`, `-`, `_` and spaces kept, anything else `_`, at most 100 characters,
/// never starting with a dot. Empty names become `upload`.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let safe = safe.trim();
    let named = if safe.is_empty() {
        "upload".to_string()
    } else if safe.starts_with('.') {
        format!("upload{safe}")
    } else {
        safe.to_string()
    };
    // Cut after the prefix, so that the name stays within 100 characters.
    named
        .chars()
        .take(100)
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_odd_characters() {
        assert_eq!(safe_file_name("deliveries.csv"), "deliveries.csv");
        assert_eq!(
            safe_file_name("C:\\Users\\me\\April deliveries.csv"),
            "April deliveries.csv"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".."), "upload..");
        assert_eq!(safe_file_name(""), "upload");
        assert_eq!(safe_file_name("a<b>\"c\".csv"), "a_b__c_.csv");
        assert_eq!(safe_file_name(&"x".repeat(300)).len(), 100);
        // Found by the property test: a long name starting with a dot was 106 characters.
        let dotted = safe_file_name(&format!(".{}", "é".repeat(300)));
        assert_eq!(dotted.chars().count(), 100);
        assert!(dotted.starts_with("upload.é"));
    }

    #[test]
    fn stored_paths_stay_inside_the_upload_folder() {
        let root = Path::new("/srv/uploads");
        assert_eq!(
            stored_path(root, "ab12/file.csv"),
            Some(PathBuf::from("/srv/uploads/ab12/file.csv"))
        );
        assert_eq!(stored_path(root, "../x/file.csv"), None);
        assert_eq!(stored_path(root, "ab12/../../x"), None);
        assert_eq!(stored_path(root, "file.csv"), None);
    }

    #[actix_web::test]
    async fn a_streamed_file_has_its_sha256_and_an_oversized_one_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let mut incoming = IncomingFile::create(root.path(), "a.csv", 10);
        incoming.write(Bytes::from_static(b"hello ")).await.unwrap();
        incoming.write(Bytes::from_static(b"you")).await.unwrap();
        let stored = incoming.finish().await.unwrap();
        assert_eq!(stored.size, 9);
        assert_eq!(
            hex::encode(stored.sha256),
            hex::encode(Sha256::digest(b"hello you"))
        );
        assert_eq!(std::fs::read(&stored.path).unwrap(), b"hello you");

        let mut big = IncomingFile::create(root.path(), "b.csv", 10);
        big.write(Bytes::from_static(b"0123456789")).await.unwrap();
        assert!(matches!(
            big.write(Bytes::from_static(b"x")).await,
            Err(WriteError::TooLarge)
        ));
        big.abandon().await;
        assert_eq!(
            std::fs::read_dir(root.path()).unwrap().count(),
            1,
            "only the first upload's folder is left"
        );
    }
}
