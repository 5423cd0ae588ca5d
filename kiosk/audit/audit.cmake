# kiosk/audit/: the audit chain (issue #10 item 1; docs/audit.md).
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
kikan_kiosk_library(kikan_kiosk_audit audit
  SOURCES audit.c seal.c verifier.c
          audit-query.c
          audit-export.c
          audit-sample.c
          audit-capacity.c
          bundle.c
  LINKS kikan_kiosk_store kikan_kiosk_common PkgConfig::SODIUM PkgConfig::JSONGLIB
        PkgConfig::LIBARCHIVE)
