# ui/it: IT mode behind a password (KR-30, KR-35).
list(APPEND KIKAN_UI_SOURCES it/it-view.c)
list(APPEND KIKAN_UI_TEMPLATES it/it-view.ui)
