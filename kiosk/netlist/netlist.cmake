# kiosk/netlist/: the network team's signed cleared and watch lists
# (issue #10 item 7; KR-29, JNSA-2.6, Admin I-4, I-6; docs/netlist.md).
# Included by kiosk/CMakeLists.txt after store/, audit/, ledger/, print/.
# print/ lends kikan_print_read_file (a bounded, O_NOFOLLOW read).
kikan_kiosk_library(kikan_kiosk_netlist netlist
  SOURCES netlist.c netlist-export.c netlist-verify.c
  LINKS kikan_kiosk_store kikan_kiosk_audit kikan_kiosk_ledger kikan_kiosk_print
        kikan_kiosk_common PkgConfig::SODIUM PkgConfig::SQLITE PkgConfig::JSONGLIB)
