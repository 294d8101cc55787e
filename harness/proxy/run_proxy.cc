#include "harness/proxy/run_proxy.h"

#include <malloc.h>

#include <csignal>

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/proxy/config_json.h"
#include "harness/proxy/json_reader.h"

namespace crossmesh::proxy {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error("InvalidConfiguration", "cannot read " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void ReadSecret(JsonReader& in, InlineSecret& secret) {
  in.String("name", secret.name);
  in.String("certificate_chain_pem", secret.certificate_chain_pem);
  in.String("private_key_pem", secret.private_key_pem);
  in.String("trusted_ca_pem", secret.trusted_ca_pem);
  std::string chain_file, key_file, ca_file;
  in.String("certificate_chain_file", chain_file);
  in.String("private_key_file", key_file);
  in.String("trusted_ca_file", ca_file);
  for (auto [path, target] : {std::pair{&chain_file, &secret.certificate_chain_pem},
                              std::pair{&key_file, &secret.private_key_pem},
                              std::pair{&ca_file, &secret.trusted_ca_pem}}) {
    if (path->empty()) continue;
    Result<std::string> contents = ReadWholeFile(*path);
    if (!contents.ok()) {
      in.Fail(in.path() + ": " + contents.status().message());
      return;
    }
    *target = std::move(contents).value();
  }
}

std::string PortsLine(const Proxy& proxy, const ProxyConfig& config) {
  std::string line = fmt::format("proxy {} ready:", proxy.name());
  for (const Listener& listener : config.listeners) {
    line += fmt::format(" listener {}={}", listener.name, proxy.ListenerPort(listener.name));
  }
  for (const Outbound& outbound : config.outbounds) {
    line += fmt::format(" outbound {}={}", outbound.name, proxy.OutboundPort(outbound.name));
  }
  return line + fmt::format(" admin={}", proxy.AdminPort());
}

}  // namespace

Result<ProxyFile> ParseProxyFile(const nlohmann::json& document) {
  ProxyFile file;
  JsonReader in(document, "");
  in.Array<InlineSecret>("secrets", file.secrets, ReadSecret);
  int64_t threads = file.threads;
  in.Int("threads", 1, 64, threads);
  file.threads = static_cast<int>(threads);
  int64_t offset = 0;
  in.Int("clock_offset_seconds", -(1LL << 40), 1LL << 40, offset);
  const nlohmann::json* proxy = in.Raw("proxy");
  if (proxy == nullptr) in.Fail("the document needs a \"proxy\" object (the ProxyConfig)");
  CM_RETURN_IF_ERROR(in.Finish());

  Result<ProxyConfig> config = ConfigFromJson(*proxy);
  if (!config.ok()) {
    return Error(config.status().code(), "proxy: " + config.status().message());
  }
  file.config = std::move(config).value();
  if (offset != 0) {
    const auto shift = std::chrono::seconds(offset);
    file.config.clock = [shift] { return Clock::now() + shift; };
  }
  return file;
}

Result<ProxyFile> LoadProxyFile(const std::string& path) {
  Result<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  nlohmann::json document = nlohmann::json::parse(contents.value(), nullptr, false);
  if (document.is_discarded()) {
    return Error("InvalidConfiguration", path + " is not valid JSON");
  }
  return ParseProxyFile(document);
}

Result<std::shared_ptr<Proxy>> StartProxyFile(ProxyRuntime& runtime, const ProxyFile& file) {
  for (const InlineSecret& secret : file.secrets) {
    if (!secret.trusted_ca_pem.empty()) {
      CM_RETURN_IF_ERROR(
          runtime.secrets().PushValidationContext(secret.name, secret.trusted_ca_pem));
    }
    if (!secret.certificate_chain_pem.empty() || !secret.private_key_pem.empty()) {
      CM_RETURN_IF_ERROR(runtime.secrets().PushCertificate(
          secret.name, secret.certificate_chain_pem, secret.private_key_pem));
    }
  }
  return runtime.Start(file.config);
}

int RunProxyFromConfigFile(const std::string& path) {
  Result<ProxyFile> file = LoadProxyFile(path);
  if (!file.ok()) {
    std::cerr << "crossmesh proxy: " << file.status().message() << "\n";
    return 1;
  }
  // Message bodies are allocated and freed per request; with glibc's default trim threshold
  // the heap top shrank and grew again around them, and page faults zeroing fresh pages took
  // a sixth of the CPU with 64 KiB responses. Keep freed memory for reuse instead (as HAProxy's
  // buffer pools do); only bodies above 1 MiB come from mmap and go back at once.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);

  // Block the stop signals before the pool starts, so that its threads inherit the mask and
  // only sigwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ProxyRuntime runtime(ProxyRuntime::Options{file->threads});
  Result<std::shared_ptr<Proxy>> proxy = StartProxyFile(runtime, file.value());
  if (!proxy.ok()) {
    std::cerr << "crossmesh proxy: " << proxy.status().message() << "\n";
    return 1;
  }
  std::cout << PortsLine(*proxy.value(), proxy.value()->Config()) << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  runtime.StopAll();
  return 0;
}

}  // namespace crossmesh::proxy
