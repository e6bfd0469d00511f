/* now.h - clocks: durations, timestamps, this process's CPU time. */
#ifndef PERFD_NOW_H
#define PERFD_NOW_H

#include <stdint.h>

uint64_t now_ns(void);		/* CLOCK_MONOTONIC, for durations */
double now_ms_since(uint64_t t0);	/* ms from t0 (a now_ns()) to now */
int64_t now_unix_ms(void);	/* CLOCK_REALTIME, for timestamps */
char *now_iso(int64_t unix_ms);	/* 2026-11-21T09:15:39.123Z */
/* This process's CPU time so far, user and system, in seconds. */
double now_cpu_s(void);

#endif
