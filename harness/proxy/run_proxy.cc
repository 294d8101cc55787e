#include "harness/proxy/run_proxy.h"

#include <malloc.h>

#include <csignal>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "emulator/core/json_depth.h"
#include "emulator/core/text_file.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/keys.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/json_reader.h"
#include "harness/proxy/secret_references.h"

namespace crossmesh::proxy {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  return ReadTextFile(path, "file", kInvalidConfiguration);
}

// A FIFO or a device: opening a FIFO waits for a writer and a device may never end, so the
// start would hang on it. (A folder or a missing path gets ReadTextFile's own message.)
bool IsSpecialFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec) &&
         !std::filesystem::is_directory(path, ec);
}

void ReadSecret(JsonReader& in, InlineSecret& secret) {
  in.String("name", secret.name);
  in.String("certificate_chain_pem", secret.certificate_chain_pem);
  in.String("private_key_pem", secret.private_key_pem);
  in.String("trusted_ca_pem", secret.trusted_ca_pem);
  in.String("certificate_chain_file", secret.certificate_chain_file);
  in.String("private_key_file", secret.private_key_file);
  in.String("trusted_ca_file", secret.trusted_ca_file);
  for (auto [field, path, target] :
       {std::tuple{"certificate_chain", &secret.certificate_chain_file,
                   &secret.certificate_chain_pem},
        std::tuple{"private_key", &secret.private_key_file, &secret.private_key_pem},
        std::tuple{"trusted_ca", &secret.trusted_ca_file, &secret.trusted_ca_pem}}) {
    if (path->empty()) continue;
    if (!target->empty()) {
      in.Fail(fmt::format("{}: both {}_pem and {}_file are given; keep one of them", in.path(),
                          field, field));
      return;
    }
    if (IsSpecialFile(*path)) {
      in.Fail(
          fmt::format("{}.{}_file: {} is not a regular file (a FIFO or a device); give the "
                      "path of a PEM file",
                      in.path(), field, *path));
      return;
    }
    Result<std::string> contents = ReadWholeFile(*path);
    if (!contents.ok()) {
      in.Fail(fmt::format("{}.{}_file: {}", in.path(), field, contents.status().message()));
      return;
    }
    *target = std::move(contents).value();
  }
}

// A secret's PEM as the proxy will use it, read before the start so that a mistake is
// refused with the field that holds it: `where` is its path ("secrets[0]"), `suffix` how the
// fields are spelt there ("_pem", "_path"), `files` the files the chain, the key and the CAs
// were read from (empty: given inline), named in messages (an inline secret's `*_file`).
Status CheckSecretPem(const std::string& where, const std::string& suffix,
                      const std::string& chain_pem, const std::string& key_pem,
                      const std::string& ca_pem, const std::array<std::string, 3>& files) {
  const auto refused = [&](const std::string& field, const std::string& why) {
    const size_t at = field == "certificate_chain" ? 0 : field == "private_key" ? 1 : 2;
    if (files[at].empty()) {
      return Error(kInvalidConfiguration, fmt::format("{}.{}{}: {}", where, field, suffix, why));
    }
    const std::string read_as = suffix == "_pem" ? "_file" : suffix;
    return Error(kInvalidConfiguration,
                 fmt::format("{}.{}{} ({}): {}", where, field, read_as, files[at], why));
  };
  // Envoy's SDS secret is one or the other, and a proxy would use this one for either role.
  if (!chain_pem.empty() && !ca_pem.empty()) {
    return Error(kInvalidConfiguration,
                 fmt::format("{}: holds a certificate chain and trusted CAs at once; a secret is "
                             "one or the other: split it into two secrets with names of their "
                             "own",
                             where));
  }
  if (chain_pem.empty() && key_pem.empty() && ca_pem.empty()) {
    return Error(
        kInvalidConfiguration,
        fmt::format("{}: holds nothing; give certificate_chain{} and private_key{}, or "
                    "trusted_ca{}{}",
                    where, suffix, suffix, suffix,
                    suffix == "_pem" ? " (or their *_file forms, which read a file)" : ""));
  }
  if (chain_pem.empty() != key_pem.empty()) {
    return chain_pem.empty() ? refused("certificate_chain",
                                       "missing; a private key serves only with its "
                                       "certificate chain")
                             : refused("private_key",
                                       "missing; a certificate chain serves only with its "
                                       "private key");
  }
  if (!chain_pem.empty()) {
    Result<std::vector<pki::Certificate>> chain = pki::ParseCertificatesPem(chain_pem);
    if (!chain.ok()) {
      return refused("certificate_chain",
                     chain.status().message() + "; give PEM that openssl x509 can read");
    }
    Result<pki::PrivateKey> key = pki::PrivateKey::FromPem(key_pem);
    if (!key.ok()) {
      return refused("private_key", key.status().message() +
                                        "; give an unencrypted PEM key that openssl pkey can read");
    }
    if (!pki::CheckCertificateMatchesKey(chain->front(), *key).ok()) {
      for (size_t i = 1; i < chain->size(); ++i) {
        if (!pki::CheckCertificateMatchesKey((*chain)[i], *key).ok()) continue;
        return refused("certificate_chain",
                       fmt::format("certificate {} of the chain is the key's, not the first; "
                                   "put the leaf first, then its issuers",
                                   i + 1));
      }
      return refused("private_key",
                     fmt::format("not the key of the chain's first certificate (serial {}{}); "
                                 "give that certificate's key, or the certificate issued for "
                                 "this key",
                                 chain->front().serial_hex(),
                                 chain->front().is_ca() ? ", a CA certificate" : ""));
    }
  }
  if (!ca_pem.empty()) {
    Result<std::vector<pki::Certificate>> cas = pki::ParseCertificatesPem(ca_pem);
    if (!cas.ok()) {
      return refused("trusted_ca",
                     cas.status().message() + "; give PEM that openssl x509 can read");
    }
  }
  return Status::Ok();
}

// What a secret can serve as: a certificate with its key, trusted CAs, or (pushed by an SDS
// server after the start) either.
struct SecretKinds {
  bool certificate = false;
  bool trust = false;
  std::string where;  // the field that defines it, for messages
};

Status CheckSecretKind(const SecretReference& reference, const SecretKinds& kinds) {
  if (reference.trust ? kinds.trust : kinds.certificate) return Status::Ok();
  return Error(kInvalidConfiguration,
               reference.trust
                   ? fmt::format("proxy.{}: secret '{}' ({}) holds a certificate, not trusted "
                                 "CAs; name a secret with trusted_ca_pem, trusted_ca_file or "
                                 "trusted_ca_path",
                                 reference.path, reference.name, kinds.where)
                   : fmt::format("proxy.{}: secret '{}' ({}) holds trusted CAs, not a "
                                 "certificate and its key; name a secret with the certificate "
                                 "chain and private key",
                                 reference.path, reference.name, kinds.where));
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

// Mutual TLS with nothing to check client certificates against: every handshake would fail
// with no word of why. (A control plane renders a trust only with its secret.)
// An empty name in a SAN list matches no certificate: every handshake through it would fail.
Status CheckSanList(const std::string& where, const std::vector<std::string>& sans) {
  for (size_t i = 0; i < sans.size(); ++i) {
    if (!sans[i].empty()) continue;
    return Error(kInvalidConfiguration,
                 fmt::format("proxy.{}.san_exact[{}]: empty, so no certificate matches it; give "
                             "the exact name, or leave the list out to check the chain only",
                             where, i));
  }
  return Status::Ok();
}

Status CheckValidationTrust(const ProxyConfig& config) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const std::optional<ListenerTls>& tls = config.listeners[i].tls;
    if (!tls || !tls->validation) continue;
    CM_RETURN_IF_ERROR(
        CheckSanList(fmt::format("listeners[{}].tls.validation", i), tls->validation->san_exact));
    if (!tls->validation->trust_secret.empty()) continue;
    return Error(kInvalidConfiguration,
                 fmt::format("proxy.listeners[{}].tls.validation.trust_secret: missing; client "
                             "certificates are checked against it: name the secret holding the "
                             "trusted CAs, or drop 'validation' for one-way TLS",
                             i));
  }
  for (size_t i = 0; i < config.clusters.size(); ++i) {
    const std::optional<ClientTlsPolicy>& policy = config.clusters[i].tls_policy;
    if (!policy || !policy->validation) continue;
    CM_RETURN_IF_ERROR(CheckSanList(fmt::format("clusters[{}].tls_policy.validation", i),
                                    policy->validation->san_exact));
  }
  return Status::Ok();
}

// The cross-field checks the runtime would make at Start, with the paths of this document, and
// those only a standalone file can make: every secret named must come from exactly one place,
// and be of the kind the field needs.
Status CheckProxyFile(const ProxyFile& file) {
  if (file.config.listeners.empty() && file.config.outbounds.empty()) {
    return Error(kInvalidConfiguration,
                 "proxy.listeners and proxy.outbounds: both empty, so the proxy would serve "
                 "nothing; add a listener (in front of the app) or an outbound (a local port "
                 "for the app's calls)");
  }
  ProxyConfig filled = file.config;
  FillDefaults(filled);
  if (Status valid = ValidateConfig(filled); !valid.ok()) {
    return Error(valid.code(), "proxy." + valid.message());
  }
  CM_RETURN_IF_ERROR(CheckValidationTrust(file.config));

  std::map<std::string, SecretKinds> defined;
  const auto define = [&defined](const std::string& name, SecretKinds kinds) -> Status {
    auto [at, added] = defined.emplace(name, kinds);
    if (added) return Status::Ok();
    return Error(kInvalidConfiguration,
                 fmt::format("{}: secret '{}' is defined by {} too; give each secret one name "
                             "and one source",
                             kinds.where, name, at->second.where));
  };
  for (const std::string& name : file.sds_secrets) {
    CM_RETURN_IF_ERROR(define(name, {true, true, "sds_secrets"}));
  }
  for (size_t i = 0; i < file.secrets.size(); ++i) {
    const InlineSecret& secret = file.secrets[i];
    if (secret.name.empty()) {
      return Error(kInvalidConfiguration,
                   fmt::format("secrets[{}].name: missing; give the name the config uses", i));
    }
    const std::string where = fmt::format("secrets[{}]", i);
    CM_RETURN_IF_ERROR(CheckSecretPem(
        where, "_pem", secret.certificate_chain_pem, secret.private_key_pem, secret.trusted_ca_pem,
        {secret.certificate_chain_file, secret.private_key_file, secret.trusted_ca_file}));
    CM_RETURN_IF_ERROR(define(secret.name, {!secret.certificate_chain_pem.empty(),
                                            !secret.trusted_ca_pem.empty(), where}));
  }
  for (size_t i = 0; i < file.config.file_secrets.size(); ++i) {
    const FileSecret& secret = file.config.file_secrets[i];
    CM_RETURN_IF_ERROR(define(secret.secret_name, {!secret.certificate_chain_path.empty(),
                                                   !secret.trusted_ca_path.empty(),
                                                   fmt::format("proxy.file_secrets[{}]", i)}));
  }

  for (const SecretReference& reference : SecretReferences(file.config)) {
    auto found = defined.find(reference.name);
    if (found != defined.end()) {
      CM_RETURN_IF_ERROR(CheckSecretKind(reference, found->second));
      continue;
    }
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
  if (IsSpecialFile(path)) {
    return Error(kInvalidConfiguration,
                 fmt::format("{}: not a regular file (a FIFO or a device); give the path of the "
                             "JSON config file",
                             path));
  }
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
      pushed = runtime.secrets().PushValidationContext(secret.name, secret.trusted_ca_pem,
                                                       secret.trusted_ca_file);
    }
    const bool certificate =
        !secret.certificate_chain_pem.empty() || !secret.private_key_pem.empty();
    if (pushed.ok() && certificate) {
      pushed =
          runtime.secrets().PushCertificate(secret.name, secret.certificate_chain_pem,
                                            secret.private_key_pem, secret.certificate_chain_file);
    }
    if (!pushed.ok()) {
      return Error(kInvalidConfiguration,
                   fmt::format("secrets[{}] ('{}'): {}", i, secret.name, pushed.message()));
    }
  }
  Result<std::shared_ptr<Proxy>> proxy = runtime.Start(file.config);
  // Builds every TLS context now (as /certs does), so that what is wrong with a certificate
  // (expired, not yet valid, of the wrong kind) is logged at the start, not at the first
  // connection.
  if (proxy.ok()) proxy.value()->CertsJson();
  return proxy;
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
    // Read as the watcher will read them: a pair that does not match is refused now, not
    // retried quietly with no certificate served (a later replacement is retried).
    std::string pem[3];
    const std::string* paths[3] = {&secret.certificate_chain_path, &secret.private_key_path,
                                   &secret.trusted_ca_path};
    for (int f = 0; f < 3; ++f) {
      if (paths[f]->empty()) continue;
      Result<std::string> text = ReadWholeFile(*paths[f]);
      if (!text.ok()) return Error(kInvalidConfiguration, text.status().message());
      pem[f] = std::move(text).value();
    }
    CM_RETURN_IF_ERROR(CheckSecretPem(
        fmt::format("proxy.file_secrets[{}]", i), "_path", pem[0], pem[1], pem[2],
        {secret.certificate_chain_path, secret.private_key_path, secret.trusted_ca_path}));
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
    // A refused file exits 2; a proxy that could not start (a port taken) 1. Both name the
    // file, and a port its field.
    const bool refused = proxy.status().code() == kInvalidConfiguration;
    const bool port = proxy.status().code() == kPortUnavailable;
    std::cerr << "crossmesh proxy: " << path << ": " << (port ? "proxy." : "")
              << proxy.status().message() << "\n";
    return refused ? 2 : 1;
  }
  std::cout << PortsLine(*proxy.value(), proxy.value()->Config()) << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  runtime.StopAll();
  return 0;
}

}  // namespace crossmesh::proxy
