# ui/auditor: auditor mode, read-only (KR-31).
list(APPEND KIKAN_UI_SOURCES auditor/auditor-view.c)
