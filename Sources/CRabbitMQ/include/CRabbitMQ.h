#ifndef TWEETD_CRABBITMQ_H
#define TWEETD_CRABBITMQ_H

// Debian's librabbitmq 0.11 installs its headers at the top of the include path.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>

#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/// A non-blocking, close-on-exec eventfd: the wake-up signal for a connection
/// thread's poll (the flag enums do not import cleanly into Swift).
static inline int tweetd_wake_fd_create(void) {
  return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/// Holds back (corked = 1) or sends at once (corked = 0, which also flushes)
/// partial TCP segments on `fd`, so that the frames of many publishes and acks
/// written one after the other leave in as few packets as possible.
static inline void tweetd_socket_set_corked(int fd, int corked) {
  (void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &corked, sizeof corked);
}

/// Turns on TCP keepalive on `fd`: after `idle_seconds` without traffic the
/// kernel probes every `interval_seconds` and gives up after `count`
/// unanswered probes, failing the socket. Returns 0, or -1 with errno set.
static inline int tweetd_socket_set_keepalive(int fd, int idle_seconds, int interval_seconds, int count) {
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0) return -1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds) != 0) return -1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_seconds, sizeof interval_seconds) != 0) return -1;
  return setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

/// Non-variadic wrapper around amqp_login_with_properties with the PLAIN SASL
/// method (Swift cannot call C variadic functions). It also announces the
/// connection name and the client capabilities RabbitMQ only uses with clients
/// that claim them (consumer cancel notify, connection.blocked).
amqp_rpc_reply_t tweetd_amqp_login_named(amqp_connection_state_t state,
                                         const char *vhost,
                                         int channel_max,
                                         int frame_max,
                                         int heartbeat,
                                         const char *username,
                                         const char *password,
                                         const char *connection_name);

#endif
