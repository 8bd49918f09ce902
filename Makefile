# optimbench — build, test, lint.
GO      ?= go
BIN     ?= optimbench
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X github.com/optimbench/optimbench/internal/version.Version=$(VERSION)

.PHONY: all build build-fast test test-short lint bench bench-torch fuzz golden data slurm-test reproduce report-browser clean

all: lint test build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# The fast binary: matrix products through OpenBLAS by cgo
# (Debian: apt-get install libopenblas-dev; needs a C compiler).
build-fast:
	CGO_ENABLED=1 $(GO) build -tags netlib -ldflags "$(LDFLAGS)" -o $(BIN) .

# The test command of the README and of .ci/run.
test:
	$(GO) test -count=1 ./...

test-short:
	$(GO) test -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The lecture reproduced (docs/results.md): every claim, or one with CLAIM=3.
reproduce:
	scripts/reproduce.sh $(CLAIM)

# Slurm array job + merge job == one-machine sweep (root; installs Slurm if missing).
slurm-test:
	scripts/slurm/integration-test.sh

# The benchmark report in headless Chromium (installs Debian's chromium if missing, as root):
# every figure and table of the fixture's report renders; the screenshot is kept in OUT=DIR.
report-browser:
	scripts/report-browser.sh

# Micro-benchmarks of the hot paths (optimizer update, forward/backward, batching).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

# Training speed of the anchor models, side by side with PyTorch when
# python3-torch is installed.
bench-torch: build
	./$(BIN) bench

# A short run of every fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s ./internal/config/
	$(GO) test -run '^$$' -fuzz FuzzReadCSV -fuzztime 30s ./internal/data/
	$(GO) test -run '^$$' -fuzz FuzzReadLibSVM -fuzztime 30s ./internal/data/
	$(GO) test -run '^$$' -fuzz FuzzReadIDX -fuzztime 30s ./internal/data/
	$(GO) test -run '^$$' -fuzz FuzzMemoryEstimate -fuzztime 60s ./internal/train/

# Real datasets used by the tests and shipped configs: downloaded from their
# usual homes, or taken from Go-module and Debian-package sources offline.
data:
	$(GO) run . data get mnist
	$(GO) run . data get fashion-mnist

# Regenerate the golden files from PyTorch (needs Debian's python3-torch).
golden:
	/usr/bin/python3 scripts/gen_optim_golden.py
	/usr/bin/python3 scripts/gen_optim_golden_torchzoo.py
	/usr/bin/python3 scripts/gen_lbfgs_golden.py
	/usr/bin/python3 scripts/gen_sched_golden.py > internal/sched/testdata/golden.json
	/usr/bin/python3 scripts/gen_sched_golden_zoo.py > internal/sched/testdata/golden_zoo.json
	/usr/bin/python3 scripts/gen_train_golden.py
	/usr/bin/python3 scripts/gen_train_golden_torchzoo.py
	/usr/bin/python3 scripts/gen_train_golden_lbfgs.py
	/usr/bin/python3 scripts/gen_train_golden_sched.py
	/usr/bin/python3 scripts/gen_mlp_golden.py
	/usr/bin/python3 scripts/ref_optim.py
	/usr/bin/python3 scripts/ref_optim2.py
	for s in gen_optim_golden gen_optim_golden_torchzoo gen_lbfgs_golden ref_optim ref_optim2; do \
		/usr/bin/python3 scripts/$$s.py --float32 || exit 1; done
	/usr/bin/python3 scripts/gen_train_golden_f32.py
	/usr/bin/python3 scripts/gen_cnn_golden.py
	/usr/bin/python3 scripts/gen_cnn_golden_f32.py
	/usr/bin/python3 scripts/gen_deepobs_golden.py
	/usr/bin/python3 scripts/gen_report_fixture.py

clean:
	rm -f $(BIN)
