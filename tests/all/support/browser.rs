//! A real headless Chromium driven over WebDriver (Debian's chromium + chromium-driver).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

const DRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/lib/chromium/chromium";

impl Browser {
    pub async fn start() -> Self {
        // fantoccini and reqwest enable both of rustls' crypto providers; choose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        assert!(
            std::path::Path::new(DRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "browser tests need Debian's chromium and chromium-driver: `apt-get install chromium chromium-driver` (.ci/test installs them)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self {
            client,
            driver,
            _profile: profile,
        }
    }

    /// The text of the first element matching `css` (fails the test if there is none).
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// The text of `css`, or None while htmx is swapping it (the element went stale).
    pub async fn try_text(&self, css: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .ok()?
            .text()
            .await
            .ok()
    }

    /// Click the first element `target` finds (fails the test if there is none).
    pub async fn click(&self, target: Locator<'_>) {
        self.client
            .find(target)
            .await
            .unwrap_or_else(|e| panic!("{target:?}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Type `keys` into the field `css` (for a file input: the file's path).
    pub async fn type_into(&self, css: &str, keys: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(keys)
            .await
            .unwrap();
    }

    /// Wait (up to fantoccini's default) until `target` is on the page.
    pub async fn wait_for(&self, target: Locator<'_>) {
        self.client
            .wait()
            .for_element(target)
            .await
            .unwrap_or_else(|e| panic!("waiting for {target:?}: {e}"));
    }

    /// Click the link `link` and wait until the page it leads to shows `then`.
    pub async fn follow(&self, link: Locator<'_>, then: Locator<'_>) {
        self.click(link).await;
        self.wait_for(then).await;
    }

    /// The path of the page the browser is on.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// Save a screenshot for people to look at (target/browser-screenshots/<name>.png).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
