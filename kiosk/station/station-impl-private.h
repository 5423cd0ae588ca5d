/* Kikan kiosk: the station's instance, shared by the files of station/
 * (station.c, station-selftest.c, station-signatures.c) and nothing else. */
#pragma once

#include "db-sources-private.h"
#include "policy-private.h"
#include "station-private.h"

struct _KikanStation {
    GObject parent_instance;

    KikanHome *home;             /* borrowed */
    int lock_fd;                 /* $KIKAN_HOME/checkin.lock, held for life */
    KikanStore *store;
    KikanConfig *config;
    KikanPolicy *policy;         /* NULL: no policy file (SW-NO-POLICY) */
    char *policy_path;
    char *why_no_policy;
    char **explicit_databases;   /* options->databases, NULL: the defaults */
    KikanDbSources *sources;     /* what the serving engine loads */
    char *kiosk_id;
    char *usb_models;
    char *scand;
    gboolean null_sandbox;
    gboolean skip_selftest_gate;
    guint n_recovered;

    /* The serving engine, and the ones an import swapped out that a
     * check-in still holds (KikanInspector*). */
    KikanInspector *inspector;
    GPtrArray *retired;
    /* KikanCheckin* -> the KikanInspector* it began with. */
    GHashTable *checkins;
    guint generation;
    gboolean importing;

    KikanEngineState engine_state;
    char *engine_problem;
    char *engine_summary;
    GPtrArray *warm_waiters;     /* GTask* joining the warm-up in progress */

    /* MAL-05 for a session in which no medium is read: measured at open
     * and after each swap (kiosk path). */
    char *sig_invalid, *sig_version, *sig_date;

    KikanStationReport *last_report;
    char *disk_warning;
};

/* station.c: the engine state changed (notify on the main context). */
void kikan_station_set_engine_state (KikanStation *self, KikanEngineState state,
                                     const char *problem);
/* station.c: measures the signatures of @sources (MAL-05) as
 * `kikan signatures status` judges them. */
void kikan_station_measure_signatures (KikanDbSources *sources, guint max_age_days,
                                       char **invalid, char **version, char **date);
/* station.c: the same for the station's sources, kept in self->sig_*. */
void kikan_station_remeasure_signatures (KikanStation *self);
/* station.c: a new inspector on @sources with the station's settings. */
KikanInspector *kikan_station_new_inspector (KikanStation *self, KikanDbSources *sources);
/* station.c: frees the retired inspectors no check-in holds any more. */
void kikan_station_release_retired (KikanStation *self);
/* station.c: the latest time (unix) of the audit records since IT last
 * confirmed the clock; 0 when there is none (KR-37). */
gint64 kikan_station_newest_record_time (KikanStation *self);
