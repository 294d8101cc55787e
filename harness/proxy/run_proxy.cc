#include "harness/proxy/run_proxy.h"

#include <malloc.h>

#include <csignal>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>

#include "emulator/core/json_depth.h"
#include "emulator/core/text_file.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/json_reader.h"
#include "harness/proxy/secret_references.h"

namespace crossmesh::proxy {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  return ReadTextFile(path, "file", kInvalidConfiguration);
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

// Where the parse is, as a JSON path ("proxy.listeners[0].name"), to name a key given twice:
// nlohmann keeps the last of them silently, so a config could run with a value nobody meant.
class DuplicateKeyWatch {
 public:
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        NextElement();
        frames_.push_back(Frame{event == Event::array_start, 0, {}, {}});
        break;
      case Event::object_end:
      case Event::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case Event::key:
        if (!frames_.empty()) {
          Frame& object = frames_.back();
          object.key = parsed.get<std::string>();
          if (!object.keys.insert(object.key).second && duplicate_.empty()) duplicate_ = Path();
        }
        break;
      case Event::value:
        NextElement();
        break;
    }
    return true;
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool array = false;
    size_t elements = 0;  // an array's: how many have begun
    std::string key;      // an object's: the key being read
    std::set<std::string> keys;
  };
  void NextElement() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().elements;
  }
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.array) {
        path += fmt::format("[{}]", frame.elements - 1);
      } else {
        path += (path.empty() ? "" : ".") + frame.key;
      }
    }
    return path;
  }

  std::vector<Frame> frames_;
  std::string duplicate_;
};

// nlohmann reports where the text stops being JSON ("parse error at line 3, column 5: ...");
// keep that and drop the exception's id prefix ("[json.exception.parse_error.101] ").
Result<nlohmann::json> ParseJsonText(const std::string& text) {
  if (const std::optional<size_t> at = JsonNestsPast(text)) {
    return Error(kInvalidConfiguration,
                 fmt::format("not a proxy config: arrays and objects nest more than {} deep at "
                             "byte {} (a config nests about six deep)",
                             kMaxJsonDepth, *at));
  }
  DuplicateKeyWatch watch;
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text, std::ref(watch));
  } catch (const nlohmann::json::exception& error) {  // a syntax error, or a number like 1e400
    std::string what = error.what();
    const size_t id_end = what.find("] ");
    if (what.starts_with("[json.exception.") && id_end != std::string::npos) {
      what = what.substr(id_end + 2);
    }
    return Error(kInvalidConfiguration, "not valid JSON: " + what);
  }
  if (!watch.duplicate().empty()) {
    return Error(kInvalidConfiguration,
                 fmt::format("{}: this key is given twice in one object; keep one of them",
                             watch.duplicate()));
  }
  return parsed;
}

// The cross-field checks the runtime would make at Start, with the paths of this document, and
// one only a standalone file can make: every secret named must come from somewhere.
Status CheckProxyFile(const ProxyFile& file) {
  ProxyConfig filled = file.config;
  FillDefaults(filled);
  if (Status valid = ValidateConfig(filled); !valid.ok()) {
    return Error(valid.code(), "proxy." + valid.message());
  }
  std::set<std::string> defined(file.sds_secrets.begin(), file.sds_secrets.end());
  for (size_t i = 0; i < file.secrets.size(); ++i) {
    if (file.secrets[i].name.empty()) {
      return Error(kInvalidConfiguration,
                   fmt::format("secrets[{}].name: missing; give the name the config uses", i));
    }
    defined.insert(file.secrets[i].name);
  }
  for (const FileSecret& secret : file.config.file_secrets) defined.insert(secret.secret_name);
  for (const SecretReference& reference : SecretReferences(file.config)) {
    if (defined.count(reference.name) != 0) continue;
    return Error(kInvalidConfiguration,
                 fmt::format("proxy.{}: secret '{}' is defined nowhere; add it to \"secrets\" "
                             "(PEM inline or *_file) or to proxy.file_secrets, or list it in "
                             "\"sds_secrets\" if an SDS server will push it after the start",
                             reference.path, reference.name));
  }
  return Status::Ok();
}

}  // namespace

Result<ProxyFile> ParseProxyFile(const nlohmann::json& document) {
  ProxyFile file;
  JsonReader in(document, "");
  in.Array<InlineSecret>("secrets", file.secrets, ReadSecret);
  in.Strings("sds_secrets", file.sds_secrets);
  int64_t threads = file.threads;
  in.Int("threads", 1, 64, threads);
  file.threads = static_cast<int>(threads);
  int64_t offset = 0;
  in.Int("clock_offset_seconds", -(1LL << 40), 1LL << 40, offset);
  const nlohmann::json* proxy = in.Raw("proxy");
  if (proxy == nullptr) {
    in.Fail("proxy: missing; the document needs a \"proxy\" object (the ProxyConfig)");
  }
  CM_RETURN_IF_ERROR(in.Finish());

  Result<ProxyConfig> config = ConfigFromJson(*proxy, "proxy");
  if (!config.ok()) return config.status();
  file.config = std::move(config).value();
  CM_RETURN_IF_ERROR(CheckProxyFile(file));
  if (offset != 0) {
    const auto shift = std::chrono::seconds(offset);
    file.config.clock = [shift] { return Clock::now() + shift; };
  }
  return file;
}

Result<ProxyFile> LoadProxyFile(const std::string& path) {
  Result<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  Result<nlohmann::json> document = ParseJsonText(contents.value());
  if (!document.ok()) {
    return Error(kInvalidConfiguration, path + ": " + document.status().message());
  }
  Result<ProxyFile> file = ParseProxyFile(document.value());
  if (!file.ok()) return Error(file.status().code(), path + ": " + file.status().message());
  return file;
}

Result<std::shared_ptr<Proxy>> StartProxyFile(ProxyRuntime& runtime, const ProxyFile& file) {
  for (size_t i = 0; i < file.secrets.size(); ++i) {
    const InlineSecret& secret = file.secrets[i];
    Status pushed = Status::Ok();
    if (!secret.trusted_ca_pem.empty()) {
      pushed = runtime.secrets().PushValidationContext(secret.name, secret.trusted_ca_pem);
    }
    const bool certificate =
        !secret.certificate_chain_pem.empty() || !secret.private_key_pem.empty();
    if (pushed.ok() && certificate) {
      pushed = runtime.secrets().PushCertificate(secret.name, secret.certificate_chain_pem,
                                                 secret.private_key_pem);
    }
    if (!pushed.ok()) {
      return Error(kInvalidConfiguration,
                   fmt::format("secrets[{}] ('{}'): {}; give PEM text (or a *_file holding it) "
                               "that openssl x509 / openssl pkey can read",
                               i, secret.name, pushed.message()));
    }
  }
  return runtime.Start(file.config);
}

// Envoy refuses a configuration whose certificate files are not there; so does a standalone
// proxy (the watcher would otherwise serve without them until they appear).
Status CheckFileSecretsExist(const ProxyConfig& config) {
  for (size_t i = 0; i < config.file_secrets.size(); ++i) {
    const FileSecret& secret = config.file_secrets[i];
    for (const auto& [field, path] :
         {std::pair{"certificate_chain_path", &secret.certificate_chain_path},
          std::pair{"private_key_path", &secret.private_key_path},
          std::pair{"trusted_ca_path", &secret.trusted_ca_path}}) {
      if (path->empty()) continue;
      std::error_code ec;
      const bool regular = std::filesystem::is_regular_file(*path, ec);
      if (!regular) {
        return Error(
            kInvalidConfiguration,
            fmt::format("proxy.file_secrets[{}].{}: {} is {}; give the path of a PEM "
                        "file",
                        i, field, *path,
                        std::filesystem::exists(*path, ec) ? "not a regular file" : "not there"));
      }
    }
  }
  return Status::Ok();
}

int RunProxyFromConfigFile(const std::string& path) {
  Result<ProxyFile> file = LoadProxyFile(path);
  if (!file.ok()) {
    std::cerr << "crossmesh proxy: " << file.status().message() << "\n";
    return 2;
  }
  if (Status files = CheckFileSecretsExist(file->config); !files.ok()) {
    std::cerr << "crossmesh proxy: " << path << ": " << files.message() << "\n";
    return 2;
  }
  // Message bodies are allocated and freed per request; with glibc's default trim threshold
  // the heap top shrank and grew again around them, and page faults zeroing fresh pages took
  // a sixth of the CPU with 64 KiB responses. Keep freed memory for reuse instead (as HAProxy's
  // buffer pools do); only bodies above 1 MiB come from mmap and go back at once. (This is for
  // builds on glibc's malloc: tcmalloc, which the executables link, ignores these.)
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
    // A refused file exits 2, naming it; a proxy that could not start (a port taken) 1.
    const bool refused = proxy.status().code() == kInvalidConfiguration;
    std::cerr << "crossmesh proxy: " << (refused ? path + ": " : "") << proxy.status().message()
              << "\n";
    return refused ? 2 : 1;
  }
  std::cout << PortsLine(*proxy.value(), proxy.value()->Config()) << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  runtime.StopAll();
  return 0;
}

}  // namespace crossmesh::proxy
