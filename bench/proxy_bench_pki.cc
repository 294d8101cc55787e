#include "bench/proxy_bench_pki.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/pki/issuer.h"

namespace crossmesh::bench {
namespace {

template <typename T>
T MustPki(Result<T> result) {
  if (!result.ok()) {
    std::fprintf(stderr, "proxy_bench: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

struct Issued {
  std::string chain_pem;
  std::string key_pem;
};

Issued IssueLeaf(const pki::PrivateKey& ca_key, const pki::Certificate& ca,
                 const std::string& name) {
  auto key = MustPki(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  pki::Subject subject;
  subject.common_name = name;
  pki::IssueOptions options;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = Clock::now() - std::chrono::hours(1);
  options.not_after = Clock::now() + std::chrono::hours(24 * 395);
  options.dns_names = std::vector<std::string>{name};
  const pki::SigningCa signer{&ca_key, &ca};
  const pki::Certificate leaf =
      MustPki(pki::IssueForPublicKey(key.public_key(), subject, signer, options));
  return Issued{MustPki(leaf.ToPem()), MustPki(key.ToPem())};
}

void WritePrivate(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  ::chmod(path.c_str(), 0600);
  out << text;
  if (!out) {
    std::fprintf(stderr, "proxy_bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

BenchPki MakeBenchPki() {
  auto key = MustPki(pki::PrivateKey::Generate(pki::KeyAlgorithm::kEcPrime256v1));
  pki::Subject subject;
  subject.common_name = "Bench Root";
  pki::IssueOptions options;
  options.certificate_template = pki::CertificateTemplate::kRootCaV1;
  options.signing_algorithm = pki::SigningAlgorithm::kSha256WithEcdsa;
  options.not_before = Clock::now() - std::chrono::hours(24);
  options.not_after = Clock::now() + std::chrono::hours(24 * 3650);
  const pki::Certificate ca =
      MustPki(pki::IssueForPublicKey(key.public_key(), subject, {&key, nullptr}, options));

  const Issued server = IssueLeaf(key, ca, kBenchService);
  const Issued client = IssueLeaf(key, ca, "client.bench.local");
  return BenchPki{MustPki(ca.ToPem()), server.chain_pem, server.key_pem, client.chain_pem,
                  client.key_pem};
}

void WriteHaproxyPem(const BenchPki& pki, const std::string& dir) {
  WritePrivate(dir + "/ca.pem", pki.ca_pem);
  WritePrivate(dir + "/server.pem", pki.server_chain_pem + pki.server_key_pem);
  WritePrivate(dir + "/client.pem", pki.client_chain_pem + pki.client_key_pem);
}

}  // namespace crossmesh::bench
