# Every dependency is a Debian package found through pkg-config; a missing
# one stops configuration with a single line naming the package to install.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config (or run scripts/bootstrap)")
endif()

function(paglets_require target module debian_package)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR
      "${module} not found: apt-get install ${debian_package} (or run scripts/bootstrap)")
  endif()
endfunction()

paglets_require(MHD libmicrohttpd libmicrohttpd-dev)
# curl_easy_header() (reply signatures) is 7.83.
paglets_require(CURL "libcurl>=7.83" libcurl4-openssl-dev)
paglets_require(JANSSON jansson libjansson-dev)
paglets_require(CRYPTO libcrypto libssl-dev)
paglets_require(CMOCKA cmocka libcmocka-dev)
paglets_require(SQLITE sqlite3 libsqlite3-dev)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
