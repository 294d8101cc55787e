// Deliberately wrong: a model-layer program that uses the HTTP server. See CMakeLists.txt.
#include <memory>

#include "emulator/server/http_server.h"
#include "emulator/sts/model/sts_model.h"

int main(int argc, char** argv) {
  auto server = std::unique_ptr<crossmesh::HttpServer>(
      reinterpret_cast<crossmesh::HttpServer*>(argv[argc - 1]));
  bool listening = server->Listen().ok();
  (void)server.release();
  return listening ? 0 : 1;
}
