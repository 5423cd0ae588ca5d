# ui/employee: the employee flow (issue #11 item 1), shaped like
# gnome-initial-setup (STYLE.md): the driver owns the check-in session,
# the assistant moves between pages, each page is its own .c + .ui.
list(APPEND KIKAN_UI_SOURCES
  employee/kiosk-driver.c employee/kiosk-assistant.c employee/kiosk-page.c
  employee/pages/questions.c employee/pages/item-text.c
  employee/pages/welcome-page.c employee/pages/identify-page.c
  employee/pages/declaration-page.c employee/pages/present-page.c
  employee/pages/inspect-page.c employee/pages/result-page.c)
list(APPEND KIKAN_UI_TEMPLATES
  employee/kiosk-assistant.ui
  employee/pages/welcome-page.ui employee/pages/identify-page.ui
  employee/pages/declaration-page.ui employee/pages/present-page.ui
  employee/pages/inspect-page.ui employee/pages/result-page.ui)
