# duet: the two commands (make demo, make test) and the rest. CMake does the building.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all configure demo test bench size clean

all: configure
	cmake --build $(BUILD) -j$(JOBS)

configure:
	@scripts/deps.sh test
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

clean:
	rm -rf $(BUILD)
