/*
 * floor.c — the broker's ceiling for tweetd's job on this machine: a bare
 * librabbitmq loop with no processing at all.
 *
 *   floor HOST PORT QUEUE EXCHANGE COUNT PREFETCH
 *
 * Consumes COUNT messages from QUEUE with basic.qos PREFETCH, publishes each
 * body unchanged to EXCHANGE (persistent, mandatory, routing key "floor"),
 * in confirm mode, and acks each delivery only after its publish is
 * confirmed: tweetd's contract without tweetd's work. One connection, one
 * channel; confirms with `multiple` become acks with `multiple`, so the loop
 * is as cheap as librabbitmq allows. Prints "floor COUNT messages in S s
 * (R msg/s)" and exits 0, or prints the failure and exits 1.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_on_reply(amqp_rpc_reply_t reply, const char *doing) {
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
    fprintf(stderr, "floor: %s failed (reply type %d, library error %s)\n", doing, reply.reply_type,
            reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? amqp_error_string2(reply.library_error) : "-");
    exit(1);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: floor HOST PORT QUEUE EXCHANGE COUNT PREFETCH\n");
        return 2;
    }
    const char *host = argv[1], *queue = argv[3], *exchange = argv[4];
    int port = atoi(argv[2]);
    long count = atol(argv[5]);
    int prefetch = atoi(argv[6]);

    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (!socket || amqp_socket_open(socket, host, port) != AMQP_STATUS_OK) {
        fprintf(stderr, "floor: cannot connect to %s:%d\n", host, port);
        return 1;
    }
    die_on_reply(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
    amqp_channel_open(conn, 1);
    die_on_reply(amqp_get_rpc_reply(conn), "channel.open");
    amqp_confirm_select(conn, 1);
    die_on_reply(amqp_get_rpc_reply(conn), "confirm.select");
    amqp_basic_qos(conn, 1, 0, (uint16_t)prefetch, 0);
    die_on_reply(amqp_get_rpc_reply(conn), "basic.qos");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    die_on_reply(amqp_get_rpc_reply(conn), "basic.consume");

    amqp_basic_properties_t properties;
    memset(&properties, 0, sizeof properties);
    properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    properties.content_type = amqp_cstring_bytes("application/json");
    properties.delivery_mode = 2;

    long published = 0, acked = 0;
    double started = 0;
    while (acked < count) {
        amqp_maybe_release_buffers(conn);
        amqp_frame_t frame;
        if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) {
            fprintf(stderr, "floor: connection lost after %ld acks\n", acked);
            return 1;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;
        switch (frame.payload.method.id) {
        case AMQP_BASIC_DELIVER_METHOD: {
            if (started == 0) started = now_seconds();
            amqp_message_t message;
            die_on_reply(amqp_read_message(conn, frame.channel, &message, 0), "reading a message");
            // Publish sequence numbers and delivery tags both count from 1 on this channel, one for one.
            if (amqp_basic_publish(conn, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes("floor"), 1, 0, &properties,
                                   message.body) != AMQP_STATUS_OK) {
                fprintf(stderr, "floor: publish failed\n");
                return 1;
            }
            amqp_destroy_message(&message);
            published++;
            break;
        }
        case AMQP_BASIC_ACK_METHOD: {
            amqp_basic_ack_t *confirm = frame.payload.method.decoded;
            amqp_basic_ack(conn, 1, confirm->delivery_tag, confirm->multiple);
            acked = (long)confirm->delivery_tag;
            break;
        }
        case AMQP_BASIC_RETURN_METHOD: {
            amqp_message_t message;
            amqp_read_message(conn, frame.channel, &message, 0);
            amqp_destroy_message(&message);
            fprintf(stderr, "floor: a publish came back unroutable\n");
            return 1;
        }
        case AMQP_BASIC_NACK_METHOD:
            fprintf(stderr, "floor: the broker nacked a publish\n");
            return 1;
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD:
            fprintf(stderr, "floor: the broker closed the channel or connection\n");
            return 1;
        default:
            break;
        }
    }
    double seconds = now_seconds() - started;
    printf("floor %ld messages in %.3f s (%.0f msg/s), %ld published\n", count, seconds, count / seconds, published);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return 0;
}
