# Shared compile settings and helpers for every dnsfleet target.

add_library(dnsfleet_options INTERFACE)
target_compile_options(dnsfleet_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
# Not -Wnull-dereference: in GCC 12 it fires on inlined, already-checked pointers at -O3 only,
# so a release build would fail on code the debug build accepts. -Wrestrict is off for the same
# reason: GCC 12 misreports std::string copies at -O3 (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(dnsfleet_options INTERFACE -Wno-restrict)
endif()
# lld links each of the hundred sanitizer-instrumented test executables two to three times faster
# than ld.bfd: a clean build on two cores spends minutes linking.
find_program(DNSFLEET_LLD NAMES ld.lld)
if(DNSFLEET_LLD)
  target_link_options(dnsfleet_options INTERFACE -fuse-ld=lld)
endif()
if(DNSFLEET_WERROR)
  target_compile_options(dnsfleet_options INTERFACE -Werror)
endif()
if(DNSFLEET_SANITIZE)
  target_compile_options(dnsfleet_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(dnsfleet_options INTERFACE -fsanitize=address,undefined)
endif()
if(DNSFLEET_FUZZ)
  target_compile_options(dnsfleet_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(dnsfleet_options INTERFACE -fsanitize=address,undefined)
endif()

# dnsfleet_library(NAME SOURCES ... DEPS ...)
# A static library with public headers in include/ and private sources in src/.
function(dnsfleet_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC dnsfleet_options ${ARG_DEPS})
  if(DNSFLEET_HEADER_CHECK)
    dnsfleet_header_check(${name})
  endif()
endfunction()

# Every public header must compile on its own: one translation unit per header.
function(dnsfleet_header_check name)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/include/*.hpp)
  set(sources "")
  foreach(header IN LISTS headers)
    file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR}/include ${header})
    string(MAKE_C_IDENTIFIER ${rel} id)
    set(tu ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
    file(CONFIGURE OUTPUT ${tu} CONTENT "#include \"${rel}\"\n")
    list(APPEND sources ${tu})
  endforeach()
  if(sources)
    add_library(${name}_header_check OBJECT ${sources})
    target_link_libraries(${name}_header_check PRIVATE ${name})
  endif()
endfunction()

# dnsfleet_test(NAME SOURCES ... DEPS ...)
function(dnsfleet_test name)
  if(NOT DNSFLEET_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE dnsfleet_options ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "DNSFLEET_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# dnsfleet_fuzzer(NAME SOURCE DEPS ...): a libFuzzer target, built only in the fuzz preset.
function(dnsfleet_fuzzer name source)
  if(NOT DNSFLEET_FUZZ)
    return()
  endif()
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE dnsfleet_options ${ARGN})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# One test executable per *_test.cpp file, so that one broken test file never stops the others
# from building. dnsfleet_tests_per_file("<files>" DEPS...)
function(dnsfleet_tests_per_file files)
  foreach(file IN LISTS files)
    get_filename_component(stem ${file} NAME_WE)
    dnsfleet_test(${stem} SOURCES ${file} DEPS ${ARGN})
  endforeach()
endfunction()
