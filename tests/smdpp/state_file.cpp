// SPDX-License-Identifier: Apache-2.0
// The test SM-DP+'s state file (ServerOptions::state_file): written after every change, read back on start so a
// restarted server continues where it stopped. JSON:
//
//   { "version": 2, "savedAt": <unix seconds>,
//     "orders": [ <Order JSON (orders.h)> + "session": transactionId of the session holding it ("" if none) ],
//     "events": [ <Event JSON> ], "notifications": [ <ReceivedNotification JSON> ],
//     "sessions": [ { transactionId, es11, stage (0 initiated, 1 authenticated, 2 downloaded), euiccChallenge,
//                     serverChallenge, ciPkid, idleMs, euiccCertificate?, eid, matchingId, euiccSignature1,
//                     smdpSignature2, ccRequired, metadata, bppEuiccOtpk? } ],
//     "boundPackages": [ { matchingId, eid, euiccOtpk, bpp, idleMs } ] }
//
// Binary values: hex, except certificates, metadata and packages (base64 DER). Idle times continue from the save:
// the time the server was down counts (wall clock). A file without "version" (orders, events and notifications
// only, as written before sessions were kept) still loads.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "libapdu/bpp.h"
#include "libapdu/error.h"
#include "libapdu/log.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

using Json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr int kVersion = 2;

std::int64_t to_ms(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<milliseconds>(d).count();
}

const Json& field(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) fail(Errc::MalformedData, std::string("missing \"") + key + "\"");
    return j.at(key);
}
std::string str(const Json& j, const char* key) {
    const Json& v = field(j, key);
    if (!v.is_string()) fail(Errc::MalformedData, std::string("\"") + key + "\" must be a string");
    return v.get<std::string>();
}
Bytes hex(const Json& j, const char* key) { return from_hex(str(j, key)); }
Bytes b64(const Json& j, const char* key) { return base64_decode(str(j, key)); }
bool boolean(const Json& j, const char* key) {
    const Json& v = field(j, key);
    if (!v.is_boolean()) fail(Errc::MalformedData, std::string("\"") + key + "\" must be true or false");
    return v.get<bool>();
}
std::int64_t integer(const Json& j, const char* key) {
    const Json& v = field(j, key);
    if (!v.is_number_integer()) fail(Errc::MalformedData, std::string("\"") + key + "\" must be an integer");
    return v.get<std::int64_t>();
}
milliseconds idle_of(const Json& j) {
    std::int64_t ms = integer(j, "idleMs");
    if (ms < 0 || ms > 10LL * 365 * 86400 * 1000) fail(Errc::MalformedData, "\"idleMs\" must be 0..10 years");
    return milliseconds(ms);
}
const Json& array(const Json& j, const char* key) {
    static const Json empty = Json::array();
    if (!j.contains(key)) return empty;
    const Json& v = j.at(key);
    if (!v.is_array()) fail(Errc::MalformedData, std::string("\"") + key + "\" must be an array");
    return v;
}

ReceivedNotification notification_from_json(const Json& j) {
    ReceivedNotification n;
    n.kind = str(j, "kind");
    n.transaction_id = str(j, "transactionId");
    n.seq_number = integer(j, "seqNumber");
    n.operation = str(j, "operation");
    n.iccid = str(j, "iccid");
    n.verified = boolean(j, "verified");
    n.success = boolean(j, "success");
    n.detail = str(j, "detail");
    return n;
}

void write_file_durably(const std::string& path, const std::string& body) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(Errc::Internal, "cannot create " + tmp + ": " + std::strerror(errno));
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < body.size()) {
        ssize_t n = ::write(fd, body.data() + done, body.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        fail(Errc::Internal, "cannot write " + path + ": " + std::strerror(saved));
    }
}

}  // namespace

Json SmdpServer::Session::to_json(std::chrono::steady_clock::duration idle) const {
    Json j{{"transactionId", transaction_id},
           {"es11", es11},
           {"stage", static_cast<int>(stage)},
           {"euiccChallenge", to_hex(euicc_challenge)},
           {"serverChallenge", to_hex(server_challenge)},
           {"ciPkid", to_hex(ci_pkid)},
           {"idleMs", std::max<std::int64_t>(0, to_ms(idle))},
           {"eid", eid},
           {"matchingId", matching_id},
           {"euiccSignature1", to_hex(euicc_signature1)},
           {"smdpSignature2", to_hex(smdp_signature2_tlv)},
           {"ccRequired", cc_required},
           {"metadata", base64_encode(metadata)}};
    if (euicc_certificate) j["euiccCertificate"] = base64_encode(euicc_certificate->der());
    if (bpp_euicc_otpk) j["bppEuiccOtpk"] = to_hex(*bpp_euicc_otpk);
    return j;
}

std::unique_ptr<SmdpServer::Session> SmdpServer::Session::from_json(const Json& j,
                                                                    std::chrono::steady_clock::duration& idle) {
    auto s = std::make_unique<Session>();
    s->transaction_id = str(j, "transactionId");
    s->transaction_id_bytes = from_hex(s->transaction_id);
    if (s->transaction_id_bytes.empty() || s->transaction_id_bytes.size() > 16)
        fail(Errc::MalformedData, "session transactionId must be 1..16 bytes");
    s->es11 = boolean(j, "es11");
    std::int64_t stage = integer(j, "stage");
    if (stage < Initiated || stage > Downloaded) fail(Errc::MalformedData, "session stage must be 0, 1 or 2");
    s->stage = static_cast<Stage>(stage);
    s->euicc_challenge = hex(j, "euiccChallenge");
    s->server_challenge = hex(j, "serverChallenge");
    s->ci_pkid = hex(j, "ciPkid");
    idle = idle_of(j);
    if (j.contains("euiccCertificate")) s->euicc_certificate = x509::Certificate::from_der(b64(j, "euiccCertificate"));
    if (s->stage != Initiated && !s->euicc_certificate)
        fail(Errc::MalformedData, "an authenticated session needs its euiccCertificate");
    s->eid = str(j, "eid");
    s->matching_id = str(j, "matchingId");
    s->euicc_signature1 = hex(j, "euiccSignature1");
    s->smdp_signature2_tlv = hex(j, "smdpSignature2");
    s->cc_required = boolean(j, "ccRequired");
    s->metadata = b64(j, "metadata");
    if (j.contains("bppEuiccOtpk")) s->bpp_euicc_otpk = hex(j, "bppEuiccOtpk");
    return s;
}

Json SmdpServer::encode_state(const std::vector<Order>& orders, const std::vector<Event>& events,
                              const std::vector<ReceivedNotification>& notifications,
                              const std::map<std::string, std::unique_ptr<Session>>& sessions,
                              const std::map<std::string, BoundPackage>& bound,
                              std::chrono::steady_clock::time_point now) {
    Json j{{"version", kVersion},
           {"orders", Json::array()}, {"events", Json::array()}, {"notifications", Json::array()},
           {"sessions", Json::array()}, {"boundPackages", Json::array()}};
    for (const auto& o : orders) {
        Json oj = o.to_json();
        oj["session"] = o.session;
        j["orders"].push_back(std::move(oj));
    }
    for (const auto& e : events) j["events"].push_back(e.to_json());
    for (const auto& n : notifications) j["notifications"].push_back(n.to_json());
    for (const auto& [tid, s] : sessions) j["sessions"].push_back(s->to_json(now - s->last_used));
    for (const auto& [mid, b] : bound)
        j["boundPackages"].push_back({{"matchingId", mid}, {"eid", b.eid}, {"euiccOtpk", to_hex(b.euicc_otpk)},
                                      {"bpp", base64_encode(b.bpp)},
                                      {"idleMs", std::max<std::int64_t>(0, to_ms(now - b.last_used))}});
    return j;
}

SmdpServer::Snapshot SmdpServer::parse_state(std::string_view text, std::chrono::steady_clock::time_point now) {
    Snapshot snap;
    try {
        Json j = Json::parse(text);
        if (!j.is_object()) fail(Errc::MalformedData, "must hold a JSON object");
        if (j.contains("version") && integer(j, "version") != kVersion)
            fail(Errc::MalformedData, "unsupported version " + j.at("version").dump());
        // Idle times continue through the downtime.
        milliseconds down{0};
        if (j.contains("savedAt")) {
            auto wall = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
            auto saved = integer(j, "savedAt");
            if (saved < 0 || saved > wall + 86400) fail(Errc::MalformedData, "\"savedAt\" is not a past time");
            down = milliseconds(std::min<std::int64_t>(wall - std::min(saved, wall), 10LL * 365 * 86400) * 1000);
        }
        for (const Json& o : array(j, "orders")) {
            Order order = Order::from_json(o, "");
            if (o.contains("session")) order.session = str(o, "session");
            snap.orders.push_back(std::move(order));
        }
        for (const Json& e : array(j, "events")) snap.events.push_back(Event::from_json(e));
        for (const Json& n : array(j, "notifications")) snap.notifications.push_back(notification_from_json(n));
        for (const Json& sj : array(j, "sessions")) {
            std::chrono::steady_clock::duration idle{};
            auto s = Session::from_json(sj, idle);
            s->last_used = now - idle - down;
            std::string tid = s->transaction_id;
            if (!snap.sessions.emplace(tid, std::move(s)).second) fail(Errc::MalformedData, "session listed twice");
        }
        for (const Json& b : array(j, "boundPackages")) {
            BoundPackage p{str(b, "eid"), hex(b, "euiccOtpk"), b64(b, "bpp"), now - idle_of(b) - down};
            es10::BoundProfilePackage::decode(p.bpp);  // validates what will be served again
            if (!snap.bound.emplace(str(b, "matchingId"), std::move(p)).second)
                fail(Errc::MalformedData, "bound package listed twice");
        }
    } catch (const Json::exception& e) {
        fail(Errc::MalformedData, e.what());
    } catch (const Error& e) {
        if (e.code() == Errc::MalformedData) throw;
        fail(Errc::MalformedData, e.what());
    }
    return snap;
}

std::string SmdpServer::normalise_state(std::string_view text) {
    const auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(24 * 365 * 20);
    Snapshot s = parse_state(text, now);
    return encode_state(s.orders, s.events, s.notifications, s.sessions, s.bound, now).dump(2) + "\n";
}

// Written to FILE.tmp, synced and renamed, so a reader (or a restart) never sees half a file.
void SmdpServer::persist() const {
    if (options_.state_file.empty()) return;
    Json j = encode_state(orders_, events_, notifications_, sessions_, bound_, clock_());
    j["savedAt"] = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
    try {
        write_file_durably(options_.state_file, j.dump(2) + "\n");
    } catch (const Error& e) {
        log::error("smdpp", e.what());
    }
}

void SmdpServer::load_state() {
    const std::string& path = options_.state_file;
    // A crash between write and rename leaves FILE.tmp next to the previous, complete FILE: drop it.
    std::error_code ec;
    std::filesystem::remove(path + ".tmp", ec);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (std::filesystem::exists(path, ec)) fail(Errc::Internal, "cannot read the state file " + path);
        return;  // a first start
    }
    std::ostringstream text;
    text << in.rdbuf();
    Snapshot snap;
    try {
        snap = parse_state(text.str(), clock_());
    } catch (const Error& e) {
        fail(Errc::MalformedData, "state file " + path + ": " + e.what());
    }
    orders_ = std::move(snap.orders);
    events_ = std::move(snap.events);
    notifications_ = std::move(snap.notifications);
    sessions_ = std::move(snap.sessions);
    bound_ = std::move(snap.bound);
    log::info("smdpp", "state file " + path + ": " + std::to_string(orders_.size()) + " orders, " +
                           std::to_string(sessions_.size()) + " open sessions, " + std::to_string(bound_.size()) +
                           " bound packages");
}

}  // namespace lpad::smdpp
