/* Kikan store: the SQL of each schema step, embedded at build time from
 * kiosk/store/schema-v*.sql (store.cmake). */
#pragma once

extern const char *const kikan_store_schema_v1;
extern const char *const kikan_store_schema_v2;
extern const char *const kikan_store_schema_v3;
extern const char *const kikan_store_schema_v4;
extern const char *const kikan_store_schema_v5;
