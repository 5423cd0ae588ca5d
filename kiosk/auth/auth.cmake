# kiosk/auth/: IT staff accounts, argon2id and lock-out (issue #11 item 2;
# KR-35; docs/it-accounts.md).
kikan_kiosk_library(kikan_kiosk_auth auth
  SOURCES auth.c
  LINKS kikan_kiosk_audit kikan_kiosk_store kikan_kiosk_common PkgConfig::SODIUM
        PkgConfig::JSONGLIB)
