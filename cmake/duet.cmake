# Helpers that every test, fuzz target and tool folder uses.

find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

# duet_add_test(NAME SOURCES... [LIBS libs...])
# Builds NAME twice, plain and under ASan+UBSan (NAME_asan), and registers both with ctest.
function(duet_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT T_SOURCES)
    set(T_SOURCES ${T_UNPARSED_ARGUMENTS})
  endif()
  foreach(variant plain asan)
    if(variant STREQUAL plain)
      set(target ${name})
      set(core duet_core)
    else()
      set(target ${name}_asan)
      set(core duet_core_asan)
    endif()
    add_executable(${target} ${T_SOURCES})
    target_compile_options(${target} PRIVATE ${DUET_WARNINGS})
    target_link_libraries(${target} PRIVATE ${core} PkgConfig::CMOCKA ${T_LIBS})
    set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME ${target} COMMAND ${target})
  endforeach()
endfunction()

# duet_add_os_test(NAME SOURCE...)
# A test NAME_os over duet_core_os, the core built for size (-Os, as a firmware builds it:
# tests/rpc) under ASan+UBSan, with a 60-second limit.
function(duet_add_os_test name)
  add_executable(${name}_os ${ARGN})
  target_compile_options(${name}_os PRIVATE ${DUET_WARNINGS})
  target_link_libraries(${name}_os PRIVATE duet_core_os PkgConfig::CMOCKA)
  set_target_properties(${name}_os PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name}_os COMMAND ${name}_os)
  set_tests_properties(${name}_os PROPERTIES TIMEOUT 60)
endfunction()

# duet_add_fuzz(NAME SOURCE [CXX] [SEEDS dir] [SECONDS n] [SOURCES files...] [INCLUDES dirs...]
#               [DEFINES defs...] [FLAGS flags...] [LIBS libs...] [DEPENDS files...])
# Builds a libFuzzer target with clang (ASan+UBSan) over the core's sources (duet_core's
# list: no top level, no port), and a ctest test that runs it for DUET_FUZZ_SECONDS on a
# copy of the seed corpus. Every target may include fuzz/fuzz_check.h (CHECK, fuzz_text).
# For a target over other code (the host tools'): SOURCES are compiled with it, INCLUDES
# are more -I dirs, DEFINES more -D (NAME or NAME=VALUE), FLAGS more compile flags (a
# library's pkg-config cflags) and LIBS what it links (-lm, a library's pkg-config
# ldflags). SECONDS runs its test shorter: it runs for the smaller of SECONDS and
# DUET_FUZZ_SECONDS. A change of its sources, of duet's headers (include/, src/, fuzz/) or of
# a header in an INCLUDES directory rebuilds it; DEPENDS are more files whose change does.
# CXX: a target in C++ (the Arduino layer's). SOURCE and the SOURCES that are not .c files are
# C++, compiled and linked with clang++ -std=c++17 (as compat/arduino is built); the core and
# the .c files among SOURCES stay C11, each compiled by clang on its own into NAME.objects/.
find_program(DUET_CLANG NAMES clang clang-14 REQUIRED)
find_program(DUET_CLANGXX NAMES clang++ clang++-14)
# A custom command rebuilds on a change of the files it names only: the headers are named.
file(GLOB_RECURSE DUET_FUZZ_HEADERS CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/include/*.h ${CMAKE_SOURCE_DIR}/src/*.h ${CMAKE_SOURCE_DIR}/fuzz/*.h)
function(duet_add_fuzz name source)
  cmake_parse_arguments(F "CXX" "SEEDS;SECONDS" "SOURCES;INCLUDES;DEFINES;FLAGS;LIBS;DEPENDS" ${ARGN})
  set(out ${CMAKE_BINARY_DIR}/fuzz/${name})
  set(headers ${DUET_FUZZ_HEADERS} ${F_DEPENDS})
  foreach(dir ${F_INCLUDES})
    file(GLOB dir_headers CONFIGURE_DEPENDS ${dir}/*.h)
    list(APPEND headers ${dir_headers})
  endforeach()
  list(TRANSFORM F_INCLUDES PREPEND -I)
  list(TRANSFORM F_DEFINES PREPEND -D)
  set(flags -g -O1 ${DUET_WARNINGS}
            -I${CMAKE_SOURCE_DIR}/include -I${DUET_GENERATED_INCLUDE_DIR} -I${CMAKE_SOURCE_DIR}/src
            -I${CMAKE_SOURCE_DIR}/fuzz ${F_INCLUDES} ${F_DEFINES} ${F_FLAGS})
  set(sanitizers -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  if(NOT F_CXX)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/fuzz
      COMMAND ${DUET_CLANG} -std=c11 ${flags} ${sanitizers}
              ${DUET_CORE_SOURCES} ${F_SOURCES} ${source} -o ${out} ${F_LIBS}
      DEPENDS ${DUET_CORE_SOURCES} ${F_SOURCES} ${source} ${headers}
      COMMENT "fuzz target ${name} (clang, libFuzzer)" VERBATIM)
  else()
    if(NOT DUET_CLANGXX)
      message(FATAL_ERROR "${name} needs clang++ (apt-get install clang)")
    endif()
    set(c_sources ${DUET_CORE_SOURCES} ${F_SOURCES})
    list(FILTER c_sources INCLUDE REGEX "\\.c$")
    set(cxx_sources ${F_SOURCES})
    list(FILTER cxx_sources EXCLUDE REGEX "\\.c$")
    set(objects)
    foreach(src ${c_sources})
      # One object per source, named after its path (two sources may share a file name).
      file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${src})
      string(MAKE_C_IDENTIFIER ${rel} stem)
      set(obj ${out}.objects/${stem}.o)
      add_custom_command(OUTPUT ${obj}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${out}.objects
        COMMAND ${DUET_CLANG} -std=c11 ${flags} -fsanitize=fuzzer-no-link,address,undefined
                -fno-sanitize-recover=all -c ${src} -o ${obj}
        DEPENDS ${src} ${headers} VERBATIM)
      list(APPEND objects ${obj})
    endforeach()
    add_custom_command(OUTPUT ${out}
      COMMAND ${DUET_CLANGXX} -std=c++17 ${flags} ${sanitizers}
              ${cxx_sources} ${source} ${objects} -o ${out} ${F_LIBS}
      DEPENDS ${objects} ${cxx_sources} ${source} ${headers}
      COMMENT "fuzz target ${name} (clang++, libFuzzer)" VERBATIM)
  endif()
  add_custom_target(${name} ALL DEPENDS ${out})
  set(seconds ${DUET_FUZZ_SECONDS})
  if(F_SECONDS AND F_SECONDS LESS seconds)
    set(seconds ${F_SECONDS})
  endif()
  set(corpus ${CMAKE_BINARY_DIR}/fuzz/${name}.corpus)
  add_test(NAME ${name}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/run-fuzz.sh ${out} ${corpus} ${F_SEEDS} ${seconds})
  duet_weigh_test(${name} busy) # a core, all its time (cmake/test_weights.cmake)
endfunction()
