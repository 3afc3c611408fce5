//! The unprivileged OS account the server runs as when citytrace runs as root.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::unistd::{Gid, Uid, User};

use crate::error::LocalPgError;

/// The account created when neither `CITYTRACE_PG_USER` nor `postgres` exists.
const OWN_ACCOUNT: &str = "citytrace";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsUser {
    pub name: String,
    pub uid: Uid,
    pub gid: Gid,
    pub home: PathBuf,
}

impl OsUser {
    /// `CITYTRACE_PG_USER` if set, else `postgres` if it exists, else the `citytrace` system
    /// account (created with `useradd --system` on first use).
    pub fn unprivileged() -> Result<Self, LocalPgError> {
        if let Ok(name) = std::env::var("CITYTRACE_PG_USER") {
            return Self::lookup(&name)?.ok_or(LocalPgError::NoSuchUser(name));
        }
        if let Some(user) = Self::lookup("postgres")? {
            return Ok(user);
        }
        if let Some(user) = Self::lookup(OWN_ACCOUNT)? {
            return Ok(user);
        }
        let status = Command::new("useradd")
            .args([
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
            ])
            .args(["--shell", "/usr/sbin/nologin", OWN_ACCOUNT])
            .status()
            .map_err(|e| LocalPgError::io("run", Path::new("useradd"), e))?;
        if !status.success() {
            return Err(LocalPgError::NoSuchUser(format!(
                "{OWN_ACCOUNT} (useradd failed: {status})"
            )));
        }
        Self::lookup(OWN_ACCOUNT)?.ok_or(LocalPgError::NoSuchUser(OWN_ACCOUNT.into()))
    }

    fn lookup(name: &str) -> Result<Option<Self>, LocalPgError> {
        let user = User::from_name(name)
            .map_err(|e| LocalPgError::io("look up the account", Path::new(name), e.into()))?;
        Ok(user.map(|u| Self {
            name: u.name,
            uid: u.uid,
            gid: u.gid,
            home: u.dir,
        }))
    }

    /// Whether this account may walk down to `dir`: every ancestor must grant it execute
    /// permission (as owner, group or other).
    pub fn can_traverse_to(&self, dir: &Path) -> bool {
        dir.ancestors().all(|ancestor| match ancestor.metadata() {
            Ok(meta) => {
                let mode = meta.mode();
                if meta.uid() == self.uid.as_raw() {
                    mode & 0o100 != 0
                } else if meta.gid() == self.gid.as_raw() {
                    mode & 0o010 != 0
                } else {
                    mode & 0o001 != 0
                }
            }
            Err(_) => false,
        })
    }
}
