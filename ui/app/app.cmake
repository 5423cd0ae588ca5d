# ui/app: the application, its window and modes, i18n and lockdown.
list(APPEND KIKAN_UI_SOURCES app/kiosk-application.c app/kiosk-window.c app/kiosk-i18n.c)
list(APPEND KIKAN_UI_TEMPLATES app/kiosk-window.ui app/kiosk.css)
