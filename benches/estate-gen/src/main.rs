//! `estate-gen --resources N --seed S --out DIR`: see the library's documentation.

use std::path::PathBuf;

fn usage() -> ! {
    eprintln!("usage: estate-gen --resources N --seed S --out DIR");
    std::process::exit(2)
}

fn main() {
    let mut resources = None;
    let mut seed = None;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--resources" => resources = value().parse::<usize>().ok(),
            "--seed" => seed = value().parse::<u64>().ok(),
            "--out" => out = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    let (Some(resources), Some(seed), Some(out)) = (resources, seed, out) else { usage() };
    match estate_gen::write(resources, seed, &out) {
        Ok(summary) => println!("{summary}"),
        Err(e) => {
            eprintln!("estate-gen: {}: {e}", out.display());
            std::process::exit(1)
        }
    }
}
