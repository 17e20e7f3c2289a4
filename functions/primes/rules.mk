# primes: Rust, static (crt-static links glibc in). rustc alone: no cargo, no network.
# Included before the Makefile's "all": keep "all" the default goal.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
RUSTC ?= rustc
FN_EXTRA += functions/primes/primes
functions/primes/primes: functions/primes/main.rs
	$(RUSTC) --edition 2021 -O -D warnings -C target-feature=+crt-static -o $@ $<
