# Policy targets: warnings and sanitizers, applied to our own targets only.
add_library(driftd_warnings INTERFACE)
target_compile_options(driftd_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>  # GCC 12 -O3: false positives inside std::string
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual)
if(DRIFTD_WERROR)
  target_compile_options(driftd_warnings INTERFACE -Werror)
endif()

add_library(driftd_sanitizers INTERFACE)
# The fuzz targets need every library compiled with the fuzzer's coverage instrumentation
# (fuzzer-no-link: the libFuzzer main is linked only into the fuzz programs).
if(DRIFTD_FUZZ AND DRIFTD_SANITIZE STREQUAL "")
  set(DRIFTD_SANITIZE "fuzzer")
endif()
if(DRIFTD_SANITIZE STREQUAL "address")
  # GCC's ASan instrumentation makes -Wmaybe-uninitialized report false positives inside
  # libstdc++ (<regex> at -O1); the normal build keeps the warning.
  target_compile_options(driftd_sanitizers INTERFACE -fsanitize=address,undefined
    -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  target_link_options(driftd_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(DRIFTD_SANITIZE STREQUAL "thread")
  target_compile_options(driftd_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(driftd_sanitizers INTERFACE -fsanitize=thread)
elseif(DRIFTD_SANITIZE STREQUAL "fuzzer")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DRIFTD_SANITIZE=fuzzer (DRIFTD_FUZZ) needs clang: CXX=clang++")
  endif()
  target_compile_options(driftd_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(driftd_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(NOT DRIFTD_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DRIFTD_SANITIZE must be '', 'address', 'thread' or 'fuzzer'")
endif()
