# The programs under examples/ (one .c file each), built against the in-tree
# library into build/examples/ so integration tests can run them; they are
# built once more against the installed copy by test_install.sh.
#
# They embed a host, so they link only once the library has the host
# runtime; until then they are left out with a note instead of breaking the
# build.
file(GLOB PAGLETS_EXAMPLES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.c)
file(GLOB _lib_sources ${PROJECT_SOURCE_DIR}/src/runtime/*.c
     ${PROJECT_SOURCE_DIR}/src/core/*.c)
set(_have_runtime FALSE)
foreach(_src ${_lib_sources})
  file(STRINGS ${_src} _def REGEX "paglets_host_new\\(")
  if(_def)
    set(_have_runtime TRUE)
  endif()
endforeach()

if(NOT _have_runtime)
  message(STATUS "examples/: not built, the library has no host runtime yet")
  return()
endif()
foreach(src ${PAGLETS_EXAMPLES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(example_${name} ${src})
  set_target_properties(example_${name} PROPERTIES
    OUTPUT_NAME ${name}
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/examples)
  target_link_libraries(example_${name} PRIVATE paglets)
endforeach()
