#include "emulator/pki/subject.h"

#include <openssl/objects.h>

#include <array>
#include <cstddef>

#include "emulator/pki/bio.h"
#include "emulator/pki/errors.h"
#include "emulator/pki/openssl_error.h"

namespace crossmesh::pki {
namespace {

struct FieldInfo {
  int nid;
  const char* aws_name;
  std::string Subject::*member;
};

// ASN1Subject member order; ToX509Name writes in this order.
constexpr std::array<FieldInfo, 14> kFields = {{
    {NID_countryName, "Country", &Subject::country},
    {NID_organizationName, "Organization", &Subject::organization},
    {NID_organizationalUnitName, "OrganizationalUnit", &Subject::organizational_unit},
    {NID_dnQualifier, "DistinguishedNameQualifier", &Subject::distinguished_name_qualifier},
    {NID_stateOrProvinceName, "State", &Subject::state},
    {NID_commonName, "CommonName", &Subject::common_name},
    {NID_serialNumber, "SerialNumber", &Subject::serial_number},
    {NID_localityName, "Locality", &Subject::locality},
    {NID_title, "Title", &Subject::title},
    {NID_surname, "Surname", &Subject::surname},
    {NID_givenName, "GivenName", &Subject::given_name},
    {NID_initials, "Initials", &Subject::initials},
    {NID_pseudonym, "Pseudonym", &Subject::pseudonym},
    {NID_generationQualifier, "GenerationQualifier", &Subject::generation_qualifier},
}};

const FieldInfo* FieldForNid(int nid) {
  for (const FieldInfo& field : kFields) {
    if (field.nid == nid) return &field;
  }
  return nullptr;
}

std::string Utf8Of(const ASN1_STRING* data) {
  unsigned char* raw = nullptr;
  int length = ASN1_STRING_to_UTF8(&raw, data);
  OpenSslBufferPtr owned(raw);
  if (length < 0) return {};
  return {reinterpret_cast<const char*>(raw), static_cast<size_t>(length)};
}

std::string OidText(const ASN1_OBJECT* object) {
  std::array<char, 128> text{};
  int length = OBJ_obj2txt(text.data(), text.size(), object, /*no_name=*/1);
  return length > 0 ? std::string(text.data()) : std::string();
}

Status AddEntry(X509_NAME* name, int nid, const char* what, const std::string& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, bytes, static_cast<int>(value.size()),
                                 -1, 0) == 1) {
    return Status::Ok();
  }
  std::string hint = nid == NID_countryName ? "; use a two-letter ISO 3166 code such as US" : "";
  Status failure = OpenSslFailure(
      kInvalidArgs, std::string("Subject ") + what + " \"" + value + "\" is not valid");
  return Error(kInvalidArgs, failure.message() + hint);
}

}  // namespace

bool Subject::empty() const {
  for (const FieldInfo& field : kFields) {
    if (!(this->*field.member).empty()) return false;
  }
  return custom_attributes.empty();
}

Result<X509NamePtr> ToX509Name(const Subject& subject) {
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) return OpenSslFailure(kRequestFailed, "cannot allocate an X509_NAME");
  CM_RETURN_IF_ERROR(AppendToX509Name(subject, name.get()));
  return name;
}

Status AppendToX509Name(const Subject& subject, X509_NAME* name) {
  for (const FieldInfo& field : kFields) {
    const std::string& value = subject.*field.member;
    if (value.empty()) continue;
    CM_RETURN_IF_ERROR(AddEntry(name, field.nid, field.aws_name, value));
  }

  for (const SubjectAttribute& attribute : subject.custom_attributes) {
    Asn1ObjectPtr object(OBJ_txt2obj(attribute.object_identifier.c_str(), /*no_name=*/1));
    if (object == nullptr) {
      // OpenSSL's own reason ("first num too large") names its parser's state, not the fix.
      DrainOpenSslErrors();
      return Error(kInvalidArgs, "Subject CustomAttribute ObjectIdentifier \"" +
                                     attribute.object_identifier +
                                     "\" is not a dotted OID such as 2.5.4.3 (numbers joined by "
                                     "dots, the first 0, 1 or 2)");
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(attribute.value.data());
    if (X509_NAME_add_entry_by_OBJ(name, object.get(), MBSTRING_UTF8, bytes,
                                   static_cast<int>(attribute.value.size()), -1, 0) != 1) {
      return OpenSslFailure(kInvalidArgs, "Subject CustomAttribute " + attribute.object_identifier +
                                              " value \"" + attribute.value + "\" is not valid");
    }
  }
  return Status::Ok();
}

Subject SubjectFromX509Name(const X509_NAME* name) {
  Subject subject;
  if (name == nullptr) return subject;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
    std::string value = Utf8Of(X509_NAME_ENTRY_get_data(entry));
    const FieldInfo* field = FieldForNid(OBJ_obj2nid(object));
    if (field != nullptr && (subject.*field->member).empty()) {
      subject.*field->member = std::move(value);
    } else {
      subject.custom_attributes.push_back({OidText(object), std::move(value)});
    }
  }
  return subject;
}

std::string X509NameToString(const X509_NAME* name) {
  BioPtr bio = WriteBio();
  if (bio == nullptr || name == nullptr) return {};
  // RFC 2253 escaping, but leave UTF-8 bytes as they are rather than \XX-escaping them.
  constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) return {};
  return BioContents(bio.get());
}

}  // namespace crossmesh::pki
