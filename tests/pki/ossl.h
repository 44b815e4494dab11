// SPDX-License-Identifier: Apache-2.0
// RAII owners for the OpenSSL 3 handles the test PKI generator uses, and the one error path for OpenSSL failures.
#pragma once

#include <memory>
#include <string>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace lpad::testpki {

// A unique_ptr deleter that calls the library's own free function.
template <auto FreeFn>
struct OsslDeleter {
    template <class T>
    void operator()(T* p) const { FreeFn(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<X509_NAME_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using AsnIntPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<ASN1_INTEGER_free>>;
using AsnOctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<ASN1_OCTET_STRING_free>>;
using AsnBitsPtr = std::unique_ptr<ASN1_BIT_STRING, OsslDeleter<ASN1_BIT_STRING_free>>;
using AsnObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<ASN1_OBJECT_free>>;
using AsnTimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<ASN1_TIME_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OsslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, OsslDeleter<BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, OsslDeleter<AUTHORITY_KEYID_free>>;
using PoliciesPtr = std::unique_ptr<CERTIFICATEPOLICIES, OsslDeleter<CERTIFICATEPOLICIES_free>>;
using PolicyInfoPtr = std::unique_ptr<POLICYINFO, OsslDeleter<POLICYINFO_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, OsslDeleter<EXTENDED_KEY_USAGE_free>>;
using NameConstraintsPtr = std::unique_ptr<NAME_CONSTRAINTS, OsslDeleter<NAME_CONSTRAINTS_free>>;
using GeneralSubtreePtr = std::unique_ptr<GENERAL_SUBTREE, OsslDeleter<GENERAL_SUBTREE_free>>;
using CrlDistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, OsslDeleter<CRL_DIST_POINTS_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, OsslDeleter<DIST_POINT_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;

// Throws lpad::Error(CryptoError) with `what` and the drained OpenSSL error queue.
[[noreturn]] void fail_openssl(const std::string& what);

// Returns p, or fails with `what` when p is null (for OpenSSL constructors).
template <class T>
T* check(T* p, const char* what) {
    if (p == nullptr) fail_openssl(what);
    return p;
}
// Fails with `what` unless rc == 1 (OpenSSL's success convention; some calls also return > 0).
inline void check_ok(int rc, const char* what) {
    if (rc <= 0) fail_openssl(what);
}

}  // namespace lpad::testpki
