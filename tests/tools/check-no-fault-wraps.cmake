# cmake -DPRODUCTION=kikan-scand -DFAULT=kikan-scand-fault -P this-file
#
# The production daemon must hold no trace of the test-only fault wraps
# (tests/tools/scand-fault-wraps.c): neither a __wrap_ symbol nor the
# variable that selects a fault.  The fault daemon must hold them all, or
# this check would pass for a reason other than their absence, and the
# fault tests would run against calls the wraps never saw.
set(needles __wrap_kikan_media_reader_new __wrap_kikan_media_reader_open_stream
    __wrap_kikan_engine_scan_fd __wrap_kikan_engine_scan_source __wrap_kikan_media_walk
    KIKAN_FAULT)
set(regex "__wrap_kikan_|KIKAN_FAULT")
foreach(bin PRODUCTION FAULT)
  if(NOT EXISTS "${${bin}}")
    message(FATAL_ERROR "${bin} binary missing: '${${bin}}'")
  endif()
endforeach()
file(STRINGS "${PRODUCTION}" production REGEX "${regex}")
file(STRINGS "${FAULT}" fault REGEX "${regex}")
foreach(n IN LISTS needles)
  string(FIND "${production}" "${n}" in_production)
  string(FIND "${fault}" "${n}" in_fault)
  if(NOT in_production EQUAL -1)
    message(FATAL_ERROR "${PRODUCTION} contains \"${n}\": a fault wrap is in production")
  endif()
  if(in_fault EQUAL -1)
    message(FATAL_ERROR "kikan-scand-fault lacks \"${n}\": this check cannot see the wraps")
  endif()
endforeach()
message(STATUS "kikan-scand holds no fault wrap; kikan-scand-fault does")
