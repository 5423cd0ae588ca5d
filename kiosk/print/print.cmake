# kiosk/print/: printing through CUPS, and printing an issued slip with a
# record of how it went (issue #10 item 6; KR-27; docs/printing.md).
# Included by kiosk/CMakeLists.txt after store/ and audit/.
#
# There is no cups.pc (DESIGN.md "CUPS 2.4.2 in a test"): cups-config says
# how to build against libcups.
find_program(CUPS_CONFIG cups-config)
if(NOT CUPS_CONFIG)
  message(FATAL_ERROR "cups-config not found: install libcups2-dev (scripts/install-deps.sh)")
endif()
if(NOT TARGET kikan_libcups)
  execute_process(COMMAND ${CUPS_CONFIG} --cflags OUTPUT_VARIABLE CUPS_CFLAGS
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${CUPS_CONFIG} --libs OUTPUT_VARIABLE CUPS_LIBS
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(CUPS_CFLAGS UNIX_COMMAND "${CUPS_CFLAGS}")
  separate_arguments(CUPS_LIBS UNIX_COMMAND "${CUPS_LIBS}")
  add_library(kikan_libcups INTERFACE)
  target_compile_options(kikan_libcups INTERFACE ${CUPS_CFLAGS})
  target_link_libraries(kikan_libcups INTERFACE ${CUPS_LIBS})
endif()

kikan_kiosk_library(kikan_kiosk_print print
  SOURCES print.c slip-print.c test-page.c
  LINKS kikan_kiosk_store kikan_kiosk_audit kikan_kiosk_common kikan_libcups
        PkgConfig::SQLITE PkgConfig::JSONGLIB PkgConfig::PANGOCAIRO)
