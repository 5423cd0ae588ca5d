# kiosk/slip/: the signed clearance slip (issue #10 items 4 and 5; KR-12,
# KR-27, KR-28, JNSA-2.6; docs/slip.md): its compact signed payload (CBOR,
# zlib, base45), the PDF (cairo-pdf, pango, libqrencode), issuing it from a
# session, and checking a slip against the audit chain.
pkg_check_modules(CBOR REQUIRED IMPORTED_TARGET libcbor)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf)
kikan_kiosk_library(kikan_kiosk_slip slip
  SOURCES slip-payload.c slip-render.c slip-words.c slip.c slip-witness.c slip-code-file.c
  LINKS kikan_kiosk_checkin kikan_kiosk_audit kikan_kiosk_store kikan_kiosk_common
        PkgConfig::CBOR PkgConfig::ZLIB PkgConfig::SODIUM PkgConfig::QRENCODE
        PkgConfig::PANGOCAIRO PkgConfig::JSONGLIB)
