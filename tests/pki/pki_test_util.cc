#include "tests/pki/pki_test_util.h"

#include <openssl/pem.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "emulator/pki/bio.h"
#include "emulator/pki/csr.h"

namespace crossmesh::pki::testing {

TestCa MakeRoot(KeyAlgorithm key_algorithm, SigningAlgorithm signing,
                const std::string& common_name, TimePoint not_before, TimePoint not_after) {
  PrivateKey key = Unwrap(PrivateKey::Generate(key_algorithm));
  Subject subject;
  subject.organization = "Crossmesh Test";
  subject.common_name = common_name;
  Csr csr = Unwrap(Csr::Create(key, subject, signing));

  IssueOptions options;
  options.certificate_template = CertificateTemplate::kRootCaV1;
  options.signing_algorithm = signing;
  options.not_before = not_before;
  options.not_after = not_after;
  Certificate certificate = Unwrap(IssueFromCsr(csr, {&key, nullptr}, options));
  return {std::move(key), std::move(certificate)};
}

TestCa MakeSubordinate(const TestCa& parent, KeyAlgorithm key_algorithm, SigningAlgorithm signing,
                       CertificateTemplate kind, const std::string& common_name,
                       TimePoint not_before, TimePoint not_after) {
  PrivateKey key = Unwrap(PrivateKey::Generate(key_algorithm));
  Subject subject;
  subject.organization = "Crossmesh Test";
  subject.common_name = common_name;
  // The subordinate signs its CSR with its own key's family; the parent signs with `signing`.
  SigningAlgorithm own = FamilyOf(key_algorithm) == KeyFamily::kRsa
                             ? SigningAlgorithm::kSha256WithRsa
                             : SigningAlgorithm::kSha256WithEcdsa;
  Csr csr = Unwrap(Csr::Create(key, subject, own));

  IssueOptions options;
  options.certificate_template = kind;
  options.signing_algorithm = signing;
  options.not_before = not_before;
  options.not_after = not_after;
  Certificate certificate = Unwrap(IssueFromCsr(csr, {&parent.key, &parent.certificate}, options));
  return {std::move(key), std::move(certificate)};
}

Certificate IssueLeaf(const TestCa& ca, SigningAlgorithm signing, const std::string& common_name,
                      TimePoint not_before, TimePoint not_after, KeyAlgorithm key_algorithm) {
  PrivateKey key = Unwrap(PrivateKey::Generate(key_algorithm));
  Subject subject;
  subject.common_name = common_name;
  IssueOptions options;
  options.signing_algorithm = signing;
  options.not_before = not_before;
  options.not_after = not_after;
  options.dns_names = std::vector<std::string>{common_name};
  return Unwrap(IssueForPublicKey(key.public_key(), subject, {&ca.key, &ca.certificate}, options));
}

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pki_test.XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::Write(const std::string& name, const std::string& contents) const {
  std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out << contents;
  REQUIRE(out.good());
  return file.string();
}

CommandResult RunCommand(const std::string& command) {
  struct PipeCloser {
    int* status;
    void operator()(FILE* pipe) const { *status = ::pclose(pipe); }
  };
  CommandResult result;
  int status = -1;
  {
    std::unique_ptr<FILE, PipeCloser> pipe(::popen((command + " 2>&1").c_str(), "r"),
                                           PipeCloser{&status});
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    size_t read = 0;
    while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
      result.output.append(buffer.data(), read);
    }
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult OpensslVerify(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                            const Certificate& root, TimePoint at) {
  ScratchDir dir;
  std::string command = "openssl verify -attime " + std::to_string(ToUnixSeconds(at)) +
                        " -CAfile " + dir.Write("root.pem", Unwrap(root.ToPem()));
  if (!intermediates.empty()) {
    command += " -untrusted " + dir.Write("chain.pem", Unwrap(CertificatesToPem(intermediates)));
  }
  command += " " + dir.Write("leaf.pem", Unwrap(leaf.ToPem()));
  return RunCommand(command);
}

std::string PemToDer(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  REQUIRE(PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1);
  std::string der(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return der;
}

std::string DerToPem(const std::string& der, const std::string& label) {
  BioPtr bio = WriteBio();
  REQUIRE(PEM_write_bio(bio.get(), label.c_str(), "",
                        reinterpret_cast<const unsigned char*>(der.data()),
                        static_cast<long>(der.size())) > 0);
  return BioContents(bio.get());
}

}  // namespace crossmesh::pki::testing
