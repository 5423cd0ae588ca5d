# Integration tests of `kikan usb` (issue #9 item 3, docs/usb.md) on USB
# devices simulated with umockdev: the Python test builds the testbed
# (gi.repository.UMockdev) and runs under umockdev-wrapper, so the kikan it
# starts inherits the mock environment.  Debian's python3 is used because
# python3-gi is installed for it (another python3 may be first in PATH).
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration; the IDs are added to
# integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.
set(KIKAN_IT_USB_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_USB_TESTS
  test_usb.UsbList.test_stick_json
  test_usb.UsbList.test_stick_human
  test_usb.UsbList.test_no_devices
  test_usb.UsbList.test_two_devices_ordered
  test_usb.UsbList.test_storage_keyboard_badusb
  test_usb.UsbList.test_models_hardware_encrypted
  test_usb.UsbList.test_bad_models_file_names_line
  test_usb.UsbList.test_hostile_strings_escaped
  test_usb.UsbIdentify.test_identify_block_device
  test_usb.UsbIdentify.test_identify_not_usb
  test_usb.UsbIdentify.test_identify_unknown_block_device
  test_usb.UsbWatch.test_hotplug_add_and_remove
  test_usb.UsbWatch.test_present_device_reported)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_USB_TESTS})

find_program(KIKAN_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)
find_program(KIKAN_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)

if(TARGET kikan)
  foreach(id IN LISTS KIKAN_IT_USB_TESTS)
    # test_usb.UsbList.test_stick_json -> integration.usb.stick_json
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${KIKAN_UMOCKDEV_WRAPPER} ${KIKAN_SYSTEM_PYTHON3} ${KIKAN_IT_USB_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_USB_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 120
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;PYTHONDONTWRITEBYTECODE=1"
      # Under ASan the preloaded umockdev library comes before libasan in
      # the kikan child, which ASan refuses unless told that this is meant.
      ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0:")
  endforeach()
endif()
