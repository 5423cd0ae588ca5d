# kiosk/ledger/: employees, assets, loans, the media register and the
# ledger CSV (issue #9 item 2, docs/ledger.md).  Included by
# kiosk/CMakeLists.txt, after store/store.cmake.
#
# libcsv (Debian libcsv-dev) ships no pkg-config file.
find_path(LIBCSV_INCLUDE_DIR csv.h)
find_library(LIBCSV_LIBRARY csv)
if(NOT LIBCSV_INCLUDE_DIR OR NOT LIBCSV_LIBRARY)
  message(FATAL_ERROR "libcsv not found: install libcsv-dev (scripts/install-deps.sh)")
endif()
if(NOT TARGET kikan_libcsv)
  add_library(kikan_libcsv INTERFACE)
  target_include_directories(kikan_libcsv SYSTEM INTERFACE ${LIBCSV_INCLUDE_DIR})
  target_link_libraries(kikan_libcsv INTERFACE ${LIBCSV_LIBRARY})
endif()

kikan_kiosk_library(kikan_kiosk_ledger ledger
  SOURCES ledger.c ledger-csv.c ledger-import.c
  LINKS kikan_kiosk_store kikan_kiosk_audit kikan_kiosk_common kikan_libcsv PkgConfig::SQLITE
        PkgConfig::JSONGLIB)
