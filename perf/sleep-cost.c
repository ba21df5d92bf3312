/*
 * sleep-cost: the CPU one thread spends per sleep in epoll_wait and the
 * wake-up that ends it, for a given timeout. A second thread on another
 * CPU writes an eventfd every 30 us; the sleeper, pinned to CPU 0, waits
 * for it in epoll_wait and reports its own CPU time (getrusage) per
 * wake-up. Compare timeouts shorter and longer than the kernel's tick
 * (perf/README.md, "Sleeping at once").
 *
 *   gcc -O2 -pthread perf/sleep-cost.c -o /tmp/sleep-cost
 *   for t in -1 1 2 5 10 100; do /tmp/sleep-cost $t; done
 *
 * The argument is epoll_wait's timeout in milliseconds (-1: none).
 * Runs 2 seconds.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int bell;
static volatile int finished;

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double cpu_us(void)
{
	struct rusage r;
	getrusage(RUSAGE_THREAD, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static void *ring(void *unused)
{
	uint64_t one = 1;
	(void)unused;
	pin(1);
	while (!finished) {
		double start = now_us();
		while (now_us() - start < 30)
			;
		if (write(bell, &one, sizeof one) != sizeof one)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int timeout = argc > 1 ? atoi(argv[1]) : -1;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out[8];
	pthread_t ringer;
	long wakeups = 0;
	double start, cpu;
	int ep;

	pin(0);
	bell = eventfd(0, EFD_NONBLOCK);
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, bell, &ev);
	pthread_create(&ringer, NULL, ring, NULL);
	cpu = cpu_us();
	start = now_us();
	while (now_us() - start < 2e6) {
		epoll_wait(ep, out, 8, timeout);
		wakeups++;
	}
	cpu = cpu_us() - cpu;
	finished = 1;
	pthread_join(ringer, NULL);
	printf("timeout %d ms: %ld wake-ups, %.2f us CPU each, sleeper busy %.2f\n", timeout, wakeups, cpu / wakeups,
	       cpu / 2e6);
	return 0;
}
