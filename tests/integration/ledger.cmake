# Integration tests of the store and the lending ledger from the command
# line (issue #9 items 1 and 2; docs/ledger.md, docs/store.md): `kikan
# ledger import|export|list|lend|return|media` and `kikan db check` as a
# subprocess, on CSV files written by each test and data/ledger.example.csv.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration, a fresh KIKAN_HOME each; the IDs are added
# to integration.all_registered through KIKAN_IT_REGISTERED_ELSEWHERE.
set(KIKAN_IT_LEDGER_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_LEDGER_TESTS
  test_ledger.LedgerImport.test_example_import_and_list_json
  test_ledger.LedgerImport.test_dry_run_lists_differences_and_changes_nothing
  test_ledger.LedgerImport.test_previewed_import_refused_when_the_ledger_changed
  test_ledger.LedgerImport.test_dry_run_lists_what_an_added_row_rewrites
  test_ledger.LedgerImport.test_header_only_file_refused_without_allow_empty
  test_ledger.LedgerImport.test_dry_run_without_store_creates_nothing
  test_ledger.LedgerImport.test_malformed_files_change_nothing
  test_ledger.LedgerImport.test_export_then_import_is_a_noop
  test_ledger.LedgerImport.test_import_logs_the_file_hash
  test_ledger.LedgerEdit.test_lend_and_return
  test_ledger.LedgerEdit.test_media_add_and_list
  test_ledger.LedgerEdit.test_hostile_arguments_escaped
  test_ledger.DbCheck.test_intact_store
  test_ledger.DbCheck.test_no_store
  test_ledger.DbCheck.test_newer_schema_refused_and_explained
  test_ledger.DbCheck.test_not_a_database_refused_and_explained
  test_ledger.DbCheck.test_damaged_page_refused_and_explained
  test_ledger.DbCheck.test_broken_invariant_found)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_LEDGER_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_LEDGER_TESTS)
    # test_ledger.DbCheck.test_no_store -> integration.ledger.no_store
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_LEDGER_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_LEDGER_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 300
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_EXAMPLE_LEDGER=${CMAKE_SOURCE_DIR}/data/ledger.example.csv;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
