# duet: the two commands (make demo, make test) and the rest. CMake does the building.
BUILD ?= build
JOBS ?= 2
# ctest's slots: two per core, since a test that mostly waits takes one and a busy one two
# (cmake/test_weights.cmake).
TEST_SLOTS ?= $(shell echo $$((2 * $(JOBS))))
CMAKE_FLAGS ?=

.PHONY: all configure demo test bench size clean web-screenshot

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	@scripts/deps.sh test deb
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

# The demo builds only what it runs (duet-board and the RPC servo example) in a build of its
# own without the tests (so it needs no test packages), quietly: the build's output shows
# only if it fails.
DEMO_BUILD = $(BUILD)/demo
demo:
	@scripts/deps.sh demo
	@mkdir -p $(DEMO_BUILD)
	@cmake -S . -B $(DEMO_BUILD) -DDUET_TESTS=OFF $(CMAKE_FLAGS) > $(DEMO_BUILD)/build.log 2>&1 \
		|| { cat $(DEMO_BUILD)/build.log; exit 1; }
	@cmake --build $(DEMO_BUILD) -j$(JOBS) --target duet-board rpc_servo_m7 rpc_servo_m4 >> $(DEMO_BUILD)/build.log 2>&1 \
		|| { cat $(DEMO_BUILD)/build.log; exit 1; }
	@scripts/demo.sh $(DEMO_BUILD)

test: all
	cd $(BUILD) && ctest --output-on-failure -j$(TEST_SLOTS)

bench:
	@scripts/deps.sh test bench
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	@scripts/bench.sh $(BUILD)

size:
	@scripts/deps.sh size
	@scripts/size.sh
	@scripts/size-firmware.sh
	@EXTRA_CFLAGS=-DDUET_SMALL=1 FIGURE_PREFIX=size.small scripts/size-firmware.sh

# docs/web.png: the board's page with the RPC servo example, shot by the headless chromium
# the web tests use (tests/web/screenshot.py).
web-screenshot: all
	/usr/bin/python3 tests/web/screenshot.py $(BUILD)/bin/duet-board $(BUILD)/bin/rpc_servo_m7 \
		$(BUILD)/bin/rpc_servo_m4 docs/web.png

clean:
	rm -rf $(BUILD)

.PHONY: install uninstall deb
PREFIX ?= /usr/local

# Installs into PREFIX (headers, libraries, tools, CMake and pkg-config files, docs);
# DESTDIR=... stages it elsewhere. docs/install.md has the details. It builds in a tree of
# its own without the tests (so it needs only the build's packages, and the cross compiler
# and QEMU for the AN521 port, which the installed duet-board --target an521 links and runs).
INSTALL_BUILD = $(BUILD)/for-install
install:
	@scripts/deps.sh build qemu
	@cmake -S . -B $(INSTALL_BUILD) -DDUET_TESTS=OFF -DDUET_AN521=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(INSTALL_BUILD) -j$(JOBS)
	cmake --install $(INSTALL_BUILD) --prefix $(PREFIX)
	@printf '%s\n' '$(DESTDIR)' > $(INSTALL_BUILD)/install_destdir.txt

# Removes what the last make install put there (its build's install_manifest.txt; that of
# $(BUILD) after a cmake --install from it).
# The manifest lists paths without DESTDIR: a staged install's files are removed under the
# DESTDIR given here, else the one make install recorded.
uninstall:
	@if [ -f $(INSTALL_BUILD)/install_manifest.txt ]; then \
		destdir='$(DESTDIR)'; \
		[ -n "$$destdir" ] || destdir=$$(cat $(INSTALL_BUILD)/install_destdir.txt 2>/dev/null || true); \
		cmake -DMANIFEST=$(INSTALL_BUILD)/install_manifest.txt -DDESTDIR="$$destdir" -P cmake/uninstall.cmake; \
	else \
		cmake -DMANIFEST=$(BUILD)/install_manifest.txt -DDESTDIR='$(DESTDIR)' -P cmake/uninstall.cmake; \
	fi

# Debian packages into build-deb/deb/ (CPack; docs/install.md says which and why).
deb:
	@scripts/deps.sh deb
	@scripts/deb.sh build-deb
