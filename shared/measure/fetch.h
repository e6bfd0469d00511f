/* fetch.h - timed HTTP transfers with libcurl, single and concurrent. */
#ifndef PERFD_FETCH_H
#define PERFD_FETCH_H

#include <stdint.h>

struct fetch_result {
	int	 ok;
	long	 http_status;
	char	 error[256];
	/* Phases in ms from the start, as libcurl reports them. */
	double	 dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
	double	 transfer_ms;	/* first byte to last */
	int64_t	 bytes;
	double	 bytes_per_s;
	double	 cpu_s;		/* our own CPU time during the transfer */
};

/* Download url into path (truncated), within timeout_ms. */
int fetch_once(const char *url, const char *path, int64_t timeout_ms,
    struct fetch_result *);

/*
 * n transfers of url at once (curl multi), each into dir/fetch-N.tmp
 * (removed afterwards). *wall_ms is the time until the last one ended,
 * *bytes their sum. 0 when all succeeded, else -1 with error set.
 */
int fetch_parallel(const char *url, const char *dir, int n, int64_t timeout_ms,
    double *wall_ms, int64_t *bytes, char error[256]);

#endif
