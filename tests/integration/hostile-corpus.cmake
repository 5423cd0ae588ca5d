# The fast subset of the hostile-media corpus (issue #12 item 2; KR-10,
# KR-09): tests/hostile/make-corpus.py --subset makes it at TEST time (bombs,
# overlapping zips, hostile names, deep trees, link loops, corrupt file
# systems and partition tables; mkfs tools and FUSE, as root), and
# tests/hostile/run-corpus.py scans each item through the real `kikan scan`
# with time and memory bounds.  The full corpus runs from
# scripts/hostile-media.sh.
#
# Same rules as integration.cmake: one ctest per Python test (run.py fails
# on a skip), label integration; the IDs are added to
# integration.all_registered.
set(KIKAN_IT_HOSTILE_CORPUS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIKAN_IT_HOSTILE_CORPUS_TESTS
  test_hostile_corpus.HostileCorpus.test_subset
  # Regressions of the bugs the corpus found (scanner/engine.c).
  test_hostile_corpus.CorpusRegressions.test_zip_appended_to_tar_is_taken_apart
  test_hostile_corpus.CorpusRegressions.test_tar_ending_with_a_zip_member_stays_clean
  test_hostile_corpus.CorpusRegressions.test_cross_check_stops_at_its_budget)
set_property(GLOBAL APPEND PROPERTY KIKAN_IT_REGISTERED_ELSEWHERE
             ${KIKAN_IT_HOSTILE_CORPUS_TESTS})

if(TARGET kikan AND TARGET kikan-scand)
  foreach(id IN LISTS KIKAN_IT_HOSTILE_CORPUS_TESTS)
    # test_hostile_corpus.HostileCorpus.test_subset -> integration.hostile_corpus.subset
    string(REGEX REPLACE "^test_([a-z_]+)\\.[A-Za-z]+\\.test_(.+)$" "integration.\\1.\\2"
           name "${id}")
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} ${KIKAN_IT_HOSTILE_CORPUS_DIR}/run.py ${id}
             WORKING_DIRECTORY ${KIKAN_IT_HOSTILE_CORPUS_DIR})
    set_tests_properties(${name} PROPERTIES
      LABELS integration
      TIMEOUT 900
      ENVIRONMENT "KIKAN_IT_KIKAN=$<TARGET_FILE:kikan>;KIKAN_IT_SCAND=$<TARGET_FILE:kikan-scand>;KIKAN_IT_FIXTURES=${KIKAN_FIXTURES_DIR};KIKAN_IT_SIGNATURES=${CMAKE_SOURCE_DIR}/signatures;KIKAN_IT_SHARED_TESTDATA=${KIKAN_SHARED_TESTDATA_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
