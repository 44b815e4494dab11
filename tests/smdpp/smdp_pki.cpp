// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/smdp_pki.h"

#include <filesystem>

#include "libapdu/error.h"
#include "libfile/file.h"

namespace lpad::smdpp {

namespace fs = std::filesystem;

namespace {

// e.g. role_dir "DPauth", base "S_SM_DPauth_ECDSA" -> DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der + SK_...pem
std::optional<Credential> find_credential(const std::vector<std::string>& dirs, const std::string& role_dir,
                                          const std::string& base, const std::string& curve) {
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
        fs::path d = fs::path(*it) / role_dir;
        fs::path cert = d / ("CERT_" + base + "_" + curve + ".der");
        fs::path key = d / ("SK_" + base + "_" + curve + ".pem");
        if (fs::exists(cert) && fs::exists(key))
            return Credential{file::certificate(cert.string()), file::private_key(key.string())};
    }
    return std::nullopt;
}

Credential require(std::optional<Credential> c, const std::string& what) {
    if (!c) fail(Errc::NotFound, "SM-DP+ PKI: no " + what + " certificate and key found");
    return std::move(*c);
}

}  // namespace

ServerPki ServerPki::load(const std::vector<std::string>& dirs, const std::string& curve) {
    if (curve != "NIST" && curve != "BRP") fail(Errc::InvalidArgument, "SM-DP+ PKI: curve must be NIST or BRP");
    std::vector<x509::Certificate> ci;
    for (const auto& d : dirs) {
        fs::path issuer = fs::path(d) / "CertificateIssuer";
        if (!fs::is_directory(issuer)) continue;
        for (const auto& entry : fs::directory_iterator(issuer)) {
            std::string name = entry.path().filename().string();
            if (name.rfind("CERT_CI_ECDSA_", 0) == 0 && entry.path().extension() == ".der")
                ci.push_back(file::certificate(entry.path().string()));
        }
    }
    if (ci.empty()) fail(Errc::NotFound, "SM-DP+ PKI: no CertificateIssuer/CERT_CI_ECDSA_*.der found");
    ServerPki pki{std::move(ci),
                  require(find_credential(dirs, "DPauth", "S_SM_DPauth_ECDSA", curve), "DPauth"),
                  require(find_credential(dirs, "DPpb", "S_SM_DPpb_ECDSA", curve), "DPpb"),
                  require(find_credential(dirs, "DPtls", "S_SM_DP_TLS", curve), "DPtls"),
                  find_credential(dirs, "DSauth", "S_SM_DSauth_ECDSA", curve),
                  find_credential(dirs, "DStls", "S_SM_DS_TLS", curve)};
    return pki;
}

const x509::Certificate* ServerPki::ci_by_key_id(ByteView ski) const {
    for (const auto& c : ci)
        if (equal(c.subject_key_id(), ski)) return &c;
    return nullptr;
}


}  // namespace lpad::smdpp
