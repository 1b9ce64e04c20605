# slipway — build, run, test. See README.md.
#
#   make            build/slipway (release)
#   make run        set-up, then the nightly runs on samples/ into build/out*/
#   make test       set-up, then unit, end-to-end and stress tests (ASan+UBSan, TSan)
#   make sanitize   test, then slipway itself under TSan at 1, 2 and 8 threads
#   make faults     failed and killed runs: every injected I/O failure, kill -9 x FAULT_RUNS
#   make bench      slipway against the floor and a DuckDB peer (bench/README.md); make profile
#   make fuzz       libFuzzer harnesses (tests/fuzz/), FUZZ_SECONDS each, one at a time
#   make fuzz-smoke each harness ~10 s over the committed corpus (part of make test)
#   make install    $(PREFIX)/bin/slipway
#   make format / format-check / clean

CC      ?= cc
PREFIX  ?= /usr/local
CSTD    = -std=c11 -D_POSIX_C_SOURCE=200809L -pthread
WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wvla -Wformat=2 -Wundef -Wcast-align
RELEASE = -O2 -g -DNDEBUG -fno-omit-frame-pointer
TESTFL  = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSANFL  = -O1 -g -fsanitize=thread
LDLIBS  = -lcsv -lzstd -lcrypto -lxlsxwriter -pthread
# libFuzzer harnesses: clang only. Library objects get fuzzer-no-link (coverage without
# libFuzzer's main), the harnesses are linked with -fsanitize=fuzzer.
FUZZCC  = clang
FUZZFL  = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

RUN_DATE = 2026-11-27

LIB_SRC  = $(sort $(wildcard formats/*.c) $(filter-out engine/main.c,$(wildcard engine/*.c)) \
             $(wildcard engine/*/*.c))
TESTS    = $(patsubst tests/%.c,%,$(sort $(wildcard tests/test_*.c)))
STRESS   = $(patsubst tests/%.c,%,$(sort $(wildcard tests/stress_*.c)))
FUZZERS  = $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

obj = $(patsubst %.c,build/$(1)/%.o,$(2))

# ---- Debian packages -------------------------------------------------------------------
# Installed when run as root; otherwise the exact command is printed and make stops.
RUN_PKGS  = gcc make libc6-dev libcsv-dev libzstd-dev libssl-dev zstd libxlsxwriter-dev
# make test-slurm starts a one-node Slurm cluster of its own (tests/slurm.sh)
SLURM_PKGS = slurm-wlm slurmctld slurmd slurm-client munge
TEST_PKGS = $(RUN_PKGS) libcriterion-dev strace clang libclang-rt-14-dev chromium man-db unzip \
            $(SLURM_PKGS)
# make bench's DuckDB peer runs on node; installed only when the node or npm command is
# missing (a machine may have them from elsewhere), only for make bench.
BENCH_PKGS = nodejs npm

define ensure_pkgs
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "slipway: installing Debian packages:$$missing"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing \
	      >/dev/null || exit 1; \
	  else \
	    echo "slipway: missing Debian packages:$$missing"; \
	    echo "run:  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

.PHONY: all deps test-deps run test unit golden shards test-slurm cli outdir chain reconcile report browser xlsx installed \
        history verify \
        hostile faults-smoke faults \
        stress tsan-run threads budget sanitize install format format-check clean bench bench-smoke profile \
        bench-node bench-duckdb \
        fuzz fuzz-smoke fuzz-build

all: build/slipway

deps:
	$(call ensure_pkgs,$(RUN_PKGS))

test-deps:
	$(call ensure_pkgs,$(TEST_PKGS))

# ---- objects per configuration ---------------------------------------------------------
build/release/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [release] $<"
	@$(CC) $(CSTD) $(WARN) $(RELEASE) -MMD -MP -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [asan] $<"
	@$(CC) $(CSTD) $(WARN) $(TESTFL) -MMD -MP -c $< -o $@

build/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [tsan] $<"
	@$(CC) $(CSTD) $(WARN) $(TSANFL) -MMD -MP -c $< -o $@

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [fuzz] $<"
	@$(FUZZCC) $(CSTD) $(WARN) $(FUZZFL) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/slipway: $(call obj,release,$(LIB_SRC) engine/main.c)
	@echo "  LD $@"
	@$(CC) $(RELEASE) $^ -o $@ $(LDLIBS)

build/asan/slipway: $(call obj,asan,$(LIB_SRC) engine/main.c)
	@echo "  LD $@"
	@$(CC) $(TESTFL) $^ -o $@ $(LDLIBS)

build/tsan/slipway: $(call obj,tsan,$(LIB_SRC) engine/main.c)
	@echo "  LD $@"
	@$(CC) $(TSANFL) $^ -o $@ $(LDLIBS)

build/bench/%: build/release/bench/%.o $(call obj,release,$(LIB_SRC))
	@echo "  LD $@"
	@mkdir -p $(dir $@)
	@$(CC) $(RELEASE) $^ -o $@ $(LDLIBS) -lm

build/asan/test_%: build/asan/tests/test_%.o $(call obj,asan,$(LIB_SRC))
	@echo "  LD $@"
	@$(CC) $(TESTFL) $^ -o $@ $(LDLIBS) -lcriterion

build/tsan/stress_%: build/tsan/tests/stress_%.o $(call obj,tsan,$(LIB_SRC))
	@echo "  LD $@"
	@$(CC) $(TSANFL) $^ -o $@ $(LDLIBS)

build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o $(call obj,fuzz,$(LIB_SRC))
	@echo "  LD $@"
	@$(FUZZCC) $(FUZZFL) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

# Test objects are intermediate files to make; keep them so a rerun relinks nothing.
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- the nightly run on samples/ -------------------------------------------------------
SAMPLE_ARGS = --catalog samples/catalog.csv --inventory samples/inventory.csv \
              --policy samples/policy.conf --orders samples/orders_shop.csv \
              --orders samples/orders_marketplace.csv.zst --orders samples/orders_wholesale.csv \
              --run-date $(RUN_DATE)

# One file per marketplace layout, recognised by --format auto; the Kaufhaus file has no
# built-in layout and is read through its mapping (samples/marketplaces/README.md).
MARKET = samples/marketplaces
MARKET_REF = --catalog $(MARKET)/catalog.csv --inventory $(MARKET)/inventory.csv \
             --policy $(MARKET)/policy.conf --run-date $(RUN_DATE)
# The EU/US night of issue 14's sourcing keys: routes, a channel's warehouses, split,
# reserves, caps, cut-off; and the same night under the shortage rules, proportional
# shares and minimum fills (samples/sourcing/README.md).
SOURCING = samples/sourcing
SOURCING_NIGHT = --catalog $(SOURCING)/catalog.csv --inventory $(SOURCING)/inventory.csv \
                 --orders $(SOURCING)/orders_shop.csv --orders $(SOURCING)/orders_amazon.csv \
                 --run-date $(RUN_DATE)
SOURCING_ARGS = $(SOURCING_NIGHT) --policy $(SOURCING)/policy.conf
SOURCING_FAIR_ARGS = $(SOURCING_NIGHT) --policy $(SOURCING)/policy-fair.conf
RECONCILE = samples/reconcile
RECONCILE_FILES = shopify_payouts_2026-11-30.csv shopify_payouts_2026-12-07.csv \
                  amazon_settlement_11223344.txt amazon_settlement_11223345.txt \
                  ebay_transactions_2026-12-01.csv paypal_activity_2026-11-30.csv \
                  paypal_aktivitaet_2026-11-30.csv stripe_payout_reconciliation_2026-11-30.csv
MARKET_FILES = shopify_orders_export_2026-11-26.csv amazon_orders_2026-11-26.txt \
               amazon_all_orders_2026-11-26.txt woocommerce_orders_2026-11-26.csv \
               ebay_orders_2026-11-26.csv tmall_orders_2026-11-26.csv

run: deps
	@$(MAKE) --no-print-directory build/slipway
	@rm -rf build/out build/out-marketplaces build/out-kaufhaus build/out-sourcing \
	    build/out-sourcing-fair build/out-night2 build/out-reconcile build/out-reconcile-kaufhaus
	./build/slipway run $(SAMPLE_ARGS) --xlsx --out build/out
	./build/slipway run $(MARKET_REF) $(addprefix --orders $(MARKET)/,$(MARKET_FILES)) \
	    --out build/out-marketplaces
	./build/slipway run $(MARKET_REF) --orders $(MARKET)/kaufhaus_bestellungen_2026-11-26.csv \
	    --format map:$(MARKET)/kaufhaus.map --out build/out-kaufhaus
	./build/slipway run $(SOURCING_ARGS) --out build/out-sourcing
	./build/slipway run $(SOURCING_FAIR_ARGS) --out build/out-sourcing-fair
	@# Finance (samples/reconcile): a second marketplace night with returns, then what the
	@# marketplaces paid for both nights against what shipped and was refunded.
	./build/slipway run -q --catalog $(MARKET)/catalog.csv --policy $(MARKET)/policy.conf \
	    --inventory build/out-marketplaces/inventory.csv \
	    --orders $(RECONCILE)/night2/orders.csv --returns $(RECONCILE)/night2/returns.csv \
	    --history build/out-marketplaces --run-date 2026-11-28 --out build/out-night2
	./build/slipway reconcile --history build/out-marketplaces --history build/out-night2 \
	    $(addprefix --payouts $(RECONCILE)/,$(RECONCILE_FILES)) --as-of 2026-12-21 \
	    --out build/out-reconcile
	@# Kaufhaus pays through a settlement slipway has no layout for: read with a mapping.
	./build/slipway reconcile --history build/out-kaufhaus \
	    --payout-map $(RECONCILE)/kaufhaus_payouts.map \
	    --payouts $(RECONCILE)/kaufhaus_abrechnung_2026-12.csv --as-of 2026-12-21 \
	    --out build/out-reconcile-kaufhaus
	@# Finance's check, independent of the engine: every invariant re-counted from the files.
	./build/slipway verify build/out
	./build/slipway verify build/out-sourcing
	./build/slipway verify build/out-sourcing-fair
	./build/slipway verify build/out-reconcile
	./build/slipway verify build/out-reconcile-kaufhaus

# ---- tests -----------------------------------------------------------------------------
test: test-deps
	@$(MAKE) --no-print-directory unit golden shards test-slurm cli outdir chain reconcile report \
	    browser xlsx installed \
	    history verify hostile faults-smoke stress \
	    tsan-run threads budget fuzz-smoke bench-smoke

# Criterion runs each test in a child whose leak report does not fail the test: a report
# in the output does.
unit: $(addprefix build/asan/,$(TESTS))
	@set -e; for t in $^; do echo "== $$t"; \
	    ASAN_OPTIONS=detect_leaks=1 ./$$t --jobs 2 >build/unit.log 2>&1 || { cat build/unit.log; exit 1; }; \
	    cat build/unit.log; \
	    if grep -q 'ERROR: LeakSanitizer' build/unit.log; then echo "$$t: a test leaks (above)"; exit 1; fi; \
	done

golden: build/asan/slipway
	@sh tests/golden.sh build/asan/slipway

cli: build/asan/slipway
	@sh tests/cli.sh build/asan/slipway

# A sharded night (map tasks and the finishing task as separate processes through a work
# folder) writes the golden bytes at 1, 2 and 8 shards; SHARDS="1 2 3 4 5 6 7 8" for all.
SHARDS ?= 1 2 8
shards: build/asan/slipway build/bench/gen
	@sh tests/shards.sh build/asan/slipway $(SHARDS)

# The same through real sbatch on a one-node cluster this test starts (as root), a map
# task cancelled mid-way and the night submitted again (tests/slurm.sh).
test-slurm: test-deps build/slipway
	@sh tests/slurm.sh build/slipway

# The output folder's neighbourhood: planted links, stale and live temporary folders,
# signals, a closed stdout, permissions (tests/outdir.sh).
outdir: build/asan/slipway
	@sh tests/outdir.sh build/asan/slipway

chain: build/asan/slipway
	@sh tests/chain.sh build/asan/slipway

# slipway reconcile on the worked example (samples/reconcile, tests/reconcile.sh).
reconcile: build/asan/slipway
	@sh tests/reconcile.sh build/asan/slipway

# report.html: its figures are summary.json's, it loads nothing (tests/report.sh); and in
# Debian's chromium, headless, with screenshots in build/artefacts/ (tests/browser.sh).
report: build/asan/slipway
	@sh tests/report.sh build/asan/slipway
browser: build/slipway
	@sh tests/browser.sh build/slipway

# slipway.xlsx read back cell by cell against the CSV files (tests/xlsx.sh).
xlsx: build/asan/slipway
	@sh tests/xlsx.sh build/asan/slipway

# make install into a scratch PREFIX: man slipway, completions, docs (tests/install.sh);
# slipway init's templates run as they are (tests/init.sh).
installed: build/asan/slipway
	@sh tests/install.sh
	@sh tests/init.sh build/asan/slipway

# What --history is trusted with: same-date waves, copies, channels (tests/history.sh).
history: build/asan/slipway
	@sh tests/history.sh build/asan/slipway

# Nasty files (empty, truncated, NUL, bad UTF-8, 10 MB fields, ...): tests/hostile/README.md.
hostile: build/asan/slipway
	@sh tests/hostile.sh build/asan/slipway

# Verify's own end-to-end test under ASan, then its memory against a large history with the
# release binary (ASan's shadow memory would hide the growth the test looks for).
verify: build/asan/slipway build/slipway build/bench/gen build/bench/timeit
	@sh tests/verify.sh build/asan/slipway
	@sh tests/verify_memory.sh build/slipway build/bench/gen build/bench/timeit

# Failed and killed runs (tests/faults.sh): injected write, fsync and rename failures, a
# read-only parent, a full tmpfs, the fsync order under strace, kill -9 at seeded random
# moments of a large run. The release binary, since the injection is an LD_PRELOAD shim.
FAULT_BINS = build/slipway build/bench/gen build/asan/slipway

faults-smoke: $(FAULT_BINS)
	@FAULT_RUNS=$${FAULT_RUNS:-5} sh tests/faults.sh $(FAULT_BINS)

faults: $(FAULT_BINS)
	@FAULT_RUNS=$${FAULT_RUNS:-200} FAULT_FULL=1 sh tests/faults.sh $(FAULT_BINS)

stress: $(addprefix build/tsan/,$(STRESS))
	@set -e; for t in $^; do echo "== $$t"; TSAN_OPTIONS=halt_on_error=1 ./$$t; done
	@# A seed that once found a bug (a give-back of an uncontended order under reserves
	@# and min_fill_order_pct), kept as a fixed case beside the random one.
	@echo "== build/tsan/stress_alloc, ENG_SEED=1796661300"; \
	  ENG_SEED=1796661300 TSAN_OPTIONS=halt_on_error=1 ./build/tsan/stress_alloc

# A night the writers cut into many ranges, under TSan at 1, 2 and 8 threads: the same
# bytes, and verify accepts it (tests/threads.sh).
threads: build/tsan/slipway build/bench/gen
	@sh tests/threads.sh build/tsan/slipway build/bench/gen

# The memory estimate against the lines read and the peak, and the early refusal (exit 3)
# under --memory-limit and ulimit -v (tests/budget.sh).
budget: build/slipway build/bench/gen
	@sh tests/budget.sh build/slipway build/bench/gen

# The whole binary under ThreadSanitizer on the samples, outputs checked as in golden.
tsan-run: build/tsan/slipway
	@TSAN_OPTIONS=halt_on_error=1 sh tests/golden.sh build/tsan/slipway samples
	@TSAN_OPTIONS=halt_on_error=1 sh tests/reconcile.sh build/tsan/slipway
	@rm -rf build/tsan-progress && TSAN_OPTIONS=halt_on_error=1 ./build/tsan/slipway run \
	    $(SAMPLE_ARGS) --progress --quiet --out build/tsan-progress 2>/dev/null && \
	  TSAN_OPTIONS=halt_on_error=1 ./build/tsan/slipway verify build/tsan-progress --progress \
	    --quiet 2>/dev/null >/dev/null && rm -rf build/tsan-progress && \
	  echo "tsan: run and verify with --progress ok"

sanitize: test build/tsan/slipway
	@set -e; for n in 1 2 8; do \
	  rm -rf build/tsan-out-$$n; \
	  TSAN_OPTIONS=halt_on_error=1 ./build/tsan/slipway run $(SAMPLE_ARGS) --threads $$n \
	    --out build/tsan-out-$$n >/dev/null; \
	  echo "tsan: $$n threads ok"; \
	done

# ---- benchmarks (bench/README.md) -------------------------------------------------------
BENCH_TOOLS = build/slipway build/bench/gen build/bench/timeit build/bench/csvparse \
              build/bench/payoutgen

bench: deps
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  $(MAKE) --no-print-directory bench-node
	@$(MAKE) --no-print-directory $(BENCH_TOOLS) bench-duckdb
	@sh bench/bench.sh

bench-node:
	$(call ensure_pkgs,$(BENCH_PKGS))

# The DuckDB peer (bench/duckdb/) in build/duckdb: its script and SQL beside the
# @duckdb/node-api that npm ci installs from the npm registry as the committed
# package-lock.json pins it (its native library comes as an npm package too). Without
# node or npm, or when npm ci fails, one line says so and make bench runs without it.
DUCKDB_FILES = $(addprefix build/duckdb/,run.mjs night.sql)

build/duckdb/%: bench/duckdb/%
	@mkdir -p $(dir $@)
	@cp $< $@

build/duckdb/node_modules/.installed: bench/duckdb/package.json bench/duckdb/package-lock.json
	@mkdir -p build/duckdb
	@cp bench/duckdb/package.json bench/duckdb/package-lock.json build/duckdb/
	@echo "  NPM build/duckdb (@duckdb/node-api)"
	@cd build/duckdb && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 \
	  || { echo "bench: npm ci failed (build/duckdb/npm.log): the DuckDB peer is skipped"; exit 1; }
	@touch $@

bench-duckdb: $(DUCKDB_FILES)
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "bench: node or npm is absent: the DuckDB peer is skipped"; \
	else \
	  $(MAKE) -s --no-print-directory build/duckdb/node_modules/.installed || true; \
	fi

profile: deps
	@$(MAKE) --no-print-directory build/slipway build/bench/gen
	@sh bench/profile.sh

# make test's check that the benchmark still works end to end: tiny nights, one round,
# nothing written to bench/results; the DuckDB peer only with BENCH_DUCKDB=1 (it costs
# an npm install and seconds of CI time).
bench-smoke: $(BENCH_TOOLS)
	@if [ "$${BENCH_DUCKDB:-0}" = 1 ]; then $(MAKE) --no-print-directory bench-duckdb; fi
	@BENCH_ROWS=20000 BENCH_CONTENTION_ROWS=5000 BENCH_ROUTED_ROWS=20000 BENCH_PAYOUT_LINES=20000 \
	  BENCH_RUNS=1 BENCH_RESULTS= \
	  BENCH_DUCKDB=$${BENCH_DUCKDB:-0} BENCH_DATA=build/bench-smoke \
	  sh bench/bench.sh >build/bench-smoke.log 2>&1 || { cat build/bench-smoke.log; exit 1; }
	@grep -q '^| engine zst, 2 thr |' build/bench-smoke.log && \
	  grep -q '^| engine zst, 2 thr ÷ floor' build/bench-smoke.log && \
	  grep -q '^| contention ÷ one-line night' build/bench-smoke.log && \
	  grep -q '^| routed ÷ plain, the same night' build/bench-smoke.log && \
	  grep -q '^| reconcile ÷ zstd -dc of the same files' build/bench-smoke.log && \
	  { [ "$${BENCH_DUCKDB:-0}" != 1 ] || grep -q '^| DuckDB ÷ slipway, wall' build/bench-smoke.log; } \
	  && echo "bench-smoke: ok" || { cat build/bench-smoke.log; echo "bench-smoke: tables incomplete"; exit 1; }

# ---- fuzzing (tests/fuzz/README.md) -----------------------------------------------------
# Seeds are the committed tests/fuzz/corpus/<name>/ (read only); what a run finds goes to
# build/fuzz-corpus/<name>/, crashes to build/fuzz-artifacts/. One fuzzer at a time, one
# job: the machine is shared. Per harness: its dictionary, and a longer max_len for csv
# (chunk cuts need more than the 4096-byte minimum chunk) and run (a whole night).
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 10

fuzz-build: $(addprefix build/fuzz/fuzz_,$(FUZZERS))

fuzz: test-deps
	@$(MAKE) --no-print-directory fuzz-build
	@mkdir -p build/fuzz-logs
	@set -e; for t in $(FUZZERS); do \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  sh tests/fuzz/run.sh $$t $(FUZZ_SECONDS) build/fuzz-corpus/$$t build/fuzz-logs/$$t.log; \
	done
	@for t in $(FUZZERS); do \
	  sed -n "s/^Done \([0-9]*\) runs in \([0-9]*\) second.*/$$t \1 \2/p" build/fuzz-logs/$$t.log; \
	done | awk '{ printf "%-10s %12d runs %6d s\n", $$1, $$2, $$3; r += $$2; s += $$3 } \
	  END { printf "%-10s %12d runs %6d s\n", "total", r, s }'

# Each harness over the committed corpus (every regression is in it), then fuzzing for the
# rest of its time: any crash, leak, UB report or timeout fails the build.
fuzz-smoke: fuzz-build
	@set -e; for t in $(FUZZERS); do \
	  rm -rf build/fuzz-smoke/$$t; \
	  echo "== fuzz_$$t ($(FUZZ_SMOKE_SECONDS) s over tests/fuzz/corpus/$$t)"; \
	  sh tests/fuzz/run.sh $$t $(FUZZ_SMOKE_SECONDS) build/fuzz-smoke/$$t build/fuzz-smoke/$$t.log; \
	done

# The binary, the man page slipway(1), bash and zsh completion, and the docs (README,
# the layouts) under PREFIX (DESTDIR for packaging); tests/install.sh checks it.
install: build/slipway
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/doc/slipway
	install -m 0755 build/slipway $(DESTDIR)$(PREFIX)/bin/slipway
	install -m 0644 docs/slipway.1 $(DESTDIR)$(PREFIX)/share/man/man1/slipway.1
	install -m 0644 docs/completion/slipway.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/slipway
	install -m 0644 docs/completion/_slipway $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_slipway
	install -m 0644 README.md formats/LAYOUTS.md $(DESTDIR)$(PREFIX)/share/doc/slipway/

format:
	clang-format -i engine/*.[ch] engine/*/*.[ch] formats/*.[ch] tests/*.c tests/faults/*.c \
	    tests/fuzz/*.[ch] bench/*.c

format-check:
	clang-format --dry-run --Werror engine/*.[ch] engine/*/*.[ch] formats/*.[ch] tests/*.c \
	    tests/faults/*.c tests/fuzz/*.[ch] bench/*.c

clean:
	rm -rf build
