//! Tauri embeds `app-ui/dist` at compile time. On a clone where the front end
//! has not been built yet (`npm --prefix app-ui run build`), a placeholder page
//! keeps `cargo build/test/clippy --workspace` working without Node.
fn main() {
    // Read when the script runs, not when it was compiled: a build script
    // compiled for another checkout sharing the target directory is reused.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dist = std::path::Path::new(&manifest).join("../../app-ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(&dist).expect("create app-ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Tsunagi</title><p>画面がビルドされていません。npm --prefix app-ui run build / the UI is not built: npm --prefix app-ui run build</p>",
        )
        .expect("write placeholder");
        println!(
            "cargo:warning=app-ui/dist is missing; embedded a placeholder page. Run `npm --prefix app-ui run build`."
        );
    }
    // Run again once the real UI is built, so the warning above goes away.
    println!("cargo:rerun-if-changed=../../app-ui/dist/index.html");
    tauri_build::build()
}
