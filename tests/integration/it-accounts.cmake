# Integration tests of IT staff accounts (issue #11 item 2; KR-35;
# docs/it-accounts.md).  Same rules as integration.cmake.
set(KIKAN_IT_ACCOUNTS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_ACCOUNTS_TESTS
  test_it_accounts.ItAccounts.test_initial_password_must_be_changed
  test_it_accounts.ItAccounts.test_five_wrong_passwords_lock_for_the_configured_time
  test_it_accounts.ItAccounts.test_a_right_password_resets_the_count
  test_it_accounts.ItAccounts.test_unknown_account_answered_like_a_wrong_password
  test_it_accounts.ItAccounts.test_weak_or_unchanged_passwords_refused_without_an_attempt
  test_it_accounts.ItAccounts.test_passwords_are_never_stored_or_logged
  test_it_accounts.ItAccounts.test_account_names_and_config_checked
  test_it_accounts.AccountRoles.test_each_account_opens_its_own_mode_only
  test_it_accounts.AccountRoles.test_unknown_role_refused
  test_it_accounts.AccountRoles.test_short_hostile_name_recorded_exactly)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_ACCOUNTS_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_ACCOUNTS_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_ACCOUNTS_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_ACCOUNTS_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 300
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
