# ui/auditor: auditor mode, read-only (issue #11 item 4; KR-31, KR-32, KR-33).
list(APPEND KIKAN_UI_SOURCES auditor/auditor-view.c)
list(APPEND KIKAN_UI_TEMPLATES auditor/auditor-view.ui)
