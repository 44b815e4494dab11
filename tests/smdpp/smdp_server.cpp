// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/smdp_server.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "libapdu/error.h"
#include "libapdu/es10b.h"
#include "libapdu/log.h"
#include "lpad/es9p/messages.h"
#include "tests/smdpp/smdp_internal.h"

namespace lpad::smdpp {

using Json = nlohmann::json;
namespace subject = es9p::subject;
namespace reason = es9p::reason;

namespace {

constexpr std::string_view kEs9pPrefix = "/gsma/rsp2/es9plus/";
constexpr std::string_view kEs11Prefix = "/gsma/rsp2/es11/";
constexpr std::string_view kAdminPrefix = "/admin/";

HttpReply json_reply(int status, std::string body) { return HttpReply{status, std::move(body), std::string(kJsonContentType), false}; }

HttpReply failure(int status, std::string_view subj, std::string_view why, std::string_view message) {
    return json_reply(status, es9p::encode_failure(subj, why, message));
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

void flip_last_byte(Bytes& data) {
    if (!data.empty()) data.back() ^= 0x5A;
}

Bytes other_transaction_id(ByteView tid) {
    Bytes out(std::max<std::size_t>(tid.size(), 1), 0);
    std::copy(tid.begin(), tid.end(), out.begin());
    out[0] = static_cast<std::uint8_t>(out[0] ^ 0xFF);
    return out;
}

SmdpServer::SmdpServer(ServerPki pki, ServerOptions options)
    : pki_(std::move(pki)), options_(std::move(options)), clock_([] { return std::chrono::steady_clock::now(); }) {
    if (options_.address.empty()) fail(Errc::InvalidArgument, "SM-DP+: empty server address");
    if (options_.session_timeout.count() <= 0) fail(Errc::InvalidArgument, "SM-DP+: session timeout must be > 0");
    if (options_.smds_address.empty()) options_.smds_address = options_.address;
    if (options_.smds && !pki_.ds_auth) fail(Errc::NotFound, "SM-DS: the PKI has no DSauth certificate");
    if (!options_.state_file.empty()) load_state();
}

SmdpServer::~SmdpServer() = default;

void SmdpServer::set_address(const std::string& address) {
    std::lock_guard lock(mutex_);
    if (address.empty()) fail(Errc::InvalidArgument, "SM-DP+: empty server address");
    if (options_.smds_address == options_.address) options_.smds_address = address;
    options_.address = address;
}

HttpReply SmdpServer::handle(const HttpCall& call) {
    if (starts_with(call.path, kAdminPrefix)) {
        if (!call.from_loopback) return failure(403, "1.1", reason::kNotAllowed, "admin interface: loopback only");
        return admin(call);
    }
    bool es9p_path = starts_with(call.path, kEs9pPrefix), es11_path = starts_with(call.path, kEs11Prefix);
    if (!es9p_path && !es11_path) return failure(404, "1.1", "1.3", "unknown path " + call.path);
    std::string function = call.path.substr((es9p_path ? kEs9pPrefix : kEs11Prefix).size());
    if (call.method != "POST") return failure(405, "1.1", "2.1", "ES9+/ES11 functions are POST");
    // SGP.22 §6.5.1: X-Admin-Protocol names the version of the RSP protocol; we speak v2.
    if (!call.admin_protocol || !starts_with(*call.admin_protocol, "gsma/rsp/v2."))
        return failure(200, subject::kSpecificationVersion, reason::kUnsupported,
                       "X-Admin-Protocol missing or not gsma/rsp/v2.x");
    std::string log_line;
    HttpReply reply = dispatch(function, es11_path, call.body, log_line);
    log::info("smdpp", log_line);
    return reply;
}

HttpReply SmdpServer::dispatch(const std::string& function, bool es11_path, const std::string& body,
                               std::string& log_line) {
    std::unique_lock lock(mutex_);
    expire_sessions();
    // Which role answers: ES11 on its own path, or on the ES9+ path when the request is an ES11 one.
    std::string tid;
    bool es11 = es11_path;
    Json peek = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (peek.is_object() && peek.contains("transactionId") && peek["transactionId"].is_string())
        tid = peek["transactionId"].get<std::string>();
    if (function == "initiateAuthentication" && peek.is_object() && peek.contains("smdsAddress") &&
        !peek.contains("smdpAddress"))
        es11 = true;
    std::string matching_id;
    if (auto it = sessions_.find(tid); !tid.empty() && it != sessions_.end()) {
        matching_id = it->second->matching_id;
        if (function == "authenticateClient") es11 = it->second->es11;
    }
    if (function == "authenticateClient" && matching_id.empty() && peek.is_object() &&
        peek.contains("authenticateServerResponse") && peek["authenticateServerResponse"].is_string()) {
        // The matching ID this call is about, for per-order faults and the log (errors are left to the function).
        try {
            auto asr = es10::AuthenticateServerResponse::decode(
                base64_decode(peek["authenticateServerResponse"].get<std::string>()));
            if (asr.is_ok())
                matching_id = es10::CtxParams1::decode(asr.ok().euicc_signed1.ctx_params1).matching_id.value_or("");
        } catch (const Error&) {
        }
    }
    log_line = std::string(es11 ? "ES11." : "ES9+.") + function + (tid.empty() ? "" : " tid=" + tid) +
               (matching_id.empty() ? "" : " matchingId=" + log::redact(matching_id));
    if (es11 && (!options_.smds || (function != "initiateAuthentication" && function != "authenticateClient"))) {
        log_line += " -> 404";
        return failure(404, "1.1", "1.3", "no ES11 function " + function + " here");
    }
    static const std::vector<std::string> kFunctions{"initiateAuthentication", "authenticateClient",
                                                     "getBoundProfilePackage", "handleNotification", "cancelSession"};
    if (std::find(kFunctions.begin(), kFunctions.end(), function) == kFunctions.end()) {
        log_line += " -> 404";
        return failure(404, "1.1", "1.3", "unknown function " + function);
    }

    ++calls_[function];
    std::optional<Fault> fault = faults_.take(function, matching_id);
    if (fault) log_line += " fault=" + fault->to_string();
    if (fault && fault->action == FaultAction::Hold) {
        // Logged now (the call's own line comes with its answer), so a test can act while the request waits.
        log::info("smdpp", log_line + " -> held " + std::to_string(fault->arg) + " ms before it is processed");
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->arg));
        lock.lock();
        expire_sessions();
    }
    if (fault && fault->action == FaultAction::CloseConnection) {
        log_line += " -> closed";
        return HttpReply{0, {}, {}, true};
    }
    if (fault && fault->action == FaultAction::Http500) {
        log_line += " -> 500";
        return HttpReply{500, "Internal Server Error (fault injected)\n", "text/plain", false};
    }
    if (fault && fault->action == FaultAction::MalformedJson) {
        log_line += " -> malformed";
        return json_reply(200, "{\"header\": {\"functionExecutionStatus\": ");
    }
    HttpReply reply;
    try {
        if (function == "initiateAuthentication") {
            reply = json_reply(200, initiate_authentication(body, es11, fault));
        } else if (function == "authenticateClient") {
            reply = json_reply(200, authenticate_client(body, fault));
        } else if (function == "getBoundProfilePackage") {
            reply = json_reply(200, get_bound_profile_package(body, fault));
        } else if (function == "handleNotification") {
            handle_notification(body);
            reply = HttpReply{204, {}, {}, false};
        } else {
            reply = json_reply(200, cancel_session(body));
        }
        log_line += " -> " + std::to_string(reply.status) + " Executed-Success";
    } catch (const Es9Failure& f) {
        reply = failure(200, f.subject, f.reason, f.message);
        log_line += " -> Failed " + f.subject + "/" + f.reason + " (" + f.message + ")";
    } catch (const Error& e) {
        reply = failure(200, subject::kSmdp, reason::kExecutionError, e.what());
        log_line += " -> Failed 8.8/4.2 (" + std::string(e.what()) + ")";
    }
    // The session (and the bound package of its order) was used now; a session still open is saved as it is.
    if (auto it = sessions_.find(tid); !tid.empty() && it != sessions_.end()) {
        it->second->last_used = clock_();
        if (auto b = bound_.find(it->second->matching_id); b != bound_.end()) b->second.last_used = clock_();
    }
    persist();
    if (fault && fault->action == FaultAction::Delay) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->arg));
    }
    return reply;
}

SmdpServer::Session& SmdpServer::session_for(const std::string& transaction_id, int stage) {
    auto it = sessions_.find(transaction_id);
    if (it == sessions_.end() || (stage >= 0 && it->second->stage != stage))
        refuse(subject::kTransactionId, reason::kUnknown, "the RSP session of this transactionId is unknown");
    return *it->second;
}

void SmdpServer::end_session(const std::string& transaction_id) { sessions_.erase(transaction_id); }

bool SmdpServer::expired(const Session& session) const {
    return clock_() - session.last_used >= options_.session_timeout;
}

void SmdpServer::expire_sessions() {
    bool changed = false;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (!expired(*it->second)) {
            ++it;
            continue;
        }
        Order* order = it->second->matching_id.empty() ? nullptr : find_order(it->second->matching_id);
        if (order && order->session == it->first) order->session.clear(), changed = true;
        log::info("smdpp", "session " + it->first + " expired");
        it = sessions_.erase(it);
    }
    // A package delivered but never reported installed (the LPA or the device died): after the timeout the order is
    // downloadable again and the package bound to the old one-time key is discarded, so the next download binds
    // afresh. A result that arrives later is recorded but cannot be verified.
    for (auto& order : orders_) {
        if (order.state != OrderState::Downloaded || !order.session.empty()) continue;
        auto bound = bound_.find(order.matching_id);
        if (bound != bound_.end() && clock_() - bound->second.last_used < options_.session_timeout) continue;
        order.state = OrderState::Released;
        drop_bound(order.matching_id);
        log::info("smdpp", "order " + log::redact(order.matching_id) + " released again: no installation result");
        changed = true;
    }
    if (changed) persist();
}

void SmdpServer::set_clock(Clock clock) {
    std::lock_guard lock(mutex_);
    const auto old_now = clock_(), new_now = clock();
    for (auto& [tid, session] : sessions_) session->last_used = new_now - (old_now - session->last_used);
    for (auto& [mid, bound] : bound_) bound.last_used = new_now - (old_now - bound.last_used);
    clock_ = std::move(clock);
}

std::optional<SmdpServer::BoundPackage> SmdpServer::bound_package(const std::string& matching_id) const {
    std::lock_guard lock(mutex_);
    auto it = bound_.find(matching_id);
    if (it == bound_.end()) return std::nullopt;
    return it->second;
}

Order* SmdpServer::find_order(const std::string& matching_id) {
    for (auto& o : orders_)
        if (o.matching_id == matching_id) return &o;
    return nullptr;
}

void SmdpServer::add_order(Order order) {
    std::lock_guard lock(mutex_);
    drop_bound(order.matching_id);
    if (Order* existing = find_order(order.matching_id))
        *existing = std::move(order);
    else
        orders_.push_back(std::move(order));
    persist();
}

void SmdpServer::add_event(Event event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    persist();
}

void SmdpServer::add_fault(Fault fault) {
    std::lock_guard lock(mutex_);
    faults_.add(std::move(fault));
}

unsigned SmdpServer::calls(const std::string& function) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(function);
    return it == calls_.end() ? 0 : it->second;
}

void SmdpServer::clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

std::vector<Order> SmdpServer::orders() const {
    std::lock_guard lock(mutex_);
    return orders_;
}

std::optional<Order> SmdpServer::order(const std::string& matching_id) const {
    std::lock_guard lock(mutex_);
    for (const auto& o : orders_)
        if (o.matching_id == matching_id) return o;
    return std::nullopt;
}

std::vector<Event> SmdpServer::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

std::vector<ReceivedNotification> SmdpServer::notifications() const {
    std::lock_guard lock(mutex_);
    return notifications_;
}

std::size_t SmdpServer::open_sessions() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(sessions_.begin(), sessions_.end(), [this](const auto& s) { return !expired(*s.second); }));
}

}  // namespace lpad::smdpp
