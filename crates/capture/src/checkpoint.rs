//! The checkpoint beside the output: which fetch it belongs to, how far it got.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The parameters that make two runs the same fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) base_url: String,
    pub(crate) app: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) page_size: u64,
}

/// How far a fetch got: everything before `offset` is in the first `bytes` bytes of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Progress {
    pub(crate) identity: Identity,
    pub(crate) offset: u64,
    pub(crate) bytes: u64,
    pub(crate) total: Option<u64>,
}

/// `OUT.checkpoint`, written atomically (temporary file, fsync, rename, fsync of the directory).
pub(crate) struct Checkpoint {
    path: PathBuf,
    temporary: PathBuf,
}

impl Checkpoint {
    pub(crate) fn beside(output: &Path) -> Checkpoint {
        let with_suffix = |suffix: &str| {
            let mut name = output.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        Checkpoint {
            path: with_suffix(".checkpoint"),
            temporary: with_suffix(".checkpoint.tmp"),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The saved progress, `None` when there is no checkpoint.
    pub(crate) fn load(&self) -> io::Result<Option<Progress>> {
        match fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub(crate) fn save(&self, progress: &Progress) -> io::Result<()> {
        let text = serde_json::to_vec(progress).map_err(io::Error::other)?;
        let mut file = File::create(&self.temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
        fs::rename(&self.temporary, &self.path)?;
        sync_parent(&self.path)
    }

    pub(crate) fn remove(&self) -> io::Result<()> {
        match fs::remove_file(&self.path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => sync_parent(&self.path),
        }
    }
}

/// Makes a rename or removal in the directory durable.
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match File::open(parent) {
        Ok(dir) => dir.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_removal_is_idempotent() {
        let dir = std::env::temp_dir().join(format!("capture-ckpt-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let checkpoint = Checkpoint::beside(&dir.join("out.ndjson"));
        assert_eq!(checkpoint.load().unwrap(), None);
        let progress = Progress {
            identity: Identity {
                base_url: "http://x".into(),
                app: "a".into(),
                from: "f".into(),
                to: "t".into(),
                page_size: 5,
            },
            offset: 10,
            bytes: 1234,
            total: Some(20),
        };
        checkpoint.save(&progress).unwrap();
        assert_eq!(checkpoint.load().unwrap(), Some(progress));
        assert!(checkpoint.path().ends_with("out.ndjson.checkpoint"));
        checkpoint.remove().unwrap();
        checkpoint.remove().unwrap();
        assert_eq!(checkpoint.load().unwrap(), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}
