# The kiosk's strings all go through gettext and both catalogs are
# complete (issue #11 item 7; KR-45; tests/integration/test_i18n.py).
set(KIKAN_IT_I18N_TESTS
  test_i18n.Gettext.test_every_ui_file_is_in_potfiles
  test_i18n.Gettext.test_templates_mark_shown_text_translatable
  test_i18n.Gettext.test_c_code_puts_no_bare_string_on_screen
  test_i18n.Gettext.test_checker_catches_a_bare_string
  test_i18n.Gettext.test_catalogs_hold_every_string_translated)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE ${KIKAN_IT_I18N_TESTS})
foreach(id IN LISTS KIKAN_IT_I18N_TESTS)
  string(REGEX REPLACE "^test_([a-z0-9_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
         name "${id}")
  add_test(NAME ${name}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py ${id}
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT 120
                       ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endforeach()
