# cmake -DPRODUCTION=kikan-scand -DPROBE=kikan-scand-probe
#       -DPROOF_OFF=kikan-scand-proof-off -P this-file
#
# The production daemon must hold no trace of the test-only probe
# (scanner/sandbox-probe.c): neither its symbols nor the prefix that
# selects an action nor its variable, nor the sandbox name "proof-off"
# (so it can neither report nor accept it).  The probe builds must hold
# them all, or this check would pass for a reason other than their absence.
set(needles kikan_sandbox_probe kikan_sandbox_proof_off kikan-probe- KIKAN_PROBE_OUT proof-off)
set(regex "kikan_sandbox_pro|kikan-probe-|KIKAN_PROBE_OUT|proof-off")
foreach(bin PRODUCTION PROBE PROOF_OFF)
  if(NOT EXISTS "${${bin}}")
    message(FATAL_ERROR "${bin} binary missing: '${${bin}}'")
  endif()
endforeach()
file(STRINGS "${PRODUCTION}" production REGEX "${regex}")
file(STRINGS "${PROBE}" probe REGEX "${regex}")
file(STRINGS "${PROOF_OFF}" proof_off REGEX "${regex}")
foreach(n IN LISTS needles)
  string(FIND "${production}" "${n}" in_production)
  string(FIND "${probe};${proof_off}" "${n}" in_probes)
  if(NOT in_production EQUAL -1)
    message(FATAL_ERROR "${PRODUCTION} contains \"${n}\": the sandbox probe is in production")
  endif()
  if(in_probes EQUAL -1)
    message(FATAL_ERROR "the probe builds lack \"${n}\": this check cannot see the probe")
  endif()
endforeach()
message(STATUS "kikan-scand holds no sandbox probe; the probe builds do")
