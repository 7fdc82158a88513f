// SPDX-License-Identifier: GPL-2.0
/*
 * pktsend IFACE COUNT SIZE: COUNT raw Ethernet frames of SIZE bytes
 * (broadcast, EtherType 0x88b5, local experimental) out of IFACE through
 * an AF_PACKET socket: no IP needed.  Run in the test guest, so that
 * netfront's frames reach dom0's netback, whose TX path grant-maps them.
 * Prints "sent N errors E ms T"; exit 0 iff all COUNT frames were sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
	unsigned char frame[9000];
	struct sockaddr_ll sll;
	struct ifreq ifr;
	long count, size, sent = 0, errors = 0, t0, i;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s IFACE COUNT SIZE\n", argv[0]);
		return 2;
	}
	count = atol(argv[2]);
	size = atol(argv[3]);
	if (size < 60 || size > (long)sizeof(frame)) {
		fprintf(stderr, "pktsend: SIZE must be 60..%zu\n", sizeof(frame));
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
	if (fd < 0) {
		perror("pktsend: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		perror("pktsend: SIOCGIFINDEX");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_protocol = htons(0x88b5);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("pktsend: SIOCGIFHWADDR");
		return 1;
	}
	memset(frame, 0xff, 6);					/* broadcast */
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (i = 14; i < size; i++)
		frame[i] = (unsigned char)i;
	t0 = now_ms();
	while (sent < count) {
		memcpy(frame + 14, &sent, sizeof(sent));
		if (sendto(fd, frame, size, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == size) {
			sent++;
			continue;
		}
		errors++;
		if (errno != ENOBUFS && errno != EAGAIN) {
			perror("pktsend: sendto");
			break;
		}
		usleep(1000);	/* queue full: let netback catch up */
	}
	printf("sent %ld errors %ld ms %ld\n", sent, errors, now_ms() - t0);
	return sent == count ? 0 : 1;
}
