# ngx_http_missedcall_module: build, run and test on Debian 12.
# Build output stays in build/ (ignored by git).

SHELL      := /bin/bash
BUILD      := $(CURDIR)/build
# the nginx source tree built against: Debian's, or another of the same
# version (its own configure flags are not known: --with-compat, and
# NGINX_CONFIGURE for more)
NGINX_SRC  ?= /usr/share/nginx/src
NGX_TREE   := $(NGINX_SRC)
MODULE     := $(BUILD)/ngx_http_missedcall_module.so
SOURCES    := ngx_http_missedcall_module.c $(wildcard src/*.c src/*.h) config
PROVE      := prove -I t/lib

# What building, running, testing and benchmarking need: the build and
# the servers; PyJWT for the tokens' interoperability test; the Debian
# package's tools; jsonschema and yaml for the OpenAPI test; the bench's
# Django REST framework peer, perf for the gateway call's share, and
# valgrind for a worker's instruction counts.
PACKAGES   := build-essential nginx-core nginx-dev libhiredis-dev \
              libcurl4-openssl-dev libjansson-dev libssl-dev libpcre3-dev \
              zlib1g-dev redis-server redis-tools perl curl clang \
              libclang-rt-14-dev wrk openssl prometheus \
              python3-jwt python3-cryptography \
              debhelper dpkg-dev lintian \
              python3-jsonschema python3-yaml \
              python3-djangorestframework python3-redis python3-requests \
              gunicorn linux-perf valgrind

# npm's test tools, each folder pinned by its package-lock.json: t/node
# (the OpenAPI linter, Twilio's library), t/node-jwt (jose)
NODE_DEPS  := $(patsubst %/package-lock.json,%/node_modules/.package-lock.json,\
              $(wildcard t/node*/package-lock.json))

.PHONY: all deps run test test-asan fuzz bench bench-short bench-callgrind \
        clean deb

all: $(MODULE)

# Idempotent: installs only when a package is missing, never asks.
deps:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	        | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	        $$missing </dev/null; \
	else echo "all packages present"; fi

deps: $(NODE_DEPS)

# nodejs and npm from Debian when there is no npm
t/%/node_modules/.package-lock.json: t/%/package-lock.json
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq \
	        --no-install-recommends nodejs npm </dev/null; }
	cd t/$* && npm ci --no-audit --no-fund

# Debian's own configure tree and flags, so the .so loads in Debian's nginx.
# configure runs again when the module's file list or config changes, and
# when a Lua script or its generator does: configure turns them into C.
LUA        := $(wildcard src/lua/*.lua src/lua/include/*.lua) src/lua/lua2c.sh

$(BUILD)/nginx/objs/Makefile: config $(wildcard src/*.c) $(LUA)
	rm -rf $(BUILD)/nginx && mkdir -p $(BUILD)
	cp -r $(NGX_TREE) $(BUILD)/nginx
	cd $(BUILD)/nginx && $(NGX_FLAGS) && ./configure \
	    "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module=$(CURDIR) \
	    > $(BUILD)/configure.log 2>&1 \
	    || { tail -20 $(BUILD)/configure.log; exit 1; }

$(MODULE): $(BUILD)/nginx/objs/Makefile $(SOURCES)
	$(MAKE) -C $(BUILD)/nginx -f objs/Makefile modules
	cp $(BUILD)/nginx/objs/ngx_http_missedcall_module.so $@

# The same module built with AddressSanitizer and UBSan, in a tree of its
# own; Debian's nginx is not instrumented, so the runtime is preloaded.
ASAN       := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined

$(ASAN)/nginx/objs/Makefile: config $(wildcard src/*.c) $(LUA)
	rm -rf $(ASAN)/nginx && mkdir -p $(ASAN)
	cp -r $(NGX_TREE) $(ASAN)/nginx
	cd $(ASAN)/nginx && . ./conf_flags && ./configure \
	    "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module=$(CURDIR) \
	    --with-cc-opt='$(ASAN_FLAGS)' --with-ld-opt='$(ASAN_FLAGS)' \
	    > $(ASAN)/configure.log 2>&1 \
	    || { tail -20 $(ASAN)/configure.log; exit 1; }

$(ASAN)/ngx_http_missedcall_module.so: $(ASAN)/nginx/objs/Makefile $(SOURCES)
	$(MAKE) -C $(ASAN)/nginx -f objs/Makefile modules
	cp $(ASAN)/nginx/objs/ngx_http_missedcall_module.so $@

# the integration tests against it; any sanitizer report fails the test
test-asan: deps $(ASAN)/ngx_http_missedcall_module.so
	MC_MODULE=$(ASAN)/ngx_http_missedcall_module.so \
	MC_ASAN=$$(gcc -print-file-name=libasan.so) \
	    $(PROVE) $(filter-out t/00%,$(wildcard t/*.t))

# Redis, the fake gateway and nginx with conf/demo.conf on loopback.
run: deps $(MODULE)
	perl -I t/lib t/lib/demo.pl

test: deps $(MODULE)
	$(PROVE) t/

# each libFuzzer target for FUZZ_SECONDS (the test command runs them briefly)
FUZZ_SECONDS ?= 60
fuzz: deps
	t/fuzz/run.sh $(FUZZ_SECONDS)

# figures, not pass/fail: the check handler against "return 204", request
# and verify against the Redis round-trip ceiling, worker memory
bench: deps $(MODULE)
	perl bench/bench.pl

# the same in a few minutes: fewer requests, checks and rounds
bench-short: deps $(MODULE)
	perl bench/bench.pl --short

# instructions a worker executes an answer: repeatable on a busy machine
bench-callgrind: deps $(MODULE)
	perl bench/callgrind.pl

clean:
	rm -rf $(BUILD)

# The Debian package libnginx-mod-http-missedcall (debian/: nginx-dev's
# dh-sequence-nginx), built from a copy of the tree's files in build/deb,
# where the .deb lands; "make deb" needs no other folder.
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_ARCH    = $(shell dpkg --print-architecture)
DEB         = $(BUILD)/deb/libnginx-mod-http-missedcall_$(DEB_VERSION)_$(DEB_ARCH).deb

deb: deps $(DEB)
	@echo $(DEB)

$(DEB): $(SOURCES) $(LUA) $(wildcard debian/* debian/source/*)
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -co --exclude-standard | tar -cf - -T - \
	    | tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -b -uc -us \
	    > $(BUILD)/deb/build.log 2>&1 \
	    || { tail -30 $(BUILD)/deb/build.log; exit 1; }

# Debian's tree says how Debian's nginx was configured; another tree gets
# --with-compat, which makes the module load in any nginx of its version
# built with it too (nginx.org's packages are).  The tree built against is
# remembered: another one configures again.
NGX_FLAGS   = if [ -f conf_flags ]; then . ./conf_flags; \
              else NGX_CONF_FLAGS=(--with-compat $(NGINX_CONFIGURE)); fi
.PHONY: FORCE
$(BUILD)/nginx/objs/Makefile: $(BUILD)/nginx-src
$(BUILD)/nginx-src: FORCE
	@mkdir -p $(BUILD)
	@echo '$(abspath $(NGINX_SRC)) $(NGINX_CONFIGURE)' | cmp -s - $@ \
	    || echo '$(abspath $(NGINX_SRC)) $(NGINX_CONFIGURE)' > $@
