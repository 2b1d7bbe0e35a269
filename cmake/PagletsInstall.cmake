# Install rules: `cmake --install build [--prefix DIR]` puts the binary, the
# static libraries (libpaglets.a and the benchmark's libpaglets_perf.a), the
# public headers, paglets.pc and paglets-perf.pc, the man pages, the systemd
# unit and the bash completion under the prefix (GNU layout). Files that name
# an installed path (the .pc files, the unit's ExecStart) are written at install
# time, so `--prefix` given to `cmake --install` is honoured, not only the
# CMAKE_INSTALL_PREFIX seen at configure time.
include(GNUInstallDirs)

# systemd reads units from /usr/lib/systemd/system and, for local installs,
# /usr/local/lib/systemd/system (both are <prefix>/lib/systemd/system).
set(PAGLETS_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit goes (relative to the prefix, or absolute)")
set(PAGLETS_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING
    "Where the sysusers.d entry for the 'paglets' user goes")
set(PAGLETS_BASH_COMPLETION_DIR
    "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" CACHE STRING
    "Where the bash completion goes (bash-completion searches XDG_DATA_DIRS)")

install(TARGETS paglets_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS paglets paglets_perf ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/paglets
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

file(GLOB PAGLETS_MAN1 CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/man/*.1)
install(FILES ${PAGLETS_MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/contrib/bash-completion/paglets
        DESTINATION ${PAGLETS_BASH_COMPLETION_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/paglets.sysusers
        DESTINATION ${PAGLETS_SYSUSERS_DIR} RENAME paglets.conf)
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/example.conf
              ${PROJECT_SOURCE_DIR}/contrib/systemd/example.env
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The guides link to ../examples/ and ../include/ of the source tree: they
# are installed with those links rewritten for the installed layout (see
# the install-time generation below), so no installed link is broken.
file(GLOB PAGLETS_DOCS_MD CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
file(GLOB PAGLETS_DOCS_JSON CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.json)
install(FILES ${PAGLETS_DOCS_JSON} ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB PAGLETS_EXAMPLE_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/examples/*.c ${PROJECT_SOURCE_DIR}/examples/Makefile)
install(FILES ${PAGLETS_EXAMPLE_SOURCES}
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Install-time generation. Inside install(CODE), CMAKE_INSTALL_PREFIX is the
# prefix of this install run (with --prefix applied, DESTDIR not included).
set(_gen ${PROJECT_BINARY_DIR}/install-gen)
install(CODE "
  set(_prefix \"\${CMAKE_INSTALL_PREFIX}\")
  foreach(_pair LIBDIR:${CMAKE_INSTALL_LIBDIR} INCLUDEDIR:${CMAKE_INSTALL_INCLUDEDIR}
                BINDIR:${CMAKE_INSTALL_BINDIR} DOCDIR:${CMAKE_INSTALL_DOCDIR})
    string(REPLACE \":\" \";\" _kv \"\${_pair}\")
    list(GET _kv 0 _k)
    list(GET _kv 1 _v)
    if(IS_ABSOLUTE \"\${_v}\")
      set(_full_\${_k} \"\${_v}\")
    else()
      set(_full_\${_k} \"\${_prefix}/\${_v}\")
    endif()
  endforeach()
  set(PC_PREFIX \"\${_prefix}\")
  set(PC_LIBDIR \"\${_full_LIBDIR}\")
  set(PC_INCLUDEDIR \"\${_full_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/paglets.pc.in\"
                 \"${_gen}/paglets.pc\" @ONLY)
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/paglets-perf.pc.in\"
                 \"${_gen}/paglets-perf.pc\" @ONLY)
  file(READ \"${PROJECT_SOURCE_DIR}/contrib/systemd/paglets-host@.service\" _unit)
  string(REPLACE \"/usr/local/bin/paglets\" \"\${_full_BINDIR}/paglets\" _unit \"\${_unit}\")
  file(WRITE \"${_gen}/paglets-host@.service\" \"\${_unit}\")
  file(RELATIVE_PATH _to_include \"\${_full_DOCDIR}\" \"\${_full_INCLUDEDIR}\")
  foreach(_md ${PAGLETS_DOCS_MD})
    get_filename_component(_name \"\${_md}\" NAME)
    file(READ \"\${_md}\" _text)
    string(REPLACE \"](../examples/\" \"](examples/\" _text \"\${_text}\")
    string(REPLACE \"](../include/\" \"](\${_to_include}/\" _text \"\${_text}\")
    file(WRITE \"${_gen}/docs/\${_name}\" \"\${_text}\")
  endforeach()
")
set(_gen_docs "")
foreach(_md ${PAGLETS_DOCS_MD})
  get_filename_component(_name "${_md}" NAME)
  list(APPEND _gen_docs ${_gen}/docs/${_name})
endforeach()
install(FILES ${_gen_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${_gen}/paglets.pc ${_gen}/paglets-perf.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${_gen}/paglets-host@.service
        DESTINATION ${PAGLETS_SYSTEMD_UNIT_DIR})
