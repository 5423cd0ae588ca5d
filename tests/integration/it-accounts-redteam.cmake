# Red-team integration tests of IT staff accounts (issue #11 item 2; KR-35;
# docs/it-accounts.md).  Same rules as integration.cmake.
set(KIKAN_IT_ACCOUNTS_RT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_ACCOUNTS_RT_TESTS
  test_it_accounts_redteam.ItAccountsRedteam.test_parallel_wrong_passwords_lock_exactly_once
  test_it_accounts_redteam.ItAccountsRedteam.test_lockout_does_not_reveal_which_accounts_exist
  test_it_accounts_redteam.ItAccountsRedteam.test_nul_in_password_file_is_refused_not_truncated
  test_it_accounts_redteam.ItAccountsRedteam.test_dev_zero_password_file_costs_no_attempt
  test_it_accounts_redteam.ItAccountsRedteam.test_fifo_password_file_is_read
  test_it_accounts_redteam.ItAccountsRedteam.test_huge_and_invalid_utf8_passwords_are_only_wrong
  test_it_accounts_redteam.ItAccountsRedteam.test_clock_set_backwards_keeps_the_lock
  test_it_accounts_redteam.ItAccountsRedteam.test_account_name_differing_by_case_is_the_same_account
  test_it_accounts_redteam.ItAccountsRedteam.test_account_name_differing_only_by_case_cannot_be_added
  test_it_accounts_redteam.ItAccountsRedteam.test_edited_lock_state_fails_closed)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_ACCOUNTS_RT_TESTS})
if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_ACCOUNTS_RT_TESTS)
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_ACCOUNTS_RT_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_ACCOUNTS_RT_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 300
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
