# Fuzz harness for what kiosk/usb/ decodes itself: USB string descriptors
# from a device, IT's hardware-encrypted models file, and the assessment of
# a device's strings and interfaces (the descriptors are parsed by libusb).
#   fuzz-usb             libFuzzer binary (only with -DKIKAN_FUZZ=ON, clang):
#                        fuzz-usb -max_len=4096 tests/fuzz/corpus/usb
#   fuzz-usb-standalone  the same harness over the seeds (and every prefix
#                        of each, in every target), in every build
# Seeds: tests/fuzz/corpus/usb/, each behind its selector byte (models-example
# is data/usb.conf.example).
set(_usb_seeds ${CMAKE_CURRENT_LIST_DIR}/corpus/usb)
add_executable(fuzz-usb-standalone ${CMAKE_CURRENT_LIST_DIR}/fuzz-usb.c
               ${CMAKE_CURRENT_LIST_DIR}/fuzz-standalone.c)
target_compile_definitions(fuzz-usb-standalone PRIVATE KIKAN_FUZZ_STANDALONE)
target_link_libraries(fuzz-usb-standalone PRIVATE kikan_kiosk_usb)
add_test(NAME fuzz-usb-seeds COMMAND fuzz-usb-standalone ${_usb_seeds})
set_tests_properties(fuzz-usb-seeds PROPERTIES LABELS fuzz TIMEOUT 300)
if(KIKAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KIKAN_FUZZ needs clang (libFuzzer): configure with CC=clang")
  endif()
  add_executable(fuzz-usb ${CMAKE_CURRENT_LIST_DIR}/fuzz-usb.c
    ${CMAKE_SOURCE_DIR}/kiosk/usb/usb-device.c ${CMAKE_SOURCE_DIR}/kiosk/usb/usb-assess.c
    ${CMAKE_SOURCE_DIR}/kiosk/usb/usb-json.c)
  target_compile_definitions(fuzz-usb PRIVATE G_LOG_DOMAIN="kikan")
  target_compile_options(fuzz-usb PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz-usb PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz-usb PRIVATE kikan_kiosk_usb)
endif()
