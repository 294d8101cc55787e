#include "harness/proxy/tls_connection_state.h"

namespace crossmesh::proxy {
namespace {

// One process-wide ex_data slot; OpenSSL hands out indexes once and never frees them.
int StateIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

void AttachState(SSL* ssl, TlsConnectionState* state) { SSL_set_ex_data(ssl, StateIndex(), state); }

TlsConnectionState* StateOf(const SSL* ssl) {
  return static_cast<TlsConnectionState*>(SSL_get_ex_data(ssl, StateIndex()));
}

}  // namespace crossmesh::proxy
