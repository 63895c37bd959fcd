# savoir_add_test(NAME SOURCES a_test.cc ... DEPS lib ...)
# Builds one GoogleTest binary and registers each of its tests with ctest.
function(savoir_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT SAVOIR_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    SAVOIR_SHARED_DIR="${SAVOIR_SHARED_DIR}"
    SAVOIR_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SAVOIR_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "SAVOIR_BIN=$<TARGET_FILE:savoir>")
endfunction()

# savoir_add_fuzzer(NAME SOURCES fuzz.cc lib_sources... DEPS lib... CORPUS dir)
# The sources under test are compiled into the fuzzer itself so that libFuzzer's coverage
# instrumentation sees them. ctest runs each target for SAVOIR_FUZZ_SECONDS.
function(savoir_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT SAVOIR_BUILD_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  set(work_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus")
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
      $<TARGET_FILE:${name}> -max_total_time=${SAVOIR_FUZZ_SECONDS} -rss_limit_mb=2048
      -timeout=10 -print_final_stats=1 ${work_dir} ${ARG_CORPUS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  file(MAKE_DIRECTORY ${work_dir})
endfunction()

# savoir_add_library(NAME SOURCES ... DEPS ...): one static library per component.
function(savoir_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
