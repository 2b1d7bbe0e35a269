# The programs under examples/ (one .c file each), built against the in-tree
# library into build/examples/ so integration tests can run them; they are
# built once more against the installed copy by test_install.sh.
file(GLOB PAGLETS_EXAMPLES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.c)
foreach(src ${PAGLETS_EXAMPLES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(example_${name} ${src})
  set_target_properties(example_${name} PROPERTIES
    OUTPUT_NAME ${name}
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/examples)
  target_link_libraries(example_${name} PRIVATE paglets)
endforeach()
# Programs that use <paglets/perf.h> link the benchmark library as well, as
# examples/Makefile does with paglets-perf.pc.
target_link_libraries(example_perf_collect PRIVATE paglets_perf)
