//! Splits the browser bundle at its lazy routes, as `cargo leptos build --split` does:
//! `aida-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm OUTPUT_NAME`.
//!
//! Writes the lazily loaded chunks and their loader (`__wasm_split.…js`) into PKG_DIR, the main
//! module, which wasm-bindgen still has to process, to MAIN_OUT, and beside it
//! `split-manifest.json`: the chunks each lazy route needs (scripts/bench adds up their sizes).
//!
//! The manifest stays out of PKG_DIR on purpose: finding it there, Leptos would add a
//! `<link rel="preload">` to every page for each of the page's chunks (dozens), which costs every
//! server render; without it the loader fetches a page's chunks together once the main module
//! runs.

use std::path::Path;
use std::process::ExitCode;

/// The loader's name as Leptos expects it when files are not hashed.
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, main_out, output_name] = args.as_slice() else {
        eprintln!("usage: aida-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm OUTPUT_NAME");
        return ExitCode::from(2);
    };
    let wasm = match std::fs::read(input) {
        Ok(wasm) => wasm,
        Err(e) => {
            eprintln!("aida-wasm-split: reading {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let main_module = format!("./{output_name}.js");
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = Path::new(pkg_dir);
    opts.main_out_path = Path::new(main_out);
    opts.main_module = &main_module;
    opts.link_name = LINK_NAME;
    match wasm_split_cli_support::transform(opts) {
        Ok(split) => {
            let manifest = Path::new(main_out).with_file_name("split-manifest.json");
            let json = serde_json::to_string_pretty(&split.prefetch_map).expect("a map of strings");
            if let Err(e) = std::fs::write(&manifest, json) {
                eprintln!("aida-wasm-split: writing {}: {e}", manifest.display());
                return ExitCode::FAILURE;
            }
            println!(
                "split into the main module and {} lazily loaded chunks",
                split.split_modules.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aida-wasm-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}
