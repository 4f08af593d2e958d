# outdial's build, test and lint commands. README.md and .ci/run use these targets.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -X main.version=$(VERSION)
TEST_FLAGS  ?= -timeout 15m
FUZZTIME    ?= 10s
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck

.PHONY: all build test lint staticcheck bench fuzz clean

all: lint test build

## build: bin/outdial, with the version from git
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/outdial ./cmd/outdial

## test: every test of every package (PostgreSQL too when OUTDIAL_TEST_POSTGRES is set)
test:
	$(GO) test $(TEST_FLAGS) ./...

## lint: gofmt, go vet and staticcheck must all be clean
lint: $(STATICCHECK)
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files to format:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)

## bench: the benchmarks of bench/ (figures go to BENCHMARKS.md with this command)
bench:
	@if [ -n "$$(find bench -name '*.go' 2>/dev/null)" ]; then \
		echo "$(GO) test -run '^$$' -bench . -benchmem ./bench/..."; \
		$(GO) test -run '^$$' -bench . -benchmem ./bench/...; \
	else echo "bench/ holds no benchmarks yet"; fi

## fuzz: every Fuzz* function for FUZZTIME each (make fuzz FUZZTIME=1m)
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		dir=$$(dirname $$file); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "$(GO) test -run '^$$' -fuzz '^$$name\$$' -fuzztime $(FUZZTIME) $$dir"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

clean:
	rm -rf bin
