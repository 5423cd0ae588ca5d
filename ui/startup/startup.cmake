# ui/startup: the start-up self-test (KR-36).
list(APPEND KIKAN_UI_SOURCES startup/startup-view.c)
list(APPEND KIKAN_UI_TEMPLATES startup/startup-view.ui)
