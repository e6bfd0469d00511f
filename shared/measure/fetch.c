/* fetch.c - timed HTTP transfers with libcurl, single and concurrent. */
#include "fetch.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
init_once(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

static CURL *
easy_for(const char *url, FILE *out, int64_t timeout_ms, char *errbuf)
{
	CURL *e = curl_easy_init();

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "perfd/" PERFD_VERSION);
	if (timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	return e;
}

static double
info_ms(CURL *e, CURLINFO what)
{
	curl_off_t us = 0;

	curl_easy_getinfo(e, what, &us);
	return (double)us / 1000.0;
}

int
fetch_once(const char *url, const char *path, int64_t timeout_ms,
    struct fetch_result *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	FILE *out;
	CURL *e;
	CURLcode rc;
	curl_off_t size = 0, speed = 0;
	double cpu0;

	init_once();
	memset(r, 0, sizeof *r);
	out = fopen(path, "wb");
	if (out == NULL) {
		snprintf(r->error, sizeof r->error, "cannot write %s", path);
		return -1;
	}
	e = easy_for(url, out, timeout_ms, errbuf);
	cpu0 = now_cpu_s();
	rc = curl_easy_perform(e);
	r->cpu_s = now_cpu_s() - cpu0;
	fclose(out);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->http_status);
	r->dns_ms = info_ms(e, CURLINFO_NAMELOOKUP_TIME_T);
	r->connect_ms = info_ms(e, CURLINFO_CONNECT_TIME_T);
	r->tls_ms = info_ms(e, CURLINFO_APPCONNECT_TIME_T);
	r->ttfb_ms = info_ms(e, CURLINFO_STARTTRANSFER_TIME_T);
	r->total_ms = info_ms(e, CURLINFO_TOTAL_TIME_T);
	r->transfer_ms = r->total_ms - r->ttfb_ms;
	curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &size);
	curl_easy_getinfo(e, CURLINFO_SPEED_DOWNLOAD_T, &speed);
	r->bytes = (int64_t)size;
	r->bytes_per_s = (double)speed;
	if (rc != CURLE_OK)
		snprintf(r->error, sizeof r->error, "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	else if (r->http_status >= 400)
		snprintf(r->error, sizeof r->error, "HTTP status %ld", r->http_status);
	else
		r->ok = 1;
	curl_easy_cleanup(e);
	return r->ok ? 0 : -1;
}

/* Whether a finished transfer failed: 0, or -1 with the last failure in error. */
static int
multi_failure(CURLM *m, char error[256])
{
	CURLMsg *msg;
	int msgs, rc = 0;

	while ((msg = curl_multi_info_read(m, &msgs)) != NULL) {
		long status = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		if (msg->data.result != CURLE_OK || status >= 400) {
			snprintf(error, 256, "%s", msg->data.result != CURLE_OK ?
			    curl_easy_strerror(msg->data.result) : "HTTP error status");
			rc = -1;
		}
	}
	return rc;
}

int
fetch_parallel(const char *url, const char *dir, int n, int64_t timeout_ms,
    double *wall_ms, int64_t *bytes, char error[256])
{
	CURLM *m;
	CURL **e = xcalloc((size_t)n, sizeof *e);
	FILE **out = xcalloc((size_t)n, sizeof *out);
	char (*errbuf)[CURL_ERROR_SIZE] = xcalloc((size_t)n, sizeof *errbuf);
	int running = 0, rc = 0;
	uint64_t start;

	init_once();
	error[0] = '\0';
	*bytes = 0;
	m = curl_multi_init();
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/fetch-%d.tmp", dir, i);

		out[i] = fopen(path, "wb");
		free(path);
		if (out[i] == NULL) {
			snprintf(error, 256, "cannot write in %s", dir);
			rc = -1;
			goto out;
		}
		e[i] = easy_for(url, out[i], timeout_ms, errbuf[i]);
		curl_multi_add_handle(m, e[i]);
	}
	start = now_ns();
	do {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (running > 0);
	*wall_ms = now_ms_since(start);
	if (multi_failure(m, error) != 0)
		rc = -1;
	for (int i = 0; i < n; i++) {
		curl_off_t size = 0;

		curl_easy_getinfo(e[i], CURLINFO_SIZE_DOWNLOAD_T, &size);
		*bytes += (int64_t)size;
	}
out:
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/fetch-%d.tmp", dir, i);

		if (e[i] != NULL) {
			curl_multi_remove_handle(m, e[i]);
			curl_easy_cleanup(e[i]);
		}
		if (out[i] != NULL)
			fclose(out[i]);
		unlink(path);
		free(path);
	}
	curl_multi_cleanup(m);
	free(e);
	free(out);
	free(errbuf);
	return rc;
}
