#include "CRabbitMQ.h"

#include <string.h>

amqp_rpc_reply_t tweetd_amqp_login_named(amqp_connection_state_t state,
                                         const char *vhost,
                                         int channel_max,
                                         int frame_max,
                                         int heartbeat,
                                         const char *username,
                                         const char *password,
                                         const char *connection_name) {
  // RabbitMQ only sends connection.blocked and consumer cancellations to
  // clients that say they understand them.
  amqp_table_entry_t capabilities[4];
  capabilities[0].key = amqp_cstring_bytes("publisher_confirms");
  capabilities[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capabilities[0].value.value.boolean = 1;
  capabilities[1].key = amqp_cstring_bytes("consumer_cancel_notify");
  capabilities[1].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capabilities[1].value.value.boolean = 1;
  capabilities[2].key = amqp_cstring_bytes("connection.blocked");
  capabilities[2].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capabilities[2].value.value.boolean = 1;
  capabilities[3].key = amqp_cstring_bytes("basic.nack");
  capabilities[3].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capabilities[3].value.value.boolean = 1;

  amqp_table_entry_t properties[3];
  properties[0].key = amqp_cstring_bytes("connection_name");
  properties[0].value.kind = AMQP_FIELD_KIND_UTF8;
  properties[0].value.value.bytes = amqp_cstring_bytes(connection_name);
  properties[1].key = amqp_cstring_bytes("product");
  properties[1].value.kind = AMQP_FIELD_KIND_UTF8;
  properties[1].value.value.bytes = amqp_cstring_bytes("tweetd");
  properties[2].key = amqp_cstring_bytes("capabilities");
  properties[2].value.kind = AMQP_FIELD_KIND_TABLE;
  properties[2].value.value.table.num_entries = 4;
  properties[2].value.value.table.entries = capabilities;

  amqp_table_t client_properties;
  client_properties.num_entries = 3;
  client_properties.entries = properties;

  return amqp_login_with_properties(state, vhost, channel_max, frame_max,
                                    heartbeat, &client_properties,
                                    AMQP_SASL_METHOD_PLAIN, username, password);
}
