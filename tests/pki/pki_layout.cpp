// SPDX-License-Identifier: Apache-2.0
#include "tests/pki/pki_layout.h"

#include <algorithm>
#include <ctime>
#include <fstream>

#include <openssl/objects.h>

#include "libapdu/error.h"

namespace lpad::testpki {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// SGP.22 §4.5.2.1 id-rspRole certificate policies.
const std::string kRoleCi = "2.23.146.1.2.1.0";
const std::string kRoleEuicc = "2.23.146.1.2.1.1";
const std::string kRoleEum = "2.23.146.1.2.1.2";
const std::string kRoleDpTls = "2.23.146.1.2.1.3";
const std::string kRoleDpAuth = "2.23.146.1.2.1.4";
const std::string kRoleDpPb = "2.23.146.1.2.1.5";
const std::string kRoleDsTls = "2.23.146.1.2.1.6";
const std::string kRoleDsAuth = "2.23.146.1.2.1.7";

// registeredIDs the SGP.26 CI and EUM certificates carry in subjectAltName.
const std::string kCiOid = "2.999.1";
const std::string kOtherCiOid = "2.999.2";
const std::string kEumOid = "2.999.5";

const std::string kOrg = "LPADTEST";
const std::string kEumOrg = "LPAD Test EUM";
const std::string kSgp26TlsHost = "testsmdpplus1.example.com";  // the host name in SGP.26 CERT_S_SM_DP_TLS
constexpr std::time_t kDay = 86400;

bool is_ip_literal(const std::string& host) {
    ASN1_OCTET_STRING* raw = a2i_IPADDRESS(host.c_str());
    ASN1_OCTET_STRING_free(raw);
    return raw != nullptr;
}

// The remainder of a decimal string modulo 97, digit by digit.
int mod97(const std::string& digits) {
    int r = 0;
    for (char c : digits) r = (r * 10 + (c - '0')) % 97;
    return r;
}

bool all_digits(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Writes files under the PKI root and records each one as a manifest entry.
class PkiWriter {
public:
    explicit PkiWriter(fs::path root) : root_(std::move(root)) {}

    std::string write(const std::string& rel, const std::string& data) {
        fs::path path = root_ / rel;
        fs::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.close();
        if (!out) fail(Errc::Internal, "test PKI: cannot write " + path.string());
        return rel;
    }
    std::string write(const std::string& rel, const Bytes& data) { return write(rel, to_string(data)); }

    // SGP.26 names: <dir>/CERT_<base>.der/.pem, SK_<base>.pem (private), PK_<base>.pem (public).
    json entity(const std::string& dir, const std::string& base, const Issued& issued) {
        const X509* cert = issued.cert.get();
        json e;
        e["cert"] = write(dir + "/CERT_" + base + ".der", cert_der(cert));
        e["pem"] = write(dir + "/CERT_" + base + ".pem", cert_pem(cert));
        e["key"] = write(dir + "/SK_" + base + ".pem", private_key_pem(issued.key.get()));
        e["public_key"] = write(dir + "/PK_" + base + ".pem", public_key_pem(issued.key.get()));
        e["ski"] = hex(key_identifier(cert));
        e["serial"] = serial_hex(cert);
        e["subject"] = subject_line(cert);
        return e;
    }

private:
    fs::path root_;
};

struct Validity {
    std::time_t not_before;
    std::time_t not_after;
};

std::vector<std::string> crl_uris(const std::string& ci_host) {
    return {"http://" + ci_host + "/CRL-A.crl", "http://" + ci_host + "/CRL-B.crl"};
}

CertProfile ci_profile(const std::string& cn, const std::string& org, const std::string& oid, Validity v,
                       const std::vector<std::string>& crls) {
    CertProfile p;
    p.subject = {{NID_commonName, cn}, {NID_organizationalUnitName, "TESTCERT"}, {NID_organizationName, org},
                 {NID_countryName, "IT"}};
    p.not_before = v.not_before;
    p.not_after = v.not_after;
    p.ca = true;
    p.key_usage = {kKeyCertSign, kCrlSign};
    p.policies = {kRoleCi};
    p.san_registered_id = {oid};
    p.crl_uris = crls;
    return p;
}

// DPauth, DPpb, DSauth: signing certificates identified by the server's OID (SGP.22 §4.5.2.1.0.4).
CertProfile signing_profile(const std::string& cn, const std::string& role, const std::string& oid, Validity v,
                            const std::vector<std::string>& crls) {
    CertProfile p;
    p.subject = {{NID_organizationName, kOrg}, {NID_commonName, cn}};
    p.not_before = v.not_before;
    p.not_after = v.not_after;
    p.key_usage = {kDigitalSignature};
    p.policies = {role};
    p.san_registered_id = {oid};
    p.crl_uris = crls;
    return p;
}

// DPtls, DStls: TLS server certificates (SGP.22 §4.5.2.1.0.5 and RSP-NOTES "TLS trust").
CertProfile tls_profile(const std::vector<std::string>& hosts, bool loopback_ips, const std::string& role,
                        const std::string& oid, Validity v, const std::vector<std::string>& crls) {
    CertProfile p;
    p.subject = {{NID_organizationName, kOrg}, {NID_commonName, hosts.front()}};
    p.not_before = v.not_before;
    p.not_after = v.not_after;
    p.key_usage = {kDigitalSignature};
    p.ext_key_usage = {NID_server_auth, NID_client_auth};
    p.policies = {role};
    p.policies_critical = false;  // as in SGP.26 CERT_S_SM_DP_TLS
    for (const std::string& h : hosts) {
        auto& list = is_ip_literal(h) ? p.san_ip : p.san_dns;
        if (std::find(list.begin(), list.end(), h) == list.end()) list.push_back(h);
    }
    if (loopback_ips) {
        for (const char* ip : {"127.0.0.1", "::1"}) {
            if (std::find(p.san_ip.begin(), p.san_ip.end(), ip) == p.san_ip.end()) p.san_ip.emplace_back(ip);
        }
    }
    p.san_registered_id = {oid};
    p.crl_uris = crls;
    return p;
}

CertProfile eum_profile(const std::string& eid_prefix, Validity v, const std::vector<std::string>& crls) {
    CertProfile p;
    p.subject = {{NID_countryName, "IT"}, {NID_organizationName, kEumOrg}, {NID_commonName, "EUM Test"}};
    p.not_before = v.not_before;
    p.not_after = v.not_after;
    p.ca = true;
    p.path_len = 0;
    p.key_usage = {kKeyCertSign};
    p.policies = {kRoleEum};
    p.san_registered_id = {kEumOid};
    // SGP.22 §4.5.2.1.0.3: O of the EUM and serialNumber = EID prefix; the serialNumber is matched as a prefix
    // of the eUICC's EID, which RFC 5280 §4.2.1.10 directoryName matching (and so OpenSSL) does not do.
    p.permitted_dir = DistinguishedName{{NID_organizationName, kEumOrg}, {NID_serialNumber, eid_prefix}};
    p.crl_uris = crls;
    return p;
}

CertProfile euicc_profile(const std::string& eid, Validity v) {
    CertProfile p;
    p.subject = {{NID_countryName, "IT"}, {NID_organizationName, kEumOrg}, {NID_serialNumber, eid},
                 {NID_commonName, "Test eUICC"}};
    p.not_before = v.not_before;
    p.not_after = v.not_after;
    p.key_usage = {kDigitalSignature};
    p.policies = {kRoleEuicc};
    return p;
}

std::string other_oid(const std::string& oid) { return oid == "2.999.11" ? "2.999.12" : "2.999.11"; }

// Everything for one curve; returns its manifest section.
json generate_curve(PkiWriter& out, const PkiParams& params, Curve curve, std::string& trust_bundle) {
    const std::string c = curve_suffix(curve);
    const std::time_t now = std::time(nullptr);
    const Validity valid{now - kDay, now + static_cast<std::time_t>(params.days) * kDay};
    const Validity expired{now - 30 * kDay, now - kDay};
    const auto crls = crl_uris("ci.lpad-test.example.com");
    const std::vector<std::string> tls_hosts{params.host, kSgp26TlsHost};
    json m;

    // The CIs predate everything they sign, so the expired DPtls was valid under the CI while it lasted.
    const Validity ci_valid{now - 60 * kDay, valid.not_after};
    Issued ci = issue(ci_profile("lpad Test CI", kOrg, kCiOid, ci_valid, crls), curve, nullptr);
    m["ci"] = out.entity("CertificateIssuer", "CI_ECDSA_" + c, ci);
    m["ci"]["crl"] = out.write("CertificateIssuer/CRL_CI_ECDSA_" + c + ".crl", empty_crl_der(ci, valid.not_after));
    trust_bundle += cert_pem(ci.cert.get());

    Issued eum = issue(eum_profile(params.eid.substr(0, 8), valid, crls), curve, &ci);
    m["eum"] = out.entity("EUM", "EUM_ECDSA_" + c, eum);
    m["eum"]["eid_prefix"] = params.eid.substr(0, 8);
    m["euicc"] = out.entity("eUICC", "EUICC_ECDSA_" + c, issue(euicc_profile(params.eid, valid), curve, &eum));
    m["euicc"]["eid"] = params.eid;

    // Issues one certificate and writes it as <dir>/CERT_<base>_<curve>.* (SGP.26 names).
    auto put = [&](const std::string& dir, const std::string& base, const CertProfile& p, const Issued& issuer) {
        return out.entity(dir, base + "_" + c, issue(p, curve, &issuer));
    };
    auto dp_signing = [&](const std::string& role, const std::string& oid, const std::vector<std::string>& crl) {
        return signing_profile("TEST SM-DP+", role, oid, valid, crl);
    };
    auto tls = [&](const std::string& role, const std::string& oid, Validity v, const std::vector<std::string>& crl) {
        return tls_profile(tls_hosts, true, role, oid, v, crl);
    };
    const std::string& oid = params.smdp_oid;
    m["dp_auth"] = put("DPauth", "S_SM_DPauth_ECDSA", dp_signing(kRoleDpAuth, oid, crls), ci);
    m["dp_pb"] = put("DPpb", "S_SM_DPpb_ECDSA", dp_signing(kRoleDpPb, oid, crls), ci);
    m["dp_tls"] = put("DPtls", "S_SM_DP_TLS", tls(kRoleDpTls, oid, valid, crls), ci);
    m["ds_auth"] = put("DSauth", "S_SM_DSauth_ECDSA",
                       signing_profile("TEST SM-DS", kRoleDsAuth, params.smds_oid, valid, crls), ci);
    m["ds_tls"] = put("DStls", "S_SM_DS_TLS", tls(kRoleDsTls, params.smds_oid, valid, crls), ci);

    // Negative-test material: each case is a small tree with the SGP.26 sub-directories and file names.
    json& bad = m["bad"];
    const auto other_crls = crl_uris("ci.lpad-other.example.com");
    Issued other =
        issue(ci_profile("lpad Other Test CI", kOrg + "-OTHER", kOtherCiOid, ci_valid, other_crls), curve, nullptr);
    bad["other_ci"]["ci"] = out.entity("bad/OtherCI/CertificateIssuer", "CI_ECDSA_" + c, other);
    bad["other_ci"]["dp_auth"] =
        put("bad/OtherCI/DPauth", "S_SM_DPauth_ECDSA", dp_signing(kRoleDpAuth, oid, other_crls), other);
    bad["other_ci"]["dp_pb"] =
        put("bad/OtherCI/DPpb", "S_SM_DPpb_ECDSA", dp_signing(kRoleDpPb, oid, other_crls), other);
    bad["other_ci"]["dp_tls"] =
        put("bad/OtherCI/DPtls", "S_SM_DP_TLS", tls(kRoleDpTls, oid, valid, other_crls), other);
    bad["dp_tls_expired"] = put("bad/DPtls_expired/DPtls", "S_SM_DP_TLS", tls(kRoleDpTls, oid, expired, crls), ci);
    bad["dp_tls_wrong_host"] =
        put("bad/DPtls_wrong_host/DPtls", "S_SM_DP_TLS",
            tls_profile({"wrong.example.com"}, false, kRoleDpTls, oid, valid, crls), ci);
    bad["dp_auth_wrong_role"] =
        put("bad/DPauth_wrong_role/DPauth", "S_SM_DPauth_ECDSA", dp_signing(kRoleDpPb, oid, crls), ci);
    bad["dp_auth_wrong_oid"] =
        put("bad/DPauth_wrong_oid/DPauth", "S_SM_DPauth_ECDSA", dp_signing(kRoleDpAuth, other_oid(oid), crls), ci);
    bad["dp_auth_wrong_oid"]["oid"] = other_oid(oid);
    // An eUICC whose EID lies outside the EUM's permitted prefix (SGP.22 §4.5.2.1.0.3 check must reject it).
    std::string wrong_eid = params.eid.substr(0, 30);
    wrong_eid[7] = static_cast<char>('0' + (wrong_eid[7] - '0' + 1) % 10);
    wrong_eid = eid_with_check_digits(wrong_eid);
    bad["euicc_wrong_eid"] = put("bad/eUICC_wrong_eid/eUICC", "EUICC_ECDSA", euicc_profile(wrong_eid, valid), eum);
    bad["euicc_wrong_eid"]["eid"] = wrong_eid;
    return m;
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void collect_files(const json& node, std::vector<std::string>& out) {
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
        if (value.is_string() && (key == "cert" || key == "pem" || key == "key" || key == "public_key" ||
                                  key == "crl" || key == "trust")) {
            out.push_back(value.get<std::string>());
        } else if (key != "params") {
            collect_files(value, out);
        }
    }
}

}  // namespace

json PkiParams::to_json() const {
    json curve_names = json::array();
    for (Curve c : curves) curve_names.push_back(curve_suffix(c));
    return {{"profile_version", kProfileVersion}, {"eid", eid}, {"host", host}, {"smdp_oid", smdp_oid},
            {"smds_oid", smds_oid}, {"days", days}, {"curves", curve_names}};
}

std::string eid_with_check_digits(const std::string& first30) {
    if (first30.size() != 30 || !all_digits(first30)) fail(Errc::InvalidArgument, "EID body must be 30 digits");
    int check = 98 - mod97(first30 + "00");
    return first30 + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10);
}

void validate(const PkiParams& params) {
    // SGP.29 / SGP.22: EID = 32 decimal digits, last two are ISO 7064 MOD 97-10 check digits (EID mod 97 == 1).
    if (params.eid.size() != 32 || !all_digits(params.eid) || mod97(params.eid) != 1) {
        fail(Errc::InvalidArgument, "not a valid EID (32 digits with MOD 97-10 check digits): " + params.eid);
    }
    if (params.host.empty()) fail(Errc::InvalidArgument, "--host is empty");
    for (const std::string* oid : {&params.smdp_oid, &params.smds_oid}) {
        ASN1_OBJECT* obj = OBJ_txt2obj(oid->c_str(), 1);
        ASN1_OBJECT_free(obj);
        if (obj == nullptr) fail(Errc::InvalidArgument, "not a dotted OID: " + *oid);
    }
    if (params.days < 2 || params.days > 36500) fail(Errc::InvalidArgument, "--days must be 2..36500");
    if (params.curves.empty()) fail(Errc::InvalidArgument, "no curve selected");
}

json generate_pki(const fs::path& dir, const PkiParams& params) {
    validate(params);
    PkiWriter out(dir);
    json manifest;
    manifest["generator"] = "lpad-test-pki";
    manifest["created"] = utc_now();
    manifest["params"] = params.to_json();
    manifest["eid"] = params.eid;
    manifest["host"] = params.host;
    manifest["smdp_oid"] = params.smdp_oid;
    manifest["smds_oid"] = params.smds_oid;
    std::string trust_bundle;
    for (Curve curve : params.curves) {
        manifest["curves"][curve_suffix(curve)] = generate_curve(out, params, curve, trust_bundle);
        manifest["ci_ski"][curve_suffix(curve)] = manifest["curves"][curve_suffix(curve)]["ci"]["ski"];
    }
    manifest["trust"] = out.write("trust/test-ci.pem", trust_bundle);
    out.write("pki.json", manifest.dump(2) + "\n");
    return manifest;
}

std::vector<std::string> manifest_files(const json& manifest) {
    std::vector<std::string> files;
    collect_files(manifest, files);
    return files;
}

}  // namespace lpad::testpki
