//! The HTML report in a real browser: `diagnose --format html` is opened in headless Chromium
//! (Debian's `chromium`), and the tests check the DOM the browser built (what a person sees:
//! finding titles, counts, the cause tree, escaped hostile data), a screenshot and a print to PDF.
//!
//! Without chromium these tests are reported as ignored with the reason; with `CI=true` they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{root, stdout, syncdoctor};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::Value;

const EXAMPLE: &str = "examples/expired-service-account-password.json";
const SCENARIO: &str = "tests/scenarios/connect-data-quality-duplicates/snapshot.json";

fn main() {
    let mut args = Arguments::from_args();
    // One browser at a time: the machine is small and each one is heavy.
    args.test_threads.get_or_insert(1);
    let tests = vec![
        browser_test("example_report_shows_titles_counts_and_tree", example_report),
        browser_test("scenario_report_counts_each_rule_once", scenario_report),
        browser_test("hostile_snapshot_text_stays_text", hostile_snapshot),
        browser_test("min_severity_hides_and_counts_in_the_page", threshold_report),
        browser_test("screenshot_and_print_to_pdf", screenshot_and_pdf),
    ];
    libtest_mimic::run(&args, tests).exit();
}

fn browser_test(name: &'static str, body: fn(&Path) -> Result<(), Failed>) -> Trial {
    Trial::ignorable_test(name, move || match chromium() {
        Some(browser) => body(&browser).map(|()| Completion::Completed),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            Err("chromium is required when CI=true (apt-get install chromium)".into())
        }
        None => Ok(Completion::ignored_with("chromium not installed (apt-get install chromium)")),
    })
}

/// The browser: `SYNCDOCTOR_CHROMIUM`, else `chromium` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SYNCDOCTOR_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("chromium")).find(|p| p.is_file())
}

/// Runs headless chromium on `page` with extra arguments; returns standard output.
///
/// Standard output and error go to files, not pipes: a DOM larger than a pipe's buffer would
/// otherwise block chromium until the deadline.
fn run_browser(browser: &Path, page: &Path, extra: &[String]) -> Result<String, Failed> {
    let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
    let stdout_path = profile.path().join("stdout.txt");
    let stderr_path = profile.path().join("stderr.txt");
    let file = |p: &Path| std::fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(file(&stdout_path)?)
        .stderr(file(&stderr_path)?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", browser.display()))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            return Err(format!("chromium did not finish within 120 s: {stderr}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        return Err(format!("chromium failed ({status}): {stderr}").into());
    }
    std::fs::read_to_string(&stdout_path).map_err(|e| format!("cannot read chromium's output: {e}").into())
}

/// Writes `diagnose SNAPSHOT --format html ARGS` to a file and returns the DOM chromium built.
fn render_and_load(browser: &Path, dir: &Path, snapshot: &str, args: &[&str]) -> Result<Dom, Failed> {
    let mut all = vec!["diagnose", snapshot, "--format", "html"];
    all.extend_from_slice(args);
    let out = syncdoctor(&all);
    if out.status.code() == Some(2) {
        return Err(format!("diagnose failed: {}", common::stderr(&out)).into());
    }
    let page = dir.join("report.html");
    std::fs::write(&page, &out.stdout).map_err(|e| e.to_string())?;
    let dom = run_browser(browser, &page, &["--dump-dom".into()])?;
    if !dom.contains("</html>") {
        return Err(format!("no DOM dumped: {dom}").into());
    }
    Ok(Dom(dom))
}

/// The JSON report of the same snapshot (the expectations come from it).
fn json_report(snapshot: &str, args: &[&str]) -> Value {
    let mut all = vec!["diagnose", snapshot, "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&stdout(&syncdoctor(&all))).expect("JSON report")
}

/// Every matched finding of a JSON report (nested ones included), once per rule: (id, title).
fn matched(report: &Value) -> Vec<(String, String)> {
    fn walk(findings: &Value, out: &mut Vec<(String, String)>) {
        for f in findings.as_array().into_iter().flatten() {
            let id = f["rule_id"].as_str().unwrap_or_default().to_owned();
            if f["outcome"] == "match" && !out.iter().any(|(i, _)| *i == id) {
                out.push((id, f["title"].as_str().unwrap_or_default().to_owned()));
            }
            walk(&f["explains"], out);
        }
    }
    let mut out = Vec::new();
    walk(&report["findings"], &mut out);
    out
}

/// The DOM as chromium serialized it.
struct Dom(String);

impl Dom {
    /// The visible text: tags removed (script and style content too), entities decoded,
    /// whitespace collapsed.
    fn text(&self) -> String {
        let mut s = self.0.clone();
        for tag in ["script", "style"] {
            while let Some(start) = s.find(&format!("<{tag}")) {
                let end = s[start..].find(&format!("</{tag}>")).map_or(s.len(), |e| start + e + tag.len() + 3);
                s.replace_range(start..end, " ");
            }
        }
        let mut text = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Each `<article data-rule=…>` with the rule of the article it is inside (None at the top).
    fn articles(&self) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = Vec::new();
        let mut rest = self.0.as_str();
        loop {
            let open = rest.find("<article");
            let close = rest.find("</article>");
            match (open, close) {
                (Some(o), c) if c.is_none_or(|c| o < c) => {
                    let tag_end = rest[o..].find('>').map_or(rest.len(), |e| o + e);
                    let tag = &rest[o..tag_end];
                    let rule = tag
                        .split("data-rule=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or_default()
                        .to_owned();
                    out.push((rule.clone(), stack.last().cloned()));
                    stack.push(rule);
                    rest = &rest[tag_end..];
                }
                (_, Some(c)) => {
                    stack.pop();
                    rest = &rest[c + "</article>".len()..];
                }
                _ => break,
            }
        }
        out
    }

    /// How many elements of the DOM have this tag name.
    fn count_tag(&self, tag: &str) -> usize {
        self.0.matches(&format!("<{tag}")).count()
    }
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(what.into().into()) }
}

fn example_report(browser: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dom = render_and_load(browser, dir.path(), EXAMPLE, &[])?;
    let text = dom.text();
    let report = json_report(EXAMPLE, &[]);
    for (id, title) in matched(&report) {
        check(text.contains(&title), format!("title of {id} not visible: {title}\n{text}"))?;
    }
    let host = report["snapshot"]["host"].as_str().unwrap_or_default();
    check(text.contains(&format!("syncdoctor report: {host}")), format!("host not in the heading: {text}"))?;
    check(text.contains(report["snapshot"]["collected_at"].as_str().unwrap_or("?")), "collection time not shown")?;
    for s in ["critical", "error", "warning", "info"] {
        let n = report["summary"]["severities"][s].as_u64().unwrap_or(0);
        check(text.contains(&format!("{n} {s}")), format!("severity card `{n} {s}` not visible: {text}"))?;
    }
    let problems = report["summary"]["outcomes"]["match"].as_u64().unwrap_or(0);
    check(
        problems > 0 && text.contains(&format!("{problems} problems")),
        format!("problem count not visible: {text}"),
    )?;
    // The cause tree: the expired password explains the stopped service, which explains more.
    let articles = dom.articles();
    check(
        articles.contains(&("adsync-service-stopped".into(), Some("service-account-password-expired".into()))),
        format!("adsync-service-stopped is not nested under its cause: {articles:?}"),
    )?;
    check(articles.iter().filter(|(_, parent)| parent.is_none()).count() >= 1, "no top-level finding")?;
    // Fix steps, commands with a copy button, article links.
    check(dom.0.contains("<ol class=\"steps\">"), "no numbered fix steps")?;
    check(dom.0.contains("class=\"copy\""), "no copy button")?;
    check(dom.0.contains("href=\"https://learn.microsoft.com/"), "no article link")?;
    check(text.contains("Evidence"), "no evidence table")?;
    Ok(())
}

fn scenario_report(browser: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dom = render_and_load(browser, dir.path(), SCENARIO, &[])?;
    let text = dom.text();
    let report = json_report(SCENARIO, &[]);
    let unique = matched(&report);
    for (id, title) in &unique {
        check(text.contains(title.as_str()), format!("title of {id} not visible"))?;
    }
    // A rule explained by several causes is shown in full once; other places refer to it.
    let full: Vec<String> = dom
        .0
        .match_indices("<article ")
        .filter_map(|(i, _)| {
            let tag = &dom.0[i..i + dom.0[i..].find('>').unwrap_or(0)];
            tag.contains(" id=\"rule-").then(|| tag.to_owned())
        })
        .collect();
    check(full.len() == unique.len(), format!("{} findings in full for {} matched rules", full.len(), unique.len()))?;
    check(
        text.contains("Also explains") && text.contains("(shown in full above)"),
        "no reference to a finding shown above",
    )?;
    check(dom.0.contains("<a href=\"#rule-"), "the reference does not link to the finding shown in full")?;
    let problems = report["summary"]["outcomes"]["match"].as_u64().unwrap_or(0) as usize;
    check(problems == unique.len(), format!("summary counts {problems}, {} unique rules", unique.len()))?;
    check(text.contains(&format!("{problems} problems")), "problem count not visible")?;
    // Affected objects as a table with their fields as columns.
    check(dom.0.contains("<table class=\"affected\">"), "no affected table")?;
    check(text.contains("CN=Petra Hoffmann,OU=IT,OU=Corp,DC=contoso,DC=com"), "affected item not visible")?;
    Ok(())
}

fn hostile_snapshot(browser: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(root().join(EXAMPLE)).map_err(|e| e.to_string())?;
    let mut snapshot: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let attack = "<img src=x onerror=\"document.title='pwned'\"></title><script>document.title='pwned'</script>";
    snapshot["facts"]["host"]["fqdn"] = Value::String(format!("sync01{attack}"));
    snapshot["facts"]["services"]["adsync"]["logon_account"] = Value::String(format!("CONTOSO\\svc{attack}"));
    let path = common::write_json(dir.path(), "hostile.json", &snapshot);
    let dom = render_and_load(browser, dir.path(), &path, &[])?;
    check(!dom.0.contains("<img"), "an <img> element from the snapshot was created")?;
    check(
        dom.count_tag("script") == 1,
        format!("{} <script> elements (only the report's own)", dom.count_tag("script")),
    )?;
    check(!dom.0.contains("<title>pwned"), "the snapshot changed the page title")?;
    let text = dom.text();
    check(text.contains(&format!("syncdoctor report: sync01{attack}")), "the hostile host name is not shown as text")?;
    check(text.contains("svc<img src=x"), format!("the hostile logon account is not shown as text: {text}"))?;
    Ok(())
}

fn threshold_report(browser: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let full = json_report(SCENARIO, &[]);
    let total = full["summary"]["outcomes"]["match"].as_u64().unwrap_or(0);
    let filtered = json_report(SCENARIO, &["--min-severity", "error"]);
    let hidden = filtered["summary"]["hidden"]["matches"].as_u64().unwrap_or(0);
    let shown = filtered["summary"]["outcomes"]["match"].as_u64().unwrap_or(0);
    check(shown + hidden == total && hidden > 0, format!("shown {shown} + hidden {hidden} != {total}"))?;
    let dom = render_and_load(browser, dir.path(), SCENARIO, &["--min-severity", "error"])?;
    let text = dom.text();
    check(text.contains(&format!("Hidden: {hidden} match")), format!("hidden count not visible: {text}"))?;
    for (id, title) in matched(&full) {
        let visible = matched(&filtered).iter().any(|(i, _)| *i == id);
        check(
            text.contains(&title) == visible,
            format!("{id}: shown in the page = {}, in the JSON = {visible}", !visible),
        )?;
    }
    Ok(())
}

fn screenshot_and_pdf(browser: &Path) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = syncdoctor(&["diagnose", EXAMPLE, "--format", "html"]);
    let page = dir.path().join("report.html");
    std::fs::write(&page, &out.stdout).map_err(|e| e.to_string())?;
    let png = dir.path().join("shot.png");
    run_browser(
        browser,
        &page,
        &[format!("--screenshot={}", png.display()), "--window-size=1280,2000".into(), "--hide-scrollbars".into()],
    )?;
    let bytes = std::fs::read(&png).map_err(|e| format!("no screenshot: {e}"))?;
    check(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG")?;
    // A blank page compresses to a few kilobytes; a rendered report is much larger.
    check(bytes.len() > 30_000, format!("the screenshot is suspiciously small ({} bytes)", bytes.len()))?;
    let pdf = dir.path().join("report.pdf");
    run_browser(browser, &page, &[format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".into()])?;
    let bytes = std::fs::read(&pdf).map_err(|e| format!("no PDF: {e}"))?;
    check(bytes.starts_with(b"%PDF-"), "the print is not a PDF")?;
    check(bytes.len() > 20_000, format!("the PDF is suspiciously small ({} bytes)", bytes.len()))?;
    Ok(())
}
