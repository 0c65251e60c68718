# Optional instrumented builds, both off by default.
#
# BALINT_SANITIZE: AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer on every target of the project, with gcc or
# clang. Undefined behaviour aborts instead of printing and going on, so a
# test that hits it fails.
#
# BALINT_FUZZ: libFuzzer targets from tests/fuzz (clang only). Every target
# gets libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link); only
# the fuzz targets link libFuzzer itself (-fsanitize=fuzzer, in
# tests/fuzz/CMakeLists.txt). Combine it with BALINT_SANITIZE so that the
# fuzzers find memory errors and undefined behaviour, not just crashes.
#
# The flags go on through add_compile_options and add_link_options, so this
# file must be included before the project's subdirectories are added.
option(BALINT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BALINT_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

if(BALINT_SANITIZE)
  set(BALINT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # Before clang 17, UBSan's "function" check cannot compile C++20 coroutines
  # (the SDK's): "Cannot represent a difference across sections" (LLVM issue
  # 49689). Leave that one check out there.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 17)
    list(APPEND BALINT_SANITIZER_FLAGS -fno-sanitize=function)
  endif()
  add_compile_options(${BALINT_SANITIZER_FLAGS})
  add_link_options(${BALINT_SANITIZER_FLAGS})
endif()

if(BALINT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR
      "BALINT_FUZZ needs clang, for libFuzzer; this build uses ${CMAKE_CXX_COMPILER_ID} (${CMAKE_CXX_COMPILER}). "
      "Configure a fresh build directory with -DCMAKE_CXX_COMPILER=clang++.")
  endif()
  # At link time the flag brings in the runtime that the coverage callbacks
  # need, so that the ordinary executables (server, CLI, tests) still link.
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
