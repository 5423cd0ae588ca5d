# Integration tests of the kiosk's system lockdown (issue #11 item 6;
# KR-38; tests/integration/test_lockdown.py): data/kikan-kiosk.service
# (systemd-analyze verify), the udev, polkit and sysusers files, and
# scripts/kiosk-install.sh, run with --dry-run only.
set(KIKAN_IT_LOCKDOWN_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_LOCKDOWN_TESTS
  test_lockdown.SystemdUnit.test_systemd_analyze_verify
  test_lockdown.SystemdUnit.test_session_runs_cage_as_kikan_on_tty1
  test_lockdown.SystemdUnit.test_hardening
  test_lockdown.UdevRules.test_parser_rejects_broken_rules
  test_lockdown.UdevRules.test_every_line_parses
  test_lockdown.UdevRules.test_usb_disks_never_automounted
  test_lockdown.UdevRules.test_usb_disks_read_only_for_kikan
  test_lockdown.UdevRules.test_usb_descriptors_for_kikan
  test_lockdown.UdevRules.test_polkit_rule_refuses_mounts
  test_lockdown.Sysusers.test_sysusers_dry_run
  test_lockdown.KioskInstall.test_dry_run_lists_the_actions
  test_lockdown.KioskInstall.test_offline_masks_network_services
  test_lockdown.KioskInstall.test_prefix_goes_into_the_unit
  test_lockdown.KioskInstall.test_dry_run_changes_nothing
  test_lockdown.KioskInstall.test_bad_options_refused
  test_lockdown.KioskInstall.test_refuses_without_root
  test_lockdown.KioskInstall.test_downloads_only_debian_packages)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_LOCKDOWN_TESTS})
foreach(id IN LISTS KIKAN_IT_LOCKDOWN_TESTS)
  string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
         name "${id}")
  add_test(NAME ${name}
           COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_LOCKDOWN_DIR}/run.py ${id}
           WORKING_DIRECTORY ${KIKAN_IT_LOCKDOWN_DIR})
  set_tests_properties(${name} PROPERTIES
    LABELS integration
    TIMEOUT 300
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endforeach()
