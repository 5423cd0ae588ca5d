# ui/employee: the employee flow (issue #11 item 1), shaped like
# gnome-initial-setup (STYLE.md): the driver owns the check-in session,
# the assistant moves between pages, each page is its own .c + .ui.
list(APPEND KIKAN_UI_SOURCES
  employee/kiosk-driver.c employee/kiosk-assistant.c employee/kiosk-page.c
  employee/pages/welcome-page.c)
list(APPEND KIKAN_UI_TEMPLATES
  employee/kiosk-assistant.ui
  employee/pages/welcome-page.ui)
