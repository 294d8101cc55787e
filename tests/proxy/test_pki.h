// Certificates for the proxy tests: CAs, server and client certificates (wildcards, expired
// ones, other CAs), minted with the emulator's own issuer (emulator/pki/issuer.h), EC P-256 so
// that they are quick to make. Validity windows are relative to a test clock.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/pki/certificate.h"
#include "emulator/pki/keys.h"
#include "harness/proxy/secret_store.h"

namespace crossmesh::proxy::testing {

inline constexpr std::chrono::hours kDay{24};

struct TestCa {
  std::shared_ptr<const pki::PrivateKey> key;
  pki::Certificate certificate;
};

// A root CA valid from `now` - 1 day for ten years.
TestCa MakeCa(const std::string& common_name, TimePoint now);

// An end-entity certificate (serverAuth + clientAuth) for a fresh key, signed by `ca`, with
// these DNS SANs, valid [not_before, not_after].
TlsCertificate IssueCertificate(const TestCa& ca, const std::vector<std::string>& dns_names,
                                TimePoint not_before, TimePoint not_after);
// Valid from now - 1 hour for 395 days, as ACM issues them.
TlsCertificate IssueCertificate(const TestCa& ca, const std::vector<std::string>& dns_names,
                                TimePoint now);

ValidationContext TrustOf(const TestCa& ca);

// A clock the tests move: wall time plus an offset.
class TestClock {
 public:
  TimePoint Now() const { return Clock::now() + offset_.load(); }
  void Advance(std::chrono::seconds by) { offset_ = offset_.load() + by; }
  std::function<TimePoint()> Function() const {
    return [this] { return Now(); };
  }

 private:
  std::atomic<std::chrono::seconds> offset_{std::chrono::seconds(0)};
};

}  // namespace crossmesh::proxy::testing
