# po/: the kiosk's gettext catalogs (issue #11 item 7; KR-45), "ja" and
# "en" (REQUIREMENTS.md §4 labels).  Each <lang>.po is compiled into the
# build tree's locale/<lang>/LC_MESSAGES/kikan.mo, which kikan-kiosk reads
# when run from the build tree, and installed beside the system's.
# scripts/update-po.sh extracts the strings (POTFILES.in) and merges them.
find_program(MSGFMT msgfmt REQUIRED)
file(STRINGS ${CMAKE_SOURCE_DIR}/po/LINGUAS KIKAN_LINGUAS REGEX "^[a-z]")
set(_mos "")
foreach(lang ${KIKAN_LINGUAS})
  set(_mo ${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES/kikan.mo)
  add_custom_command(OUTPUT ${_mo}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES
    COMMAND ${MSGFMT} --check -o ${_mo} ${CMAKE_SOURCE_DIR}/po/${lang}.po
    DEPENDS ${CMAKE_SOURCE_DIR}/po/${lang}.po
    COMMENT "Compiling the ${lang} catalog")
  list(APPEND _mos ${_mo})
  install(FILES ${_mo} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES)
endforeach()
add_custom_target(kikan-po ALL DEPENDS ${_mos})
add_dependencies(kikan-kiosk kikan-po)
