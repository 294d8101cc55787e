#include "emulator/pki/chain.h"

#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

Status VerifyFailure(X509_STORE_CTX* context, TimePoint at) {
  const int error = X509_STORE_CTX_get_error(context);
  std::string message = "the certificate chain does not verify at " + FormatUtc(at) + ": " +
                        X509_verify_cert_error_string(error);
  X509* failing = X509_STORE_CTX_get_current_cert(context);
  message += " (depth " + std::to_string(X509_STORE_CTX_get_error_depth(context));
  if (failing != nullptr) message += ", " + Certificate::Share(failing).subject_string();
  message += ")";
  DrainOpenSslErrors();
  return Error(kCertificateMismatch, std::move(message));
}

}  // namespace

Status VerifyCertificateChain(const Certificate& leaf,
                              const std::vector<Certificate>& intermediates,
                              const std::vector<Certificate>& trusted, TimePoint at) {
  X509StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (store == nullptr || untrusted == nullptr || context == nullptr) {
    return OpenSslFailure(kRequestFailed, "cannot allocate a certificate store");
  }

  for (const Certificate& anchor : trusted) {
    if (X509_STORE_add_cert(store.get(), anchor.get()) != 1) {
      // Adding the same anchor twice is harmless; anything else is not.
      DrainOpenSslErrors();
    }
  }
  for (const Certificate& helper : intermediates) {
    if (X509_add_cert(untrusted.get(), helper.get(), X509_ADD_FLAG_UP_REF) != 1) {
      return OpenSslFailure(kRequestFailed, "cannot collect the intermediate certificates");
    }
  }

  if (X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return OpenSslFailure(kRequestFailed, "cannot start certificate verification");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context.get()), ToUnixSeconds(at));
  if (X509_verify_cert(context.get()) != 1) return VerifyFailure(context.get(), at);
  return Status::Ok();
}

Status VerifySubordinateCaChain(const Certificate& ca_certificate,
                                const std::vector<Certificate>& chain, TimePoint at) {
  if (!ca_certificate.is_ca()) {
    return Error(kCertificateMismatch, "the certificate " + ca_certificate.subject_string() +
                                           " is not a CA certificate (basicConstraints "
                                           "CA:TRUE); issue it with a SubordinateCACertificate "
                                           "template");
  }
  if (chain.empty()) {
    return Error(kCertificateMismatch,
                 "a subordinate CA certificate needs its CertificateChain: "
                 "the issuing CA's certificate up to the root");
  }
  if (X509_check_issued(chain.front().get(), ca_certificate.get()) != X509_V_OK) {
    return Error(kCertificateMismatch, "the first chain certificate " +
                                           chain.front().subject_string() + " did not issue " +
                                           ca_certificate.subject_string() +
                                           "; order the chain from the issuing CA up to the root");
  }
  if (!chain.back().IsSelfSigned()) {
    return Error(kCertificateMismatch, "the last chain certificate " +
                                           chain.back().subject_string() +
                                           " is not a self-signed root; end the chain with the "
                                           "root CA certificate");
  }

  const std::vector<Certificate> intermediates(chain.begin(), chain.end() - 1);
  return VerifyCertificateChain(ca_certificate, intermediates, {chain.back()}, at);
}

}  // namespace crossmesh::pki
