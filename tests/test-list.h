/* test-list.h - every unit test, once (libuv's test-list.h pattern). */
#define TEST_LIST(X)				\
	X(spec_good_full)			\
	X(spec_defaults)			\
	X(spec_json_roundtrip)			\
	X(spec_durations)			\
	X(spec_collects_all_errors)		\
	X(spec_alias_bomb)			\
	X(spec_oversize)			\
	X(stats_basic)				\
	X(stats_median_ci)			\
	X(stats_outliers)			\
	X(run_exit_status)			\
	X(run_timeout_kills_group)		\
	X(run_wall_time)			\
	X(run_peak_rss)				\
	X(run_io_bytes)				\
	X(run_missing_cwd)			\
	X(lock_exclusive)			\
	X(findings_roundtrip)			\
	X(findings_invalid)			\
	X(atomic_write_replaces)		\
	X(linebuf_split)			\
	X(linebuf_toolong)			\
	X(store_events_and_status)		\
	X(store_recover)			\
	X(sup_all_ok)				\
	X(sup_spawns_all_at_once)		\
	X(sup_agent_crash)			\
	X(sup_agent_timeout)			\
	X(sup_agent_stubborn)			\
	X(sup_agent_garbage)			\
	X(sup_agent_noreport)			\
	X(sup_agent_badjson)			\
	X(sup_cancel)				\
	X(sup_queue)				\
	X(sup_missing_agent_exe)		\
	X(integration_waits_and_names_missing)
