# duet: the two commands (make demo, make test) and the rest. CMake does the building.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
PREFIX ?= /usr/local

.PHONY: all configure demo test bench size install uninstall deb clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	@scripts/deps.sh test deb
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

demo: all
	@scripts/demo.sh $(BUILD)

test: all
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench:
	@scripts/deps.sh test bench
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	@scripts/bench.sh $(BUILD)

size:
	@scripts/deps.sh size
	@scripts/size.sh
	@scripts/size-firmware.sh

# Installs into PREFIX (headers, libraries, tools, CMake and pkg-config files, docs);
# DESTDIR=... stages it elsewhere. docs/install.md has the details.
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

# Removes what the last make install from this build put there (its install_manifest.txt).
uninstall:
	@cmake -DMANIFEST=$(BUILD)/install_manifest.txt -P cmake/uninstall.cmake

# Debian packages into build-deb/deb/ (CPack; docs/install.md says which and why).
deb:
	@scripts/deps.sh deb
	@scripts/deb.sh build-deb

clean:
	rm -rf $(BUILD)
