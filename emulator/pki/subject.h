// The ACM-PCA ASN1Subject shape as a plain struct, and its conversion to and from X509_NAME.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/openssl_handles.h"

namespace crossmesh::pki {

// A CustomAttribute of ASN1Subject: a dotted OID and its value.
struct SubjectAttribute {
  std::string object_identifier;
  std::string value;

  bool operator==(const SubjectAttribute&) const = default;
};

// Empty strings mean "absent". Fields appear in the X509_NAME in the order declared here,
// which is the member order of ASN1Subject in the ACM-PCA API reference.
struct Subject {
  std::string country;                       // C, two letters (ISO 3166)
  std::string organization;                  // O
  std::string organizational_unit;           // OU
  std::string distinguished_name_qualifier;  // dnQualifier
  std::string state;                         // ST
  std::string common_name;                   // CN
  std::string serial_number;                 // serialNumber
  std::string locality;                      // L
  std::string title;                         // title
  std::string surname;                       // SN
  std::string given_name;                    // GN
  std::string initials;                      // initials
  std::string pseudonym;                     // pseudonym
  std::string generation_qualifier;          // generationQualifier
  // Attributes with no field above, appended after them (on the way back from X509_NAME, also
  // any repeat of a field, such as a second OU).
  std::vector<SubjectAttribute> custom_attributes;

  bool empty() const;
  bool operator==(const Subject&) const = default;
};

// InvalidArgsException names the field and OpenSSL's reason, e.g. a Country that is not two
// letters or a value longer than its ASN.1 upper bound (64 for CN).
Result<X509NamePtr> ToX509Name(const Subject& subject);
// The same entries appended to `name`, for filling a certificate's own name in place (setting a
// built name copies it through an encode and a decode).
Status AppendToX509Name(const Subject& subject, X509_NAME* name);
Subject SubjectFromX509Name(const X509_NAME* name);

// RFC 2253 form, most specific first, UTF-8 unescaped: "CN=api.example,O=Example,C=US".
std::string X509NameToString(const X509_NAME* name);

}  // namespace crossmesh::pki
