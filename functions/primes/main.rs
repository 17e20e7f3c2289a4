//! primes - a novo function in Rust: /fn/primes?n=100 lists the primes up
//! to n (at most 1000000) with a sieve of Eratosthenes.
//!
//! Built by functions/primes/rules.mk with rustc and `crt-static`: one
//! static executable, no cargo, no crates, no network.

use std::env;
use std::io::{self, Write};

const N_MAX: usize = 1_000_000;

/// The value of `key` in a query string such as "n=100&x=y".
fn query_param<'a>(qs: &'a str, key: &str) -> Option<&'a str> {
    qs.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn sieve(n: usize) -> Vec<usize> {
    let mut composite = vec![false; n + 1];
    let mut primes = Vec::new();
    for i in 2..=n {
        if composite[i] {
            continue;
        }
        primes.push(i);
        let mut j = i * i;
        while j <= n {
            composite[j] = true;
            j += i;
        }
    }
    primes
}

fn main() -> io::Result<()> {
    let qs = env::var("QUERY_STRING").unwrap_or_default();
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());

    let n = match query_param(&qs, "n").map(str::parse::<usize>) {
        Some(Ok(n)) if n <= N_MAX => n,
        _ => {
            write!(out, "Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n")?;
            writeln!(out, "primes: expected ?n=0..{}, e.g. ?n=100", N_MAX)?;
            return out.flush();
        }
    };
    let primes = sieve(n);
    write!(out, "Content-Type: text/plain\r\n\r\n")?;
    writeln!(out, "{} primes up to {}:", primes.len(), n)?;
    for p in primes {
        writeln!(out, "{}", p)?;
    }
    out.flush()
}
