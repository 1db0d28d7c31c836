//! The network namespaces of one `privlink run`, created with iproute2 and removed on every exit.
//!
//! ```text
//!  netns plrun<PID>-app                         netns plrun<PID>-az ("Azure")
//!  COMMAND (the app)                            DNS at the app's servers, the token service,
//!  APP/32 ── pl<PID>a ═══ veth ═══ pl<PID>z ── 169.254.0.1/32, the backends' addresses on its
//!  default via 169.254.0.1                      loopback, nftables deciding what the app reaches
//! ```
//!
//! Both veth ends are created directly inside the namespaces, and neither namespace has any other
//! link, so no packet can reach the host's interfaces. Names carry the pid of the `privlink run`
//! that made them, so [`cleanup_leftovers`] can tell a killed run's namespaces from a live one's.

use anyhow::{bail, Context};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The prefix of every namespace `privlink run` creates.
pub const PREFIX: &str = "plrun";
/// The address on the Azure side of the veth that the app's default route points at.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 1);
/// The link in the Azure namespace that holds every address the estate answers at: its loopback,
/// which every kernel has (a dummy link needs a module containers often lack).
const HOSTED_LINK: &str = "lo";

/// The namespaces and links of one run. Dropping it removes them.
#[derive(Debug)]
pub struct Sandbox {
    pub app_namespace: String,
    pub azure_namespace: String,
    pub app_link: String,
    pub azure_link: String,
    pub app_address: Ipv4Addr,
    removed: bool,
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("ip").args(args).stdin(Stdio::null()).output().context("cannot run `ip` (iproute2)")?;
    if !output.status.success() {
        bail!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// Whether this process may create namespaces and has the tools: root, `ip` and `nft`.
pub fn preflight() -> anyhow::Result<()> {
    if !rustix::process::geteuid().is_root() {
        bail!("privlink run builds network namespaces and needs root (run it with sudo)");
    }
    for tool in ["ip", "nft"] {
        let found = Command::new(tool).arg("-V").stdout(Stdio::null()).stderr(Stdio::null()).status();
        if !found.is_ok_and(|s| s.success()) {
            let package = if tool == "ip" { "iproute2" } else { "nftables" };
            bail!("privlink run needs `{tool}` on PATH (Debian package {package})");
        }
    }
    Ok(())
}

impl Sandbox {
    /// Creates the two namespaces for the run with process id `pid`, the app holding `app_address`.
    pub fn create(pid: u32, app_address: Ipv4Addr) -> anyhow::Result<Sandbox> {
        let mut sandbox = Sandbox {
            app_namespace: format!("{PREFIX}{pid}-app"),
            azure_namespace: format!("{PREFIX}{pid}-az"),
            app_link: format!("pl{pid}a"),
            azure_link: format!("pl{pid}z"),
            app_address,
            removed: false,
        };
        if let Err(e) = sandbox.build() {
            sandbox.remove();
            return Err(e);
        }
        Ok(sandbox)
    }

    fn build(&self) -> anyhow::Result<()> {
        let (app, az) = (self.app_namespace.as_str(), self.azure_namespace.as_str());
        ip(&["netns", "add", app])?;
        ip(&["netns", "add", az])?;
        ip(&["-n", az, "link", "add", &self.azure_link, "type", "veth", "peer", "name", &self.app_link, "netns", app])?;
        let app_cidr = format!("{}/32", self.app_address);
        let gateway = GATEWAY.to_string();
        for (ns, link) in [(app, self.app_link.as_str()), (az, self.azure_link.as_str())] {
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "link", "set", link, "up"])?;
        }
        ip(&["-n", app, "addr", "add", &app_cidr, "dev", &self.app_link])?;
        ip(&["-n", app, "route", "add", &gateway, "dev", &self.app_link, "src", &self.app_address.to_string()])?;
        ip(&["-n", app, "route", "add", "default", "via", &gateway, "dev", &self.app_link])?;
        ip(&["-n", az, "addr", "add", &format!("{gateway}/32"), "dev", &self.azure_link])?;
        ip(&["-n", az, "route", "add", &app_cidr, "dev", &self.azure_link])?;
        Ok(())
    }

    /// Adds addresses the estate answers at to the Azure side (already present ones are kept).
    pub fn host(&self, addresses: impl IntoIterator<Item = Ipv4Addr>) -> anyhow::Result<()> {
        for address in addresses {
            let cidr = format!("{address}/32");
            let output = Command::new("ip")
                .args(["-n", &self.azure_namespace, "addr", "add", &cidr, "dev", HOSTED_LINK])
                .output()
                .context("cannot run `ip`")?;
            let stderr = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() && !stderr.contains("File exists") && !stderr.contains("already assigned") {
                bail!("cannot host {address} in {}: {}", self.azure_namespace, stderr.trim());
            }
        }
        Ok(())
    }

    /// The directory whose `resolv.conf` `ip netns exec` bind-mounts over `/etc/resolv.conf`.
    pub fn etc_dir(&self) -> PathBuf {
        PathBuf::from("/etc/netns").join(&self.app_namespace)
    }

    /// Writes the app's `/etc/resolv.conf`.
    pub fn write_resolv_conf(&self, text: &str) -> anyhow::Result<()> {
        let dir = self.etc_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("resolv.conf");
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Replaces the Azure side's nftables ruleset with `script` (one atomic `nft -f`).
    pub fn apply_rules(&self, script: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.azure_namespace, "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run `nft`")?;
        child.stdin.take().expect("piped").write_all(script.as_bytes())?;
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!("nft rejected the rules: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(())
    }

    /// A command that runs `program` inside the app's namespace, with its resolv.conf.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.app_namespace, program]);
        command
    }

    /// Removes the namespaces and the resolv.conf directory (idempotent).
    pub fn remove(&mut self) {
        if self.removed {
            return;
        }
        self.removed = true;
        remove_namespace(&self.app_namespace);
        remove_namespace(&self.azure_namespace);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The processes still in a namespace (the app's children, a killed run's redis-server).
fn processes_in(name: &str) -> Vec<rustix::process::Pid> {
    let Ok(output) = Command::new("ip").args(["netns", "pids", name]).stderr(Stdio::null()).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse::<i32>().ok())
        .filter(|&p| p != std::process::id() as i32)
        .filter_map(rustix::process::Pid::from_raw)
        .collect()
}

fn remove_namespace(name: &str) {
    // A namespace lives as long as a process in it: end them (SIGTERM, then SIGKILL after a
    // grace period) so nothing of the run keeps answering, then the name, the veth pair and the
    // files go.
    let remaining = processes_in(name);
    for pid in &remaining {
        let _ = rustix::process::kill_process(*pid, rustix::process::Signal::TERM);
    }
    for _ in 0..20 {
        if processes_in(name).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for pid in processes_in(name) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
    let _ = Command::new("ip").args(["netns", "delete", name]).stderr(Stdio::null()).status();
    let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(name));
}

/// Moves the calling thread into namespace `name`; threads it starts afterwards are there too.
pub fn enter(name: &str) -> anyhow::Result<()> {
    let path = PathBuf::from("/var/run/netns").join(name);
    let file = std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    rustix::thread::move_into_link_name_space(
        std::os::fd::AsFd::as_fd(&file),
        Some(rustix::thread::LinkNameSpaceType::Network),
    )
    .with_context(|| format!("cannot enter network namespace {name}"))?;
    Ok(())
}

/// The pid in a namespace name this module made, if it is one.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &rest[digits.len()..];
    (suffix == "-app" || suffix == "-az").then(|| digits.parse().ok()).flatten()
}

/// Removes the namespaces of runs that no longer exist (killed with SIGKILL, or a crash); returns
/// their names. Namespaces of a run still going are left alone.
pub fn cleanup_leftovers() -> anyhow::Result<Vec<String>> {
    let output = Command::new("ip").args(["netns", "list"]).output().context("cannot run `ip netns list`")?;
    let mut removed = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(pid) = owner_pid(name) else { continue };
        if PathBuf::from(format!("/proc/{pid}")).exists() && pid != std::process::id() {
            continue;
        }
        remove_namespace(name);
        removed.push(name.to_string());
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_this_module_makes_have_an_owner() {
        assert_eq!(owner_pid("plrun4242-app"), Some(4242));
        assert_eq!(owner_pid("plrun4242-az"), Some(4242));
        assert_eq!(owner_pid("plrun4242-other"), None);
        assert_eq!(owner_pid("plsrv-4242"), None);
        assert_eq!(owner_pid("plrun-app"), None);
    }
}
