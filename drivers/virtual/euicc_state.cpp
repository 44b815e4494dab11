// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/euicc_state.h"

#include <fcntl.h>
#include <signal.h>
#include <openssl/objects.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "libapdu/x509.h"
#include "libfile/file.h"

namespace lpad::virtual_euicc {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string b64(ByteView v) { return base64_encode(v); }
std::string hex(ByteView v) { return to_hex(v); }

// Field access with errors naming the field (MalformedData), as every parser in the project does.
const Json& need(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) fail(Errc::MalformedData, std::string("state file: missing \"") + key + "\"");
    return j.at(key);
}
std::string text(const Json& j, const char* key) {
    const Json& v = need(j, key);
    if (!v.is_string()) fail(Errc::MalformedData, std::string("state file: \"") + key + "\" must be a string");
    return v.get<std::string>();
}
template <class T>
T number(const Json& j, const char* key) {
    const Json& v = need(j, key);
    if (!v.is_number_integer()) fail(Errc::MalformedData, std::string("state file: \"") + key + "\" must be an integer");
    return v.get<T>();
}
Bytes unb64(const Json& j, const char* key) { return base64_decode(text(j, key)); }
Bytes unhex(const Json& j, const char* key) { return from_hex(text(j, key)); }
std::vector<Bytes> hex_list(const Json& j, const char* key) {
    std::vector<Bytes> out;
    for (const Json& v : need(j, key)) out.push_back(from_hex(v.get<std::string>()));
    return out;
}
Json hex_array(const std::vector<Bytes>& list) {
    Json a = Json::array();
    for (const Bytes& b : list) a.push_back(hex(b));
    return a;
}

bool sync_fd(int fd) { return ::fsync(fd) == 0; }

[[noreturn]] void io_fail(const std::string& what) {
    fail(Errc::Internal, what + ": " + std::strerror(errno));
}

// save() writes PATH.tmp.<pid>; a writer killed before its rename leaves that file behind. Those of processes that
// no longer exist are removed (a live writer's, e.g. another process on the same file, is left alone).
void remove_stray_temp_files(const std::string& path) {
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp.";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;  // its writer is alive
        std::error_code rm;
        if (fs::remove(it->path(), rm)) log::info("veuicc", "removed stray " + it->path().string());
    }
}

}  // namespace

asn1::BitString EuiccConfig::default_uicc_capability() {
    using U = es10::UiccCapability;
    asn1::BitString b;
    for (U bit : {U::usimSupport, U::isimSupport, U::csimSupport, U::akaMilenage, U::akaCave, U::akaTuak128,
                  U::akaTuak256, U::gbaAuthenUsim, U::gbaAuthenISim, U::eapClient, U::javacard,
                  U::multipleUsimSupport, U::multipleIsimSupport, U::berTlvFileSupport, U::dfLinkSupport,
                  U::getIdentity})
        b.set(static_cast<std::size_t>(bit));
    return b;
}

asn1::BitString EuiccConfig::default_rsp_capability() {
    asn1::BitString b;
    b.set(static_cast<std::size_t>(es10::RspCapability::additionalProfile));
    b.set(static_cast<std::size_t>(es10::RspCapability::testProfileSupport));
    return b;
}

es10::GetRatResponse EuiccConfig::default_rat() {
    es10::ProfilePolicyAuthorisationRule rule;
    rule.ppr_ids = es10::make_bits({es10::PprId::ppr1, es10::PprId::ppr2});
    rule.allowed_operators.push_back(es10::OperatorId{Bytes{0xEE, 0xEE, 0xEE}, std::nullopt, std::nullopt});
    rule.ppr_flags = asn1::BitString(1);  // consentRequired not set
    es10::GetRatResponse rat;
    rat.rat.push_back(std::move(rule));
    return rat;
}

EuiccConfig EuiccConfig::from_pki_dir(const std::string& dir, const std::string& curve) {
    if (curve != "NIST" && curve != "BRP") fail(Errc::InvalidArgument, "curve must be NIST or BRP, got " + curve);
    const fs::path root(dir);
    auto path_of = [&](const std::string& sub, const std::string& name) { return (root / sub / name).string(); };
    EuiccConfig c;
    const auto euicc = file::certificate(path_of("eUICC", "CERT_EUICC_ECDSA_" + curve + ".der"));
    const auto eum = file::certificate(path_of("EUM", "CERT_EUM_ECDSA_" + curve + ".der"));
    const auto key = file::private_key(path_of("eUICC", "SK_EUICC_ECDSA_" + curve + ".pem"));
    if (key.public_point() != euicc.public_key().point())
        fail(Errc::InvalidArgument, dir + ": the eUICC private key does not match CERT.EUICC");
    c.euicc_certificate = euicc.der();
    c.eum_certificate = eum.der();
    c.euicc_private_key_pem = key.to_pem();
    auto eid = euicc.subject_field(NID_serialNumber);
    if (!eid) fail(Errc::MalformedData, dir + ": CERT.EUICC has no subject serialNumber (EID)");
    c.eid = eid_from_string(*eid);
    for (const char* ci_curve : {"NIST", "BRP"}) {
        std::string path = path_of("CertificateIssuer", std::string("CERT_CI_ECDSA_") + ci_curve + ".der");
        if (!fs::exists(path)) continue;
        auto ci = file::certificate(path);
        c.ci_certificates.push_back(ci.der());
        c.ci_pkids_for_verification.push_back(ci.subject_key_id());
        if (ci.subject_key_id() == eum.authority_key_id()) c.ci_pkids_for_signing.push_back(ci.subject_key_id());
    }
    if (c.ci_pkids_for_signing.empty())
        fail(Errc::NotFound, dir + ": no CertificateIssuer/CERT_CI_ECDSA_*.der issued the EUM certificate");
    return c;
}

Bytes isdp_aid_for(std::uint32_t index) {
    Bytes aid = from_hex("A0000005591010FFFFFFFF8900000000");
    aid[13] = static_cast<std::uint8_t>(index >> 8);
    aid[14] = static_cast<std::uint8_t>(index);
    return aid;
}

es10::NotificationMetadata StoredNotification::metadata() const {
    return es10::PendingNotification::decode(pending).metadata();
}

std::uint64_t EuiccState::free_non_volatile_memory() const {
    std::uint64_t used = 0;
    for (const auto& p : profiles) used += p.size;
    return used >= config.total_non_volatile_memory ? 0 : config.total_non_volatile_memory - used;
}

std::string EuiccState::to_json() const {
    const EuiccConfig& c = config;
    Json ci = Json::array();
    for (const Bytes& cert : c.ci_certificates) ci.push_back(b64(cert));
    Json j;
    j["format"] = "lpad-virtual-euicc/1";
    j["identity"] = {{"eid", hex(c.eid)},
                     {"euicc_certificate", b64(c.euicc_certificate)},
                     {"euicc_private_key", c.euicc_private_key_pem},
                     {"eum_certificate", b64(c.eum_certificate)},
                     {"ci_certificates", ci},
                     {"ci_pkids_for_signing", hex_array(c.ci_pkids_for_signing)},
                     {"ci_pkids_for_verification", hex_array(c.ci_pkids_for_verification)}};
    Json info = {{"svn", c.svn},
                 {"profile_version", c.profile_version},
                 {"firmware_version", c.firmware_version},
                 {"pp_version", c.pp_version},
                 {"sas_accreditation_number", c.sas_accreditation_number},
                 {"euicc_category", static_cast<int>(c.euicc_category)},
                 {"uicc_capability", hex(c.uicc_capability.encode_content())},
                 {"rsp_capability", hex(c.rsp_capability.encode_content())},
                 {"total_non_volatile_memory", c.total_non_volatile_memory},
                 {"free_volatile_memory", c.free_volatile_memory},
                 {"rat", b64(c.rat.encode())}};
    if (c.ts102241_version) info["ts102241_version"] = *c.ts102241_version;
    if (c.globalplatform_version) info["globalplatform_version"] = *c.globalplatform_version;
    j["info"] = info;
    j["addresses"] = {{"root_ds_address", root_ds_address}};
    if (default_dp_address) j["addresses"]["default_dp_address"] = *default_dp_address;
    j["counters"] = {{"next_isdp_index", next_isdp_index}, {"next_seq_number", next_seq_number}};
    j["profiles"] = Json::array();
    for (const auto& p : profiles)
        j["profiles"].push_back({{"iccid", iccid_from_bcd(p.iccid())},
                                 {"state", p.enabled() ? "enabled" : "disabled"},
                                 {"size", p.size},
                                 {"profile_info", b64(p.info.encode())}});
    j["notifications"] = Json::array();
    for (const auto& n : notifications)
        j["notifications"].push_back({{"seq", n.seq_number},
                                      {"event", std::string(es10::name(n.event))},
                                      {"address", n.address},
                                      {"pending", b64(n.pending)}});
    if (download_key)
        j["download_key"] = {{"transaction_id", hex(download_key->transaction_id)},
                             {"otpk", hex(download_key->otpk)},
                             {"otsk", download_key->otsk_pem}};
    return j.dump(2) + "\n";
}

EuiccState EuiccState::from_json(std::string_view text_in) {
    Json j;
    try {
        j = Json::parse(text_in);
    } catch (const Json::exception& e) {
        fail(Errc::MalformedData, std::string("state file: ") + e.what());
    }
    try {
        if (text(j, "format") != "lpad-virtual-euicc/1") fail(Errc::MalformedData, "state file: unknown format");
        EuiccState s;
        EuiccConfig& c = s.config;
        const Json& id = need(j, "identity");
        c.eid = unhex(id, "eid");
        c.euicc_certificate = unb64(id, "euicc_certificate");
        c.euicc_private_key_pem = text(id, "euicc_private_key");
        c.eum_certificate = unb64(id, "eum_certificate");
        for (const Json& v : need(id, "ci_certificates")) c.ci_certificates.push_back(base64_decode(v.get<std::string>()));
        c.ci_pkids_for_signing = hex_list(id, "ci_pkids_for_signing");
        c.ci_pkids_for_verification = hex_list(id, "ci_pkids_for_verification");
        const Json& info = need(j, "info");
        c.svn = text(info, "svn");
        c.profile_version = text(info, "profile_version");
        c.firmware_version = text(info, "firmware_version");
        c.pp_version = text(info, "pp_version");
        c.sas_accreditation_number = text(info, "sas_accreditation_number");
        c.euicc_category = static_cast<es10::EuiccCategory>(number<int>(info, "euicc_category"));
        c.uicc_capability = asn1::BitString::decode_content(unhex(info, "uicc_capability"));
        c.rsp_capability = asn1::BitString::decode_content(unhex(info, "rsp_capability"));
        c.total_non_volatile_memory = number<std::uint64_t>(info, "total_non_volatile_memory");
        c.free_volatile_memory = number<std::uint64_t>(info, "free_volatile_memory");
        c.rat = es10::GetRatResponse::decode(unb64(info, "rat"));
        c.ts102241_version = info.contains("ts102241_version") ? std::optional(text(info, "ts102241_version")) : std::nullopt;
        c.globalplatform_version =
            info.contains("globalplatform_version") ? std::optional(text(info, "globalplatform_version")) : std::nullopt;
        const Json& addr = need(j, "addresses");
        s.root_ds_address = text(addr, "root_ds_address");
        if (addr.contains("default_dp_address")) s.default_dp_address = text(addr, "default_dp_address");
        const Json& counters = need(j, "counters");
        s.next_isdp_index = number<std::uint32_t>(counters, "next_isdp_index");
        s.next_seq_number = number<std::int64_t>(counters, "next_seq_number");
        for (const Json& p : need(j, "profiles")) {
            InstalledProfile ip;
            ip.info = es10::ProfileInfo::decode(unb64(p, "profile_info"));
            ip.size = number<std::uint64_t>(p, "size");
            if (!ip.info.iccid || !ip.info.isdp_aid || !ip.info.profile_state)
                fail(Errc::MalformedData, "state file: profile_info lacks iccid, isdpAid or profileState");
            s.profiles.push_back(std::move(ip));
        }
        for (const Json& n : need(j, "notifications")) {
            StoredNotification sn;
            sn.seq_number = number<std::int64_t>(n, "seq");
            sn.address = text(n, "address");
            sn.pending = unb64(n, "pending");
            auto md = sn.metadata();  // validates the stored DER
            sn.event = md.profile_management_operation;
            s.notifications.push_back(std::move(sn));
        }
        if (j.contains("download_key")) {
            const Json& k = need(j, "download_key");
            DownloadKey dk;
            dk.transaction_id = unhex(k, "transaction_id");
            dk.otpk = unhex(k, "otpk");
            dk.otsk_pem = text(k, "otsk");
            // The pair must be one: the stored public point is what bppEuiccOtpk is compared with.
            if (dk.private_key().public_point() != dk.otpk)
                fail(Errc::MalformedData, "state file: download_key otpk is not the public key of otsk");
            s.download_key = std::move(dk);
        }
        return s;
    } catch (const Json::exception& e) {
        fail(Errc::MalformedData, std::string("state file: ") + e.what());
    } catch (const Error& e) {
        if (e.code() == Errc::MalformedData) throw;
        fail(Errc::MalformedData, std::string("state file: ") + e.what());
    }
}

EuiccState EuiccState::load(const std::string& path) {
    remove_stray_temp_files(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(Errc::NotFound, "virtual eUICC state file " + path + " cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return from_json(ss.str());
}

void EuiccState::save(const std::string& path) const {
    const std::string body = to_json();
    fs::path target(path);
    fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string tmp = (dir / (target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) io_fail("cannot create " + tmp);
    std::size_t done = 0;
    while (done < body.size()) {
        ssize_t n = ::write(fd, body.data() + done, body.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int saved = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = saved;
            io_fail("cannot write " + tmp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (!sync_fd(fd) || ::close(fd) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        io_fail("cannot sync " + tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        io_fail("cannot rename " + tmp + " to " + path);
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        sync_fd(dfd);
        ::close(dfd);
    }
}

}  // namespace lpad::virtual_euicc
